"""Cards: manual-entry codes, key derivation and signatures."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from keys import cards
from keys.errors import CryptoError


@given(st.binary(min_size=16, max_size=16))
def test_code_round_trip(secret):
    code = cards.encode_code(secret)
    assert len(code) == 34 and code.count("-") == 6
    assert cards.decode_code(code) == secret
    assert cards.decode_code(code.lower().replace("-", " ")) == secret
    assert not set(code) & set("ILOU")


def test_confusable_characters_are_read_as_digits():
    secret = bytes(16)
    code = cards.encode_code(secret)
    assert cards.decode_code(code.replace("0", "O")) == secret


@given(st.binary(min_size=16, max_size=16), st.integers(0, 27), st.integers(1, 31))
def test_single_typo_is_caught(secret, position, delta):
    code = cards.encode_code(secret).replace("-", "")
    digit = cards.ALPHABET.index(code[position])
    typo = code[:position] + cards.ALPHABET[(digit + delta) % 32] + code[position + 1 :]
    try:
        decoded = cards.decode_code(typo)
    except CryptoError as err:
        assert err.code == "bad_card_code"
    else:  # the 10-bit check misses ~1 typo in 1000; it must then be another card
        assert decoded != secret


@pytest.mark.parametrize("text", ["", "ABC", "U" * 28, "!" * 28, "Z" * 28])
def test_bad_codes(text):
    with pytest.raises(CryptoError) as err:
        cards.decode_code(text)
    assert err.value.code == "bad_card_code"


def test_keys_are_bound_to_the_vote_and_signatures_verify():
    secret = cards.new_secret()
    sk1, sk2 = cards.signing_key("vote-1", secret), cards.signing_key("vote-2", secret)
    assert sk1 != sk2
    message = bytes(range(32))
    sig = cards.sign(sk1, message)
    assert cards.verify(cards.public_key(sk1), message, sig)
    assert not cards.verify(cards.public_key(sk2), message, sig)
    assert not cards.verify(cards.public_key(sk1), bytes(32), sig)
    assert not cards.verify(b"\xff" * 32, message, sig)  # x ≥ p: not a key
    assert not cards.verify(cards.public_key(sk1), message, sig[:63])
    with pytest.raises(CryptoError):
        cards.signing_key("v", b"short")
