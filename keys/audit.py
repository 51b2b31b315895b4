"""Cast or check (Benaloh challenge): a ballot the member checks instead of casting.

The page that encrypts is sent by the server, which may be dishonest. Before casting,
the member may ask the phone to *check* the ballot instead: the phone shows the
ballot's audit tracker (a commitment to its ciphertexts), then reveals every row's
choice and encryption nonce r. Anyone can then recompute α = r·G and β = r·Y + m·G and
see that the row encrypts exactly the shown choice. The checked ballot is spoiled: it is
never signed, never cast (the server refuses a ballot sharing a row with it) and never
counted; the phone encrypts afresh.

The reveal carries no card key, no signature and no proof: the row proofs are bound to
the card key in their Fiat–Shamir hash, so publishing them would link the check to the
member's cast ballot. Knowing r proves more than a proof would: the exact value.
Format and hash: docs/crypto.md §4a.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from keys.ballot import MAX_ROWS, Ballot, ElectionContext
from keys.elgamal import encrypt
from keys.errors import CryptoError
from keys.group import Point, base_mul, scalar_from_hex
from keys.hashing import TAG_AUDIT_TRACKER, digest, u32
from keys.nonces import SYSTEM, Nonces

AUDIT_VERSION: Final = 1
#: Keys of an audited ballot's JSON and of each row.
AUDIT_KEYS: Final = ("manifest", "rows", "version")
ROW_KEYS: Final = ("alpha", "beta", "choice", "r")


def audit_tracker(manifest_hash: bytes, rows: list[tuple[Point, Point]]) -> bytes:
    """digest(TAG_AUDIT_TRACKER, manifest hash, u32(rows), α₀, β₀, …): shown before the reveal."""
    parts = [manifest_hash, u32(len(rows))]
    for alpha, beta in rows:
        parts += [alpha.to_bytes(), beta.to_bytes()]
    return digest(TAG_AUDIT_TRACKER, *parts)


def ballot_audit_tracker(ballot: Ballot) -> bytes:
    """The audit tracker of a cast ballot's rows (to refuse a spoiled ballot at cast)."""
    return audit_tracker(ballot.manifest_hash, [(r.ct.alpha, r.ct.beta) for r in ballot.rows])


@dataclass(frozen=True, slots=True)
class AuditedRow:
    """One revealed row: the ciphertext, the choice (0 = blank, i = level i) and r."""

    alpha: Point
    beta: Point
    choice: int
    r: int

    def to_json(self) -> dict[str, Any]:
        """Wire form: alpha, beta (33-byte points hex), choice (int), r (32-byte hex)."""
        return {
            "alpha": self.alpha.hex(),
            "beta": self.beta.hex(),
            "choice": self.choice,
            "r": f"{self.r:064x}",
        }


@dataclass(frozen=True, slots=True)
class AuditedBallot:
    """A checked ballot as posted on the board: manifest hash and revealed rows."""

    manifest_hash: bytes
    rows: tuple[AuditedRow, ...]

    def tracker(self) -> bytes:
        """The audit tracker the phone showed before revealing."""
        return audit_tracker(self.manifest_hash, [(r.alpha, r.beta) for r in self.rows])

    def to_json(self) -> dict[str, Any]:
        """The board and record form."""
        return {
            "version": AUDIT_VERSION,
            "manifest": self.manifest_hash.hex(),
            "rows": [row.to_json() for row in self.rows],
        }

    @classmethod
    def from_json(cls, obj: Any) -> AuditedBallot:
        """Strictly parse; every point is validated. Raises CryptoError naming the item."""
        if not isinstance(obj, dict) or set(obj) != set(AUDIT_KEYS):
            raise CryptoError("bad_audit", "expected exactly: " + ", ".join(AUDIT_KEYS))
        if type(obj["version"]) is not int or obj["version"] != AUDIT_VERSION:
            raise CryptoError("bad_audit", f"unsupported version {obj['version']!r}")
        manifest = obj["manifest"]
        if not isinstance(manifest, str) or len(manifest) != 64:
            raise CryptoError("bad_encoding", "manifest: expected 32 bytes in hex")
        mh = bytes.fromhex(manifest) if _is_hex(manifest) else None
        if mh is None:
            raise CryptoError("bad_encoding", "manifest: not lowercase hex")
        rows = obj["rows"]
        if not isinstance(rows, list) or not 1 <= len(rows) <= MAX_ROWS:
            raise CryptoError("bad_audit", f"rows: expected a list of 1..{MAX_ROWS} rows")
        return cls(mh, tuple(_parse_row(r, i) for i, r in enumerate(rows)))


def _is_hex(text: str) -> bool:
    return all(ch in "0123456789abcdef" for ch in text)


def _parse_row(obj: Any, i: int) -> AuditedRow:
    what = f"row {i}"
    if not isinstance(obj, dict) or set(obj) != set(ROW_KEYS):
        raise CryptoError("bad_audit", f"{what}: expected keys " + ", ".join(ROW_KEYS))
    choice = obj["choice"]
    if type(choice) is not int or not 0 <= choice <= 8:
        raise CryptoError("bad_audit", f"{what}.choice: expected an integer 0..8")
    r = scalar_from_hex(obj["r"], f"{what}.r")
    if r == 0:
        raise CryptoError("bad_audit", f"{what}.r: zero is not a nonce")
    alpha = Point.from_hex(obj["alpha"], f"{what}.alpha")
    beta = Point.from_hex(obj["beta"], f"{what}.beta")
    return AuditedRow(alpha, beta, choice, r)


def verify_audit(ctx: ElectionContext, audited: AuditedBallot) -> None:
    """Check that every row encrypts exactly its shown choice under the vote's key.

    Raises CryptoError: wrong_election (another vote's manifest), bad_audit (row count,
    choice outside the levels), bad_reveal naming the row (wrong nonce or wrong choice).
    """
    if audited.manifest_hash != ctx.manifest_hash:
        raise CryptoError("wrong_election", "the manifest hash differs")
    if len(audited.rows) != ctx.rows:
        raise CryptoError("bad_audit", f"expected {ctx.rows} rows, got {len(audited.rows)}")
    for i, row in enumerate(audited.rows):
        if row.choice >= len(ctx.values):
            raise CryptoError("bad_audit", f"row {i}: choice outside 0..{len(ctx.values) - 1}")
        if base_mul(row.r) != row.alpha:
            raise CryptoError("bad_reveal", f"row {i}: alpha is not r·G (wrong nonce)")
        if ctx.public_key.mul_add_public(row.r, ctx.values[row.choice]) != row.beta:
            raise CryptoError("bad_reveal", f"row {i}: beta does not encrypt the shown choice")


def encrypt_audited(
    ctx: ElectionContext, choices: list[int], nonces: Nonces = SYSTEM
) -> AuditedBallot:
    """Encrypt choices as the phone does and reveal them (tests, vectors, benchmarks)."""
    if len(choices) != ctx.rows:
        raise CryptoError("bad_parameters", f"expected {ctx.rows} choices, got {len(choices)}")
    rows = []
    for choice in choices:
        r = nonces.scalar()
        ct = encrypt(ctx.public_key, ctx.values[choice], r)
        rows.append(AuditedRow(ct.alpha, ct.beta, choice, r))
    return AuditedBallot(ctx.manifest_hash, tuple(rows))
