"""Ballots: encryption, proofs, signatures, and everything malformed being refused."""

import copy
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from keys import cards
from keys.ballot import Ballot, encrypt_ballot, encrypt_row, sign_ballot, verify_ballot
from keys.elgamal import Ciphertext, aggregate, decrypt_to_point
from keys.errors import CryptoError
from keys.group import N, base_mul
from keys.hashing import digest
from keys.proofs import RowProof, _row_challenge, prove_row, verify_row
from tests.keys_helpers import card_key, context, election

SLOW = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _secret() -> int:
    key, shares = election()
    from keys.shamir import lagrange_at_zero

    lam = lagrange_at_zero([1, 2])
    return (lam[1] * shares[0] + lam[2] * shares[1]) % N


def _round_trip(ballot: Ballot) -> Ballot:
    return Ballot.from_json(json.loads(json.dumps(ballot.to_json())))


@pytest.mark.parametrize("kind", ["rating", "confidence"])
def test_every_choice_verifies_and_decrypts(kind):
    ctx = context(kind, rows=len(context(kind).values))
    choices = list(range(len(ctx.values)))
    ballot = _round_trip(encrypt_ballot(ctx, card_key(), choices))
    verify_ballot(ctx, ballot)
    x = _secret()
    for row, ch in zip(ballot.rows, choices, strict=True):
        assert decrypt_to_point(x, row.ct) == base_mul(ctx.values[ch])


@SLOW
@given(st.lists(st.lists(st.integers(0, 3), min_size=3, max_size=3), min_size=1, max_size=6))
def test_homomorphic_totals_match_plain_counts(ballots):
    ctx = context("rating", rows=3)
    cast = [encrypt_ballot(ctx, card_key(i), ch) for i, ch in enumerate(ballots)]
    x = _secret()
    for r in range(3):
        total = aggregate([b.rows[r].ct for b in cast])
        expected = sum(ctx.values[b[r]] for b in ballots)
        assert decrypt_to_point(x, total) == base_mul(expected)


