"""k-of-n Shamir sharing of the election secret, with Feldman commitments.

The shared polynomial f(z) = a₀ + a₁z + … + a_{k−1}z^{k−1} over Z_N is the sum of the
trustees' own polynomials (keys/dkg.py: there is no dealer). Its commitments are
C_j = a_j·G; Y = C₀ is the election key and X_i = f(i)·G = Σ_j i^j·C_j is trustee i's
verification key: anyone can check that the published keys are consistent, and a
trustee can check their own share. Any k shares give x (via Lagrange at 0); k−1 give
nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from keys.errors import CryptoError
from keys.group import INFINITY, N, Point, point_sum

MAX_TRUSTEES = 64


@dataclass(frozen=True)
class ElectionKey:
    """The public side of a key ceremony."""

    threshold: int
    commitments: tuple[Point, ...]
    verification_keys: tuple[Point, ...]

    @property
    def public_key(self) -> Point:
        """Y = C₀ = x·G."""
        return self.commitments[0]

    @property
    def trustees(self) -> int:
        """n, the number of shares."""
        return len(self.verification_keys)

    def to_json(self) -> dict[str, object]:
        """{"threshold", "public_key", "commitments", "verification_keys"} in hex."""
        return {
            "threshold": self.threshold,
            "public_key": self.public_key.hex(),
            "commitments": [c.hex() for c in self.commitments],
            "verification_keys": [x.hex() for x in self.verification_keys],
        }

    @classmethod
    def from_json(cls, obj: object) -> ElectionKey:
        """Parse, validate every point and check consistency (see :func:`check_key`)."""
        if not isinstance(obj, dict):
            raise CryptoError("bad_encoding", "election key: expected an object")
        try:
            k = obj["threshold"]
            commitments = tuple(
                Point.from_hex(c, f"commitment {j}") for j, c in enumerate(obj["commitments"])
            )
            vks = tuple(
                Point.from_hex(x, f"verification key {i + 1}")
                for i, x in enumerate(obj["verification_keys"])
            )
            public = Point.from_hex(obj["public_key"], "public key")
        except (KeyError, TypeError):
            raise CryptoError("bad_encoding", "election key: missing fields") from None
        key = cls(k, commitments, vks)
        check_key(key)
        if key.public_key != public:
            raise CryptoError("bad_parameters", "public key is not the first commitment")
        return key


def check_parameters(k: object, n: object) -> None:
    """2 ≤ k ≤ n ≤ 64, integers. k = 1 is refused: one trustee alone would hold the key."""
    if (
        not isinstance(k, int)
        or not isinstance(n, int)
        or isinstance(k, bool)
        or isinstance(n, bool)
    ):
        raise CryptoError("bad_parameters", "k and n must be integers")
    if k == 1:
        raise CryptoError("threshold_too_low", "k = 1")
    if not 2 <= k <= n <= MAX_TRUSTEES:
        raise CryptoError("bad_parameters", f"need 2 ≤ k ≤ n ≤ {MAX_TRUSTEES}, got k={k}, n={n}")


def expected_verification_key(commitments: tuple[Point, ...], i: int) -> Point:
    """Σ_j i^j·C_j: what trustee i's verification key must be."""
    return point_sum([c * pow(i, j, N) for j, c in enumerate(commitments)])


def check_key(key: ElectionKey) -> None:
    """Check that every verification key lies on the committed polynomial."""
    check_parameters(key.threshold, key.trustees)
    if len(key.commitments) != key.threshold:
        raise CryptoError("bad_parameters", "there must be exactly k commitments")
    if key.public_key == INFINITY:
        raise CryptoError("bad_point", "the election key is the point at infinity")
    for i, x in enumerate(key.verification_keys, start=1):
        if expected_verification_key(key.commitments, i) != x:
            raise CryptoError("bad_parameters", f"verification key {i} is not on the polynomial")


def lagrange_at_zero(indices: list[int]) -> dict[int, int]:
    """λ_i = Π_{j≠i} j / (j − i) mod N for the given distinct 1-based indices."""
    if len(set(indices)) != len(indices):
        raise CryptoError("duplicate_trustee", "the same trustee appears twice")
    out = {}
    for i in indices:
        num, den = 1, 1
        for j in indices:
            if j != i:
                num = num * j % N
                den = den * (j - i) % N
        out[i] = num * pow(den, -1, N) % N
    return out
