"""Encrypted ballots: one ciphertext per official (row), a row proof each, a card signature.

Encoding (docs/crypto.md explains the choice by measurement): a row encrypts
m ∈ {0, 1, B, B², …}: 0 is a blank row and level i (1-based, in the manifest's level
order) is B^(i−1). B (``base``) exceeds the number of committed cards, so the
decrypted per-row total n₁ + n₂·B + n₃·B² gives every level's count.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

from keys import cards
from keys.elgamal import Ciphertext
from keys.errors import CryptoError
from keys.group import Point, hex_to_bytes, scalar_from_hex
from keys.hashing import TAG_BALLOT, TAG_TRACKER, digest, u32
from keys.nonces import SYSTEM, Nonces
from keys.proofs import RowProof, prove_row, verify_row
from keys.vocab import KIND_LEVELS

BALLOT_VERSION: Final = 1
MAX_ROWS: Final = 500


@dataclass(frozen=True)
class ElectionContext:
    """What encrypting and verifying a ballot needs to know about the vote."""

    manifest_hash: bytes
    public_key: Point
    kind: str
    rows: int
    base: int
    values: tuple[int, ...] = field(init=False)

    def __post_init__(self) -> None:
        if self.kind not in KIND_LEVELS:
            raise CryptoError("bad_parameters", f"unknown kind of vote {self.kind!r}")
        if len(self.manifest_hash) != 32:
            raise CryptoError("bad_parameters", "manifest hash must be 32 bytes")
        if not 1 <= self.rows <= MAX_ROWS or self.base < 2:
            raise CryptoError("bad_parameters", "rows must be 1..500 and base at least 2")
        levels = len(KIND_LEVELS[self.kind])
        object.__setattr__(self, "values", (0, *(self.base**i for i in range(levels))))


@dataclass(frozen=True, slots=True)
class EncryptedRow:
    """One official's row: the ciphertext and its well-formedness proof."""

    ct: Ciphertext
    proof: RowProof

    def to_json(self) -> dict[str, Any]:
        """Wire form: alpha, beta (33-byte points) and c, s (lists of 32-byte scalars)."""
        return {
            "alpha": self.ct.alpha.hex(),
            "beta": self.ct.beta.hex(),
            "c": [f"{x:064x}" for x in self.proof.c],
            "s": [f"{x:064x}" for x in self.proof.s],
        }


@dataclass(frozen=True, slots=True)
class Ballot:
    """A signed encrypted ballot, as cast."""

    manifest_hash: bytes
    card: bytes
    rows: tuple[EncryptedRow, ...]
    signature: bytes

    def digest(self) -> bytes:
        """What the card signs: every byte of the ballot except the signature."""
        parts = [self.manifest_hash, self.card, u32(len(self.rows))]
        for row in self.rows:
            parts += [row.ct.alpha.to_bytes(), row.ct.beta.to_bytes(), u32(len(row.proof.c))]
            parts += [x.to_bytes(32, "big") for x in row.proof.c]
            parts += [x.to_bytes(32, "big") for x in row.proof.s]
        return digest(TAG_BALLOT, *parts)

    def tracker(self) -> bytes:
        """The receipt: digest(TAG_TRACKER, ballot digest, signature). Reveals no choice."""
        return digest(TAG_TRACKER, self.digest(), self.signature)

    def to_json(self) -> dict[str, Any]:
        """The wire and record form of the ballot."""
        return {
            "version": BALLOT_VERSION,
            "manifest": self.manifest_hash.hex(),
            "card": self.card.hex(),
            "rows": [row.to_json() for row in self.rows],
            "signature": self.signature.hex(),
        }

    @classmethod
    def from_json(cls, obj: Any, expect: ElectionContext | None = None) -> Ballot:
        """Strictly parse a ballot; every point is validated. Raises CryptoError naming the item.

        With ``expect`` (the vote it is cast in), the manifest hash, the number of rows and
        of branches per row are checked against the vote *before* any point is parsed, so
        an oversized or foreign ballot costs no curve arithmetic.
        """
        keys = {"version", "manifest", "card", "rows", "signature"}
        if not isinstance(obj, dict) or set(obj) != keys:
            raise CryptoError("bad_ballot", "expected exactly: " + ", ".join(sorted(keys)))
        if type(obj["version"]) is not int or obj["version"] != BALLOT_VERSION:
            raise CryptoError("bad_ballot", f"unsupported version {obj['version']!r}")
        manifest = _fixed_hex(obj["manifest"], 32, "manifest")
        card = _fixed_hex(obj["card"], 32, "card")
        signature = _fixed_hex(obj["signature"], 64, "signature")
        rows = obj["rows"]
        if not isinstance(rows, list) or not 1 <= len(rows) <= MAX_ROWS:
            raise CryptoError("bad_ballot", f"rows: expected a list of 1..{MAX_ROWS} rows")
        if expect is not None:
            _check_shape(expect, manifest, rows)
        return cls(manifest, card, tuple(_parse_row(r, i) for i, r in enumerate(rows)), signature)