def _flip(obj, path, bit):
    """Flip one bit of the hex string at ``path`` in a ballot's JSON."""
    target = obj
    for key in path[:-1]:
        target = target[key]
    raw = bytearray(bytes.fromhex(target[path[-1]]))
    raw[bit // 8 % len(raw)] ^= 1 << (bit % 8)
    target[path[-1]] = raw.hex()


FIELDS = [
    ("manifest",),
    ("card",),
    ("signature",),
    ("rows", 1, "alpha"),
    ("rows", 0, "beta"),
    ("rows", 2, "c", 1),
    ("rows", 1, "s", 0),
    ("rows", 0, "s", 3),
]


@SLOW
@given(st.sampled_from(FIELDS), st.integers(0, 8 * 64 - 1))
def test_any_single_bit_change_is_refused(field, bit):
    ctx = context("rating", rows=3)
    good = encrypt_ballot(ctx, card_key(), [1, 2, 0]).to_json()
    bad = copy.deepcopy(good)
    _flip(bad, field, bit)
    with pytest.raises(CryptoError):
        verify_ballot(ctx, Ballot.from_json(bad))


def test_resigned_altered_ballot_fails_proof_not_signature():
    """Swapping two rows and re-signing with the card key still fails: proofs bind the row."""
    ctx = context("rating", rows=3)
    sk = card_key()
    ballot = encrypt_ballot(ctx, sk, [1, 2, 3])
    swapped = sign_ballot(ctx, sk, [ballot.rows[1], ballot.rows[0], ballot.rows[2]])
    with pytest.raises(CryptoError, match="row 0"):
        verify_ballot(ctx, swapped)


def test_rows_copied_to_another_card_are_refused():
    """A ciphertext copied from someone else's ballot cannot be re-cast under another card."""
    ctx = context("rating", rows=2)
    victim = encrypt_ballot(ctx, card_key(1), [3, 3])
    copied = sign_ballot(ctx, card_key(2), list(victim.rows))
    with pytest.raises(CryptoError) as err:
        verify_ballot(ctx, copied)
    assert err.value.code == "bad_proof"


def test_wrong_election_and_shape():
    ctx = context("rating", rows=3)
    other = context("rating", rows=3, seed=b"other")
    ballot = encrypt_ballot(ctx, card_key(), [0, 1, 2])
    with pytest.raises(CryptoError) as err:
        verify_ballot(other, ballot)
    assert err.value.code == "wrong_election"
    with pytest.raises(CryptoError, match="expected 4 rows"):
        verify_ballot(context("rating", rows=4), ballot)
    with pytest.raises(CryptoError, match="branches"):
        verify_ballot(context("confidence", rows=3), ballot)


def _cheat_row(ctx, card, index, m):
    """A dishonest prover: encrypts m (not in the set) and forges a 'valid-looking' proof.

    It simulates every branch, then forces the challenges to add up by changing c_0
    after the hash — the only freedom left to a prover who knows no real branch.
    """
    r = 12345
    ct = Ciphertext(base_mul(r), ctx.public_key.mul_add(r, m))
    cs = [(7 * j + 3) % N for j in range(len(ctx.values))]
    ss = [(11 * j + 5) % N for j in range(len(ctx.values))]
    commitments = []
    for j, mj in enumerate(ctx.values):
        commitments.append(ct.alpha.mul_add(-cs[j], ss[j]))
        commitments.append(ct.beta.mul_add(-cs[j], cs[j] * mj) + ctx.public_key * ss[j])
    c = _row_challenge(ctx.manifest_hash, ctx.public_key, card, index, ct, commitments)
    cs[0] = (c - sum(cs[1:])) % N
    return ct, RowProof(tuple(cs), tuple(ss))


@pytest.mark.parametrize("m_of", [lambda B: 1 + B, lambda B: 2, lambda B: B**3, lambda B: N - 1])
def test_two_choices_or_value_outside_set_is_refused(m_of):
    ctx = context("rating", rows=1)
    card = cards.public_key(card_key())
    ct, proof = _cheat_row(ctx, card, 0, m_of(ctx.base))
    with pytest.raises(CryptoError) as err:
        verify_row(ctx.manifest_hash, ctx.public_key, card, 0, ctx.values, ct, proof)
    assert err.value.code == "bad_proof"


def test_honest_proof_for_a_larger_set_is_refused():
    """Proving membership in {0,1,B,B²,1+B} (two choices allowed) does not pass as a row."""
    ctx = context("rating", rows=1)
    card = cards.public_key(card_key())
    wider = (*ctx.values, 1 + ctx.base)
    from keys.nonces import SYSTEM

    ct, proof = prove_row(ctx.manifest_hash, ctx.public_key, card, 0, wider, 4, SYSTEM)
    trimmed = RowProof(proof.c[:4], proof.s[:4])
    for p in (proof, trimmed):
        with pytest.raises(CryptoError):
            verify_row(ctx.manifest_hash, ctx.public_key, card, 0, ctx.values, ct, p)


def test_zero_challenges_and_infinity_are_handled():
    ctx = context("confidence", rows=1)
    card = cards.public_key(card_key())
    row = encrypt_row(ctx, card, 0, 1)
    zeros = RowProof((0, 0, 0), (0, 0, 0))
    with pytest.raises(CryptoError):
        verify_row(ctx.manifest_hash, ctx.public_key, card, 0, ctx.values, row.ct, zeros)
    bad = row.to_json()
    bad["alpha"] = "00"
    ballot = encrypt_ballot(ctx, card_key(), [1]).to_json()
    ballot["rows"][0] = bad
    with pytest.raises(CryptoError, match="infinity"):
        Ballot.from_json(ballot)


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda b: b.pop("signature"), "expected exactly"),
        (lambda b: b.update(version=2), "unsupported version"),
        (lambda b: b.update(version=True), "unsupported version"),
        (lambda b: b.update(version=1.0), "unsupported version"),
        (lambda b: b.update(rows=[]), "rows"),
        (lambda b: b.update(rows="x"), "rows"),
        (lambda b: b["rows"][0].update(c="00"), "row 0.c"),
        (lambda b: b["rows"][0]["c"].append("00" * 32), None),
        (lambda b: b["rows"][1].update(alpha="zz"), "row 1.alpha"),
        (lambda b: b["rows"][1].update(beta="02" + "00" * 32), "row 1.beta"),
        (lambda b: b.update(card="ab"), "card"),
        (lambda b: b["rows"][0]["s"].__setitem__(0, f"{N:064x}"), "row 0.s"),
    ],
)
def test_malformed_ballots_say_what_is_wrong(mutate, message):
    ctx = context("rating", rows=2)
    obj = encrypt_ballot(ctx, card_key(), [1, 0]).to_json()
    mutate(obj)
    with pytest.raises(CryptoError, match=message):
        verify_ballot(ctx, Ballot.from_json(obj))


def test_tracker_is_stable_and_choice_free():
    ctx = context("rating", rows=2)
    ballot = encrypt_ballot(ctx, card_key(), [1, 0])
    assert _round_trip(ballot).tracker() == ballot.tracker()
    assert len(ballot.tracker()) == 32
    assert ballot.tracker() != digest(b"x")
