"""Threshold decryption of the totals: partial decryptions, their combination, and the
recovery of the counts from m·G.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import isqrt

from coincurve import PublicKey
from coincurve._libsecp256k1 import ffi, lib

from keys.elgamal import Ciphertext
from keys.errors import CryptoError
from keys.group import INFINITY_BYTES, G, N, Point, base_mul, point_sum
from keys.nonces import SYSTEM, Nonces
from keys.opcount import OPS
from keys.proofs import DecryptionProof, prove_decryption, verify_decryption
from keys.shamir import ElectionKey, lagrange_at_zero


@dataclass(frozen=True)
class PartialDecryption:
    """Trustee i's shares D_{i,r} = x_i·α_r of every row total, each with its proof."""

    trustee: int
    shares: tuple[Point, ...]
    proofs: tuple[DecryptionProof, ...]

    def to_json(self) -> dict[str, object]:
        """{"trustee", "shares": [hex], "proofs": [{"c","s"}]}."""
        return {
            "trustee": self.trustee,
            "shares": [d.hex() for d in self.shares],
            "proofs": [{"c": f"{p.c:064x}", "s": f"{p.s:064x}"} for p in self.proofs],
        }

    @classmethod
    def from_json(cls, obj: object) -> PartialDecryption:
        """Parse and validate (points on the curve, scalars below N)."""
        from keys.group import scalar_from_hex

        if not isinstance(obj, dict) or set(obj) != {"trustee", "shares", "proofs"}:
            raise CryptoError(
                "bad_encoding", "partial decryption: expected trustee, shares, proofs"
            )
        trustee = obj["trustee"]
        if not isinstance(trustee, int) or isinstance(trustee, bool) or trustee < 1:
            raise CryptoError("bad_encoding", "partial decryption: bad trustee index")
        shares, proofs = obj["shares"], obj["proofs"]
        if not isinstance(shares, list) or not isinstance(proofs, list):
            raise CryptoError("bad_encoding", "partial decryption: shares and proofs are lists")
        pts = tuple(
            Point.from_hex(d, f"trustee {trustee} share {r}", allow_infinity=True)
            for r, d in enumerate(shares)
        )
        prs = []
        for r, p in enumerate(proofs):
            if not isinstance(p, dict) or set(p) != {"c", "s"}:
                raise CryptoError("bad_encoding", f"trustee {trustee} proof {r}: expected c, s")
            prs.append(DecryptionProof(scalar_from_hex(p["c"]), scalar_from_hex(p["s"])))
        return cls(trustee, pts, tuple(prs))


def partial_decrypt(
    manifest_hash: bytes,
    key: ElectionKey,
    trustee: int,
    secret_share: int,
    totals: list[Ciphertext],
    nonces: Nonces = SYSTEM,
) -> PartialDecryption:
    """Trustee ``trustee`` (1-based) decrypts its part of every row total, with proofs."""
    if not 1 <= trustee <= key.trustees:
        raise CryptoError("bad_parameters", f"trustee {trustee} outside 1..{key.trustees}")
    if base_mul(secret_share) != key.verification_keys[trustee - 1]:
        raise CryptoError("share_mismatch", f"trustee {trustee}")
    shares, proofs = [], []
    for r, ct in enumerate(totals):
        d, proof = prove_decryption(
            manifest_hash, key.public_key, trustee, secret_share, r, ct, nonces
        )
        shares.append(d)
        proofs.append(proof)
    return PartialDecryption(trustee, tuple(shares), tuple(proofs))


def verify_partial(
    manifest_hash: bytes, key: ElectionKey, totals: list[Ciphertext], part: PartialDecryption
) -> None:
    """Check every proof of one trustee's partial decryption; raise naming trustee and row."""
    if not 1 <= part.trustee <= key.trustees:
        raise CryptoError("bad_decryption", f"trustee {part.trustee} is not a trustee of this vote")
    if len(part.shares) != len(totals) or len(part.proofs) != len(totals):
        raise CryptoError("bad_decryption", f"trustee {part.trustee}: expected {len(totals)} rows")
    vk = key.verification_keys[part.trustee - 1]
    for r, ct in enumerate(totals):
        verify_decryption(
            manifest_hash, key.public_key, part.trustee, vk, r, ct, part.shares[r], part.proofs[r]
        )


def combine(
    key: ElectionKey, totals: list[Ciphertext], parts: list[PartialDecryption]
) -> list[Point]:
    """m_r·G = β_r − Σ λ_i·D_{i,r} over any k (verified) partial decryptions."""
    if len(parts) < key.threshold:
        raise CryptoError("not_enough_trustees", f"{len(parts)} of {key.threshold} needed")
    chosen = parts[: key.threshold]
    for p in chosen:
        if not 1 <= p.trustee <= key.trustees or len(p.shares) != len(totals):
            raise CryptoError("bad_decryption", f"trustee {p.trustee}: not one share per row")
    lam = lagrange_at_zero([p.trustee for p in chosen])
    out = []
    for r, ct in enumerate(totals):
        d = point_sum([p.shares[r] * lam[p.trustee] for p in chosen])
        out.append(ct.beta - d)
    return out


