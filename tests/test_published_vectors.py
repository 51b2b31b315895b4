"""Published test vectors we did not write, checked against keys/ and its libraries.

tests/vectors/published.json holds values copied from their publications, each group
with a ``source``: the secp256k1 parameters (SEC 2), known multiples k·G, the NIST
SHA-256/SHA-512 examples, every BIP340 test vector and invalid point encodings. The
JavaScript twin is tests/js/published.test.mjs.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from coincurve import PrivateKey, PublicKey, PublicKeyXOnly

from keys import cards
from keys.errors import CryptoError
from keys.group import INFINITY, G, N, P, Point, base_mul

VECTORS: dict[str, Any] = json.loads(
    (Path(__file__).parent / "vectors" / "published.json").read_text(encoding="utf-8")
)
CURVE = VECTORS["secp256k1"]
MULTIPLES = VECTORS["multiples"]["vectors"]
BIP340 = VECTORS["bip340"]["vectors"]
INVALID_POINTS = VECTORS["invalid_points"]["vectors"]
VALID_POINTS = VECTORS["valid_points"]["vectors"]


def _compressed(x: str, y: str) -> str:
    return ("02" if int(y, 16) % 2 == 0 else "03") + x


def test_every_group_names_its_source() -> None:
    for name, group in VECTORS.items():
        if isinstance(group, dict):
            assert group.get("source"), f"{name} has no source"


# -- secp256k1 parameters (SEC 2 §2.4.1) ---------------------------------------------


def test_group_order_and_field_prime() -> None:
    assert int(CURVE["n"], 16) == N
    assert int(CURVE["p"], 16) == P
    assert int(CURVE["h"], 16) == 1


def test_generator_encodings() -> None:
    assert G.hex() == CURVE["G_compressed"]
    assert Point.from_hex(CURVE["G_compressed"]) == G
    assert base_mul(1) == G
    # The uncompressed SEC 2 form names the same point (libsecp256k1 parses both).
    uncompressed = bytes.fromhex(CURVE["G_uncompressed"])
    assert PublicKey(uncompressed).format(compressed=True).hex() == CURVE["G_compressed"]
    assert G._pk is not None
    assert G._pk.format(compressed=False).hex() == CURVE["G_uncompressed"]


def test_generator_satisfies_the_curve_equation() -> None:
    b = int(CURVE["b"], 16)
    x = int(CURVE["G_uncompressed"][2:66], 16)
    y = int(CURVE["G_uncompressed"][66:], 16)
    assert (y * y - x * x * x - b) % P == 0


def test_order_times_generator_is_infinity() -> None:
    assert base_mul(N) == INFINITY
    assert G * N == INFINITY
    assert base_mul(N - 1) + G == INFINITY


# -- known multiples k·G (Batson) ------------------------------------------------------


@pytest.mark.parametrize("vec", MULTIPLES, ids=[v["label"] for v in MULTIPLES])
def test_known_multiple_fixed_base(vec: dict[str, str]) -> None:
    k = int(vec["k"])
    assert int(vec["k_hex"], 16) == k
    expected = _compressed(vec["x"], vec["y"])
    point = base_mul(k)
    assert point.hex() == expected
    assert point._pk is not None
    assert point._pk.format(compressed=False).hex() == "04" + vec["x"] + vec["y"]
    # Parsing the published encoding gives back the same point.
    assert Point.from_hex(expected) == point


@pytest.mark.parametrize("vec", MULTIPLES, ids=[v["label"] for v in MULTIPLES])
def test_known_multiple_variable_base_and_mul_add(vec: dict[str, str]) -> None:
    k = int(vec["k"])
    expected = _compressed(vec["x"], vec["y"])
    assert (G * k).hex() == expected
    assert (k * G).hex() == expected
    # k·G = (k−1)·G + 1·G through mul_add, and 0·G + k·G.
    assert G.mul_add(k - 1, 1).hex() == expected
    assert G.mul_add(0, k).hex() == expected


def test_n_minus_one_is_minus_g() -> None:
    (last,) = [v for v in MULTIPLES if v["label"] == "n-1"]
    assert int(last["k"]) == N - 1
    assert (-G).hex() == _compressed(last["x"], last["y"])
    assert G - G == INFINITY


def test_mirrored_multiples_are_negations() -> None:
    by_k = {int(v["k"]): v for v in MULTIPLES}
    pairs = [k for k in by_k if k < 100 and N - k in by_k]
    assert len(pairs) >= 20
    for k in pairs:
        a, b = by_k[k], by_k[N - k]
        assert a["x"] == b["x"]
        assert (int(a["y"], 16) + int(b["y"], 16)) % P == 0
        assert -base_mul(k) == base_mul(N - k)


# -- point parsing ---------------------------------------------------------------------


@pytest.mark.parametrize("vec", INVALID_POINTS, ids=[v["hex"][:10] for v in INVALID_POINTS])
def test_invalid_points_are_rejected(vec: dict[str, str]) -> None:
    with pytest.raises(CryptoError) as err:
        Point.from_hex(vec["hex"])
    assert err.value.code == "bad_point"
    with pytest.raises(CryptoError):
        Point.from_hex(vec["hex"], allow_infinity=True)


@pytest.mark.parametrize("vec", VALID_POINTS, ids=[v["hex"][:10] for v in VALID_POINTS])
def test_valid_points_round_trip(vec: dict[str, str]) -> None:
    assert Point.from_hex(vec["hex"]).hex() == vec["hex"]


def test_uncompressed_and_hybrid_encodings_are_refused() -> None:
    with pytest.raises(CryptoError):
        Point.from_hex(CURVE["G_uncompressed"])
    hybrid = "06" + CURVE["G_uncompressed"][2:]  # SEC 1 hybrid form, even y
    with pytest.raises(CryptoError):
        Point.from_hex(hybrid)


def test_infinity_only_where_allowed() -> None:
    with pytest.raises(CryptoError):
        Point.from_hex("00")
    assert Point.from_hex("00", allow_infinity=True) == INFINITY


# -- NIST SHA-256 / SHA-512 ------------------------------------------------------------


@pytest.mark.parametrize("vec", VECTORS["sha256"]["vectors"], ids=lambda v: v["message_ascii"][:8])
def test_sha256(vec: dict[str, str]) -> None:
    assert hashlib.sha256(vec["message_ascii"].encode("ascii")).hexdigest() == vec["digest"]


@pytest.mark.parametrize("vec", VECTORS["sha512"]["vectors"], ids=lambda v: v["message_ascii"][:8])
def test_sha512(vec: dict[str, str]) -> None:
    assert hashlib.sha512(vec["message_ascii"].encode("ascii")).hexdigest() == vec["digest"]


# -- BIP340 ------------------------------------------------------------------------------


def _ids(vectors: list[dict[str, Any]]) -> list[str]:
    return [f"bip340-{v['index']}" for v in vectors]


SIGNING = [v for v in BIP340 if v["secret_key"]]


def test_all_bip340_vectors_are_present() -> None:
    assert [v["index"] for v in BIP340] == list(range(19))
    assert {v["index"] for v in BIP340 if not v["message_is_32_bytes"]} == {15, 16, 17, 18}


@pytest.mark.parametrize("vec", SIGNING, ids=_ids(SIGNING))
def test_bip340_public_key(vec: dict[str, Any]) -> None:
    sk = int(vec["secret_key"], 16)
    assert cards.public_key(sk).hex() == vec["public_key"]
    # The x-only key is the x coordinate of sk·G.
    assert base_mul(sk).hex()[2:] == vec["public_key"]


@pytest.mark.parametrize("vec", SIGNING, ids=_ids(SIGNING))
def test_bip340_signing_is_exact(vec: dict[str, Any]) -> None:
    if not vec["message_is_32_bytes"]:
        pytest.skip(
            f"BIP340 vector {vec['index']}: {len(vec['message']) // 2}-byte message; "
            "keys.cards.sign and coincurve's sign_schnorr only sign 32-byte messages"
        )
    sk = int(vec["secret_key"], 16)
    msg = bytes.fromhex(vec["message"])
    aux = bytes.fromhex(vec["aux_rand"])
    assert cards.sign(sk, msg, aux).hex() == vec["signature"]
    raw = PrivateKey(bytes.fromhex(vec["secret_key"])).sign_schnorr(msg, aux)
    assert raw.hex() == vec["signature"]


@pytest.mark.parametrize("vec", BIP340, ids=_ids(BIP340))
def test_bip340_verification_keys_cards(vec: dict[str, Any]) -> None:
    if not vec["message_is_32_bytes"]:
        pytest.skip(
            f"BIP340 vector {vec['index']}: {len(vec['message']) // 2}-byte message; "
            "keys.cards.verify accepts only 32-byte ballot digests (checked through "
            "libsecp256k1 directly in test_bip340_verification_libsecp256k1)"
        )
    card = bytes.fromhex(vec["public_key"])
    msg = bytes.fromhex(vec["message"])
    sig = bytes.fromhex(vec["signature"])
    assert cards.verify(card, msg, sig) is vec["valid"], vec["comment"]


@pytest.mark.parametrize("vec", BIP340, ids=_ids(BIP340))
def test_bip340_verification_libsecp256k1(vec: dict[str, Any]) -> None:
    """coincurve's verify passes the message length through, so 15–18 are checked too."""
    msg = bytes.fromhex(vec["message"])
    sig = bytes.fromhex(vec["signature"])
    try:
        key = PublicKeyXOnly(bytes.fromhex(vec["public_key"]))
    except ValueError:
        assert not vec["valid"], "a valid vector's key must parse"
        return
    assert key.verify(sig, msg) is vec["valid"], vec["comment"]


def test_bip340_invalid_keys_are_not_points() -> None:
    """Vectors 5 and 14 have x-only keys that are not on the curve / not below p."""
    for index in (5, 14):
        (vec,) = [v for v in BIP340 if v["index"] == index]
        for prefix in ("02", "03"):
            with pytest.raises(CryptoError):
                Point.from_hex(prefix + vec["public_key"])


def test_cards_verify_rejects_wrong_lengths() -> None:
    (vec,) = [v for v in BIP340 if v["index"] == 1]
    card = bytes.fromhex(vec["public_key"])
    msg = bytes.fromhex(vec["message"])
    sig = bytes.fromhex(vec["signature"])
    assert cards.verify(card, msg, sig)
    assert not cards.verify(card, msg, sig[:63])
    assert not cards.verify(card, msg, sig + b"\x00")
    assert not cards.verify(card[:31], msg, sig)
    assert not cards.verify(card, msg[:31], sig)
    assert not cards.verify(b"\x02" + card, msg, sig)
