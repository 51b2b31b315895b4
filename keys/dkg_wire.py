"""Building blocks of the key ceremony (keys/dkg.py): the Schnorr proof of knowledge
and strict parsing of the ceremony's JSON messages.

Every message comes from the bulletin board, which may be dishonest: each field is
checked for its exact type (a bool is not an integer) and no unknown key is accepted.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from keys.errors import CryptoError
from keys.group import N, Point, base_mul, hex_to_bytes, scalar_from_hex
from keys.hashing import (
    TAG_DKG_CEREMONY_KEY,
    TAG_DKG_COEFFICIENT,
    TAG_DKG_CONTEXT,
    digest,
    hash_to_scalar,
    u32,
)
from keys.nonces import Nonces
from keys.shamir import check_parameters

SHARES: Final = "phieu-dkg-shares/1"
_SHARES_KEYS = {"format", "election_id", "ceremony", "trustee", "shares"}


def prove_knowledge(tag: bytes, parts: list[bytes], secret: int, nonces: Nonces) -> dict[str, str]:
    """Schnorr proof of a with P = a·G: w drawn, R = w·G, c = H(tag, parts…, R), u = w + c·a.

    ``parts`` already contains P (the statement) and its context; R is appended.
    """
    w = nonces.scalar()
    c = hash_to_scalar(tag, *parts, base_mul(w).to_bytes())
    return {"c": f"{c:064x}", "u": f"{(w + c * secret) % N:064x}"}


def verify_knowledge(
    tag: bytes, parts: list[bytes], point: Point, proof: object, what: str
) -> None:
    """Check a proof: R' = u·G − c·P must not be infinity and c = H(tag, parts…, R')."""
    if not isinstance(proof, dict) or set(proof) != {"c", "u"}:
        raise CryptoError("dkg_bad_message", f"{what}: a proof is exactly {{c, u}}")
    c = scalar_from_hex(proof["c"], f"{what} c")
    u = scalar_from_hex(proof["u"], f"{what} u")
    if point.is_infinity:
        raise CryptoError("bad_point", f"{what}: the point at infinity")
    r = point.mul_add_public(-c, u)
    if r.is_infinity or hash_to_scalar(tag, *parts, r.to_bytes()) != c:
        raise CryptoError("dkg_bad_proof", what)


def fields(msg: object, keys: set[str], what: str) -> dict[str, Any]:
    """``msg`` as a dict with exactly ``keys``."""
    if not isinstance(msg, dict):
        raise CryptoError("dkg_bad_message", f"{what}: expected an object")
    if set(msg) != keys:
        extra = sorted(set(msg) - keys)
        missing = sorted(keys - set(msg))
        raise CryptoError("dkg_bad_message", f"{what}: missing {missing}, unexpected {extra}")
    return msg


def integer(value: object, what: str, low: int, high: int) -> int:
    """An int (not a bool) in [low, high]."""
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise CryptoError("dkg_bad_message", f"{what}: expected an integer in {low}..{high}")
    return value


def header(
    msg: object, keys: set[str], fmt: str, election_id: str, round_: int | None, n: int
) -> tuple[dict[str, Any], int]:
    """Check format, vote, round (when given) and trustee range; return (msg, trustee)."""
    what = fmt.split("/")[0].removeprefix("phieu-dkg-") + " message"
    body = fields(msg, keys, what)
    if body["format"] != fmt:
        raise CryptoError("dkg_bad_message", f"{what}: format is not {fmt}")
    if body["election_id"] != election_id:
        raise CryptoError("dkg_other_vote", f"{what} for {body['election_id']!r}")
    if round_ is not None:
        got = integer(body["ceremony"], f"{what}: ceremony", 1, 2**32 - 1)
        if got != round_:
            raise CryptoError("dkg_wrong_round", f"{what}: round {got}, expected {round_}")
    trustee = integer(body["trustee"], f"{what}: trustee", 1, n)
    return body, trustee


def points(values: object, what: str, count: int) -> tuple[Point, ...]:
    """A list of exactly ``count`` hex points (infinity refused)."""
    if not isinstance(values, list) or len(values) != count:
        raise CryptoError("dkg_bad_message", f"{what}: expected {count} points")
    return tuple(Point.from_hex(v, f"{what} {i}") for i, v in enumerate(values))


def fixed_hex(value: object, what: str, size: int) -> bytes:
    """Lowercase hex of exactly ``size`` bytes."""
    data = hex_to_bytes(value, what)
    if len(data) != size:
        raise CryptoError("dkg_bad_message", f"{what}: expected {size} bytes")
    return data


def _check_names(names: Sequence[str]) -> None:
    for i, name in enumerate(names, start=1):
        if not isinstance(name, str) or not 1 <= len(name) <= 200:
            raise CryptoError("bad_parameters", f"trustee {i}: a name of 1 to 200 characters")
        if unicodedata.normalize("NFC", name) != name:
            raise CryptoError("bad_parameters", f"trustee {i}: the name is not in NFC form")
    if len(set(names)) != len(names):
        raise CryptoError("bad_parameters", "two trustees have the same name")


def context(election_id: str, round: int, names: Sequence[str], k: int) -> bytes:
    """ctx = digest(TAG_DKG_CONTEXT, utf8(E), u32(r), u32(n), u32(k), utf8(name_1) …)."""
    check_parameters(k, len(names))
    _check_names(names)
    if not isinstance(election_id, str) or not election_id:
        raise CryptoError("bad_parameters", "the vote needs an identifier")
    if not isinstance(round, int) or isinstance(round, bool) or not 1 <= round < 2**32:
        raise CryptoError("bad_parameters", "the ceremony round is an integer ≥ 1")
    parts = [election_id.encode(), u32(round), u32(len(names)), u32(k)]
    return digest(TAG_DKG_CONTEXT, *parts, *(n.encode() for n in names))


@dataclass(frozen=True)
class Contribution:
    """Trustee i's verified public contribution: ceremony key E_i and commitments C_i·."""

    ctx: bytes
    index: int
    ceremony_key: Point
    ceremony_key_proof: dict[str, str]
    commitments: tuple[Point, ...]
    proofs: tuple[dict[str, str], ...]

    def to_json(self) -> dict[str, Any]:
        """The manifest's form: {index, ceremony_key, ceremony_key_proof, commitments, proofs}."""
        return {
            "index": self.index,
            "ceremony_key": self.ceremony_key.hex(),
            "ceremony_key_proof": dict(self.ceremony_key_proof),
            "commitments": [c.hex() for c in self.commitments],
            "proofs": [dict(p) for p in self.proofs],
        }