class DiscreteLog:
    """Baby-step giant-step recovery of m from m·G for 0 ≤ m ≤ bound.

    One table of ``t`` baby steps serves every lookup; each lookup then takes at most
    bound / t giant steps. The table size is chosen for the expected number of lookups.
    """

    def __init__(self, bound: int, lookups: int = 1) -> None:
        if bound < 0:
            raise CryptoError("bad_parameters", "bound must be non-negative")
        self.bound = bound
        self.t = max(1, min(bound + 1, 1 << 18, max(1024, isqrt((bound + 1) * lookups) + 1)))
        # The loops below run on libsecp256k1 directly (_Walk: no Python key object per
        # step): they are the count's and the verifier's hot path. Their operations are
        # counted by hand.
        g = G.raw()
        assert g is not None  # noqa: S101 - G is not the point at infinity
        table: dict[bytes, int] = {INFINITY_BYTES: 0}
        walk = _Walk(g, g)
        for j in range(1, self.t):
            table[walk.encoded()] = j
            walk.step()  # (j+1)·G, never infinity: j + 1 < N
        OPS["add"] += self.t - 1
        OPS["serialize"] += self.t - 1
        self.table = table
        self.giant = -base_mul(self.t)

    def solve(self, point: Point, what: str = "total") -> int:
        """m with m·G = point, or CryptoError if m is not in [0, bound]."""
        q, giant = point.raw(), self.giant.raw()
        assert giant is not None  # noqa: S101 - t < N, so t·G is never infinity
        steps = self.bound // self.t + 1
        walk = None if q is None else _Walk(q, giant)
        # Counted once at the end, not per step: the giant steps are the hot loop.
        looked = stepped = 0
        try:
            for i in range(steps):
                if walk is None:  # point − i·t·G is the point at infinity
                    m = i * self.t
                    if m <= self.bound:
                        return m
                    break
                looked += 1
                j = self.table.get(walk.encoded())
                if j is not None:
                    m = i * self.t + j
                    if m <= self.bound:
                        return m
                    break
                stepped += 1
                if not walk.step():  # the sum is the point at infinity
                    walk = None
        finally:
            if looked:
                OPS["serialize"] += looked
            if stepped:
                OPS["add"] += stepped
        raise CryptoError("count_out_of_range", f"{what}: not a total between 0 and {self.bound}")


class _Walk:
    """P, P + S, P + 2·S, … on libsecp256k1's own structures (two buffers, no allocation)."""

    __slots__ = ("_ctx", "_keep", "_ins", "_spare", "_out", "_len")

    def __init__(self, start: PublicKey, step: PublicKey) -> None:
        self._ctx = start.context.ctx
        a = ffi.new("secp256k1_pubkey *", start.public_key[0])
        b = ffi.new("secp256k1_pubkey *")
        # The array holds bare pointers: _keep owns the buffers (and the step's key).
        self._keep = (a, b, step)
        self._ins = ffi.new("secp256k1_pubkey *[2]", [a, step.public_key])
        self._spare = b
        self._out = ffi.new("unsigned char[33]")
        self._len = ffi.new("size_t *")

    def encoded(self) -> bytes:
        """The current point, compressed (33 bytes)."""
        self._len[0] = 33
        lib.secp256k1_ec_pubkey_serialize(
            self._ctx, self._out, self._len, self._ins[0], lib.SECP256K1_EC_COMPRESSED
        )
        return bytes(ffi.buffer(self._out))

    def step(self) -> bool:
        """Add the step; False (and the walk is over) when the sum is the point at infinity."""
        current = self._ins[0]
        if not lib.secp256k1_ec_pubkey_combine(self._ctx, self._spare, self._ins, 2):
            return False
        self._ins[0], self._spare = self._spare, current
        return True


def decode_counts(
    m: int, base: int, levels: int, what: str = "row", ballots: int | None = None
) -> tuple[int, ...]:
    """Split n₁ + n₂·B + … into (n₁, n₂, …).

    Unambiguous only if B exceeds the number of ballots: given ``ballots``, a smaller B
    and a total with more marks than ballots are refused.
    """
    if ballots is not None and base <= ballots:
        raise CryptoError("bad_parameters", f"base {base} must exceed the {ballots} ballots")
    counts = []
    for _ in range(levels):
        counts.append(m % base)
        m //= base
    if m or (ballots is not None and sum(counts) > ballots):
        raise CryptoError("count_out_of_range", f"{what}: total exceeds the encoding")
    return tuple(counts)


__all__ = ["N", "DiscreteLog", "PartialDecryption", "combine", "decode_counts"]