def _check_shape(ctx: ElectionContext, manifest: bytes, rows: list[Any]) -> None:
    """Vote, row count and branch counts of an unparsed ballot (no point touched)."""
    if manifest != ctx.manifest_hash:
        raise CryptoError("wrong_election", "the manifest hash differs")
    if len(rows) != ctx.rows:
        raise CryptoError("bad_ballot", f"expected {ctx.rows} rows, got {len(rows)}")
    for i, row in enumerate(rows):
        for name in ("c", "s"):
            value = row.get(name) if isinstance(row, dict) else None
            if not isinstance(value, list) or len(value) != len(ctx.values):
                raise CryptoError("bad_ballot", f"row {i}: expected {len(ctx.values)} branches")


def _fixed_hex(value: Any, size: int, what: str) -> bytes:
    data = hex_to_bytes(value, what)
    if len(data) != size:
        raise CryptoError("bad_encoding", f"{what}: expected {size} bytes")
    return data


def _parse_row(obj: Any, i: int) -> EncryptedRow:
    what = f"row {i}"
    if not isinstance(obj, dict) or set(obj) != {"alpha", "beta", "c", "s"}:
        raise CryptoError("bad_ballot", f"{what}: expected keys alpha, beta, c, s")
    for name in ("c", "s"):
        if not isinstance(obj[name], list) or not 2 <= len(obj[name]) <= 8:
            raise CryptoError("bad_ballot", f"{what}.{name}: expected a list of 2..8 scalars")
    ct = Ciphertext(
        Point.from_hex(obj["alpha"], f"{what}.alpha"), Point.from_hex(obj["beta"], f"{what}.beta")
    )
    c = tuple(scalar_from_hex(x, f"{what}.c[{j}]") for j, x in enumerate(obj["c"]))
    s = tuple(scalar_from_hex(x, f"{what}.s[{j}]") for j, x in enumerate(obj["s"]))
    return EncryptedRow(ct, RowProof(c, s))


def encrypt_row(
    ctx: ElectionContext, card: bytes, index: int, choice: int, nonces: Nonces = SYSTEM
) -> EncryptedRow:
    """Encrypt one row (choice 0 = blank, i = level i) with its proof, bound to the card."""
    if not 0 <= index < ctx.rows:
        raise CryptoError("bad_parameters", f"row {index} outside 0..{ctx.rows - 1}")
    ct, proof = prove_row(
        ctx.manifest_hash, ctx.public_key, card, index, ctx.values, choice, nonces
    )
    return EncryptedRow(ct, proof)


def sign_ballot(
    ctx: ElectionContext, sk: int, rows: list[EncryptedRow], aux: bytes | None = None
) -> Ballot:
    """Assemble the rows in manifest order and sign them with the card key."""
    card = cards.public_key(sk)
    unsigned = Ballot(ctx.manifest_hash, card, tuple(rows), b"")
    return Ballot(ctx.manifest_hash, card, tuple(rows), cards.sign(sk, unsigned.digest(), aux))


def encrypt_ballot(
    ctx: ElectionContext,
    sk: int,
    choices: list[int],
    nonces: Nonces = SYSTEM,
    aux: bytes | None = None,
) -> Ballot:
    """Encrypt a whole ballot (one choice per official, 0 = blank) and sign it."""
    if len(choices) != ctx.rows:
        raise CryptoError("bad_parameters", f"expected {ctx.rows} choices, got {len(choices)}")
    card = cards.public_key(sk)
    rows = [encrypt_row(ctx, card, i, ch, nonces) for i, ch in enumerate(choices)]
    return sign_ballot(ctx, sk, rows, aux)


def verify_ballot(ctx: ElectionContext, ballot: Ballot) -> None:
    """Check everything about a parsed ballot against the vote; raise CryptoError if not.

    Order: vote, shape, signature (cheap, :func:`check_signature`), then every row proof.
    """
    check_signature(ctx, ballot)
    for i, row in enumerate(ballot.rows):
        verify_row(ctx.manifest_hash, ctx.public_key, ballot.card, i, ctx.values, row.ct, row.proof)


def check_signature(ctx: ElectionContext, ballot: Ballot) -> None:
    """The cheap part of :func:`verify_ballot`: vote, shape and the card's signature."""
    if ballot.manifest_hash != ctx.manifest_hash:
        raise CryptoError("wrong_election", "the manifest hash differs")
    if len(ballot.rows) != ctx.rows:
        raise CryptoError("bad_ballot", f"expected {ctx.rows} rows, got {len(ballot.rows)}")
    for i, row in enumerate(ballot.rows):
        if len(row.proof.c) != len(ctx.values):
            raise CryptoError("bad_ballot", f"row {i}: expected {len(ctx.values)} branches")
    if not cards.verify(ballot.card, ballot.digest(), ballot.signature):
        raise CryptoError("bad_signature", "the card signature does not verify")