def parse_contribution(ctx: bytes, i: int, body: dict[str, Any], k: int, what: str) -> Contribution:
    big_e = Point.from_hex(body["ceremony_key"], f"{what}: ceremony key")
    verify_knowledge(
        TAG_DKG_CEREMONY_KEY,
        [ctx, u32(i), big_e.to_bytes()],
        big_e,
        body["ceremony_key_proof"],
        f"{what}: ceremony key proof",
    )
    commitments = points(body["commitments"], f"{what}: commitment", k)
    proofs = body["proofs"]
    if not isinstance(proofs, list) or len(proofs) != k:
        raise CryptoError("dkg_bad_message", f"{what}: expected {k} proofs")
    for l_, (c, proof) in enumerate(zip(commitments, proofs, strict=True)):
        parts = [ctx, u32(i), u32(l_), c.to_bytes()]
        verify_knowledge(TAG_DKG_COEFFICIENT, parts, c, proof, f"{what}: proof of coefficient {l_}")
    return Contribution(
        ctx, i, big_e, dict(body["ceremony_key_proof"]), commitments, tuple(dict(p) for p in proofs)
    )


def verify_shares_message(
    msg: object,
    election_id: str,
    round: int,
    n: int,
    sender: int | None = None,
) -> None:
    """What the board can check of a shares message: shape, vote, round, sender, recipients."""
    body, i = header(msg, _SHARES_KEYS, SHARES, election_id, round, n)
    if sender is not None and i != sender:
        raise CryptoError("dkg_wrong_trustee", f"shares of trustee {i} posted by trustee {sender}")
    entries = body["shares"]
    if not isinstance(entries, list):
        raise CryptoError("dkg_bad_message", f"trustee {i}: shares must be a list")
    expected = [j for j in range(1, n + 1) if j != i]
    got = []
    for entry in entries:
        e = fields(entry, {"to", "nonce", "data"}, f"trustee {i}: share")
        got.append(integer(e["to"], f"trustee {i}: share recipient", 1, n))
        fixed_hex(e["nonce"], f"trustee {i}: nonce", 12)
        fixed_hex(e["data"], f"trustee {i}: ciphertext", 48)
    if got != expected:
        raise CryptoError("dkg_bad_message", f"trustee {i}: one share for each j ≠ {i}, ascending")
