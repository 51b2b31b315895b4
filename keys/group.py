"""The group: secp256k1 through libsecp256k1 (coincurve).

All curve arithmetic is done by libsecp256k1; this module only wraps it so that
the point at infinity is an explicit value (coincurve cannot represent it) and
every point that comes from outside is validated on parsing.

Nothing here counts operations: the benchmarks and cost tests count them with
:func:`keys.opcount.counting`, which wraps these functions only while it is on.
"""

from __future__ import annotations

import re
import secrets
from typing import Final

from coincurve import PublicKey
from coincurve._libsecp256k1 import ffi, lib
from coincurve.context import GLOBAL_CONTEXT

from keys.errors import CryptoError

#: Order of the secp256k1 group (SEC 2, §2.4.1).
N: Final = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
#: Field prime of secp256k1.
P: Final = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFC2F

INFINITY_BYTES: Final = b"\x00"
_HEX: Final = re.compile("[0-9a-f]*")


def scalar_from_bytes(data: bytes, what: str = "scalar") -> int:
    """Decode a 32-byte big-endian scalar, rejecting values ≥ N."""
    if len(data) != 32:
        raise CryptoError("bad_scalar", f"{what}: expected 32 bytes, got {len(data)}")
    k = int.from_bytes(data, "big")
    if k >= N:
        raise CryptoError("bad_scalar", f"{what}: value is not below the group order")
    return k


def random_scalar() -> int:
    """A uniformly random non-zero scalar from the operating system's CSPRNG."""
    return secrets.randbelow(N - 1) + 1


class Point:
    """A point of secp256k1, or the point at infinity (``_pk is None``).

    Points never change, so the compressed encoding is kept once known (``_enc``: the
    bytes it was parsed from, or the first :meth:`to_bytes`).
    """

    __slots__ = ("_enc", "_pk")

    def __init__(self, pk: PublicKey | None, enc: bytes | None = None) -> None:
        self._pk = pk
        self._enc = enc

    # -- construction -------------------------------------------------------
    @classmethod
    def from_bytes(cls, data: bytes, what: str = "point", allow_infinity: bool = False) -> Point:
        """Parse a 33-byte compressed SEC1 point; libsecp256k1 checks it is on the curve.

        The infinity encoding ``00`` is accepted only when ``allow_infinity`` is set.
        """
        if data == INFINITY_BYTES:
            if allow_infinity:
                return INFINITY
            raise CryptoError("bad_point", f"{what}: the point at infinity is not allowed here")
        if len(data) != 33 or data[0] not in (2, 3):
            raise CryptoError("bad_point", f"{what}: expected a 33-byte compressed point")
        try:
            return cls(PublicKey(data), bytes(data))
        except ValueError:
            raise CryptoError("bad_point", f"{what}: not a point on secp256k1") from None

    @classmethod
    def from_hex(cls, text: str, what: str = "point", allow_infinity: bool = False) -> Point:
        """Parse a lowercase-hex compressed point (see :meth:`from_bytes`)."""
        return cls.from_bytes(hex_to_bytes(text, what), what, allow_infinity)

    # -- encoding -------------------------------------------------------------
    def to_bytes(self) -> bytes:
        """33-byte compressed SEC1 encoding; ``00`` for the point at infinity."""
        if self._pk is None:
            return INFINITY_BYTES
        if self._enc is None:
            self._enc = bytes(self._pk.format(compressed=True))
        return self._enc

    def raw(self) -> PublicKey | None:
        """The libsecp256k1 key behind this point (None for infinity), for hot loops."""
        return self._pk

    def hex(self) -> str:
        """Lowercase hex of :meth:`to_bytes`."""
        return self.to_bytes().hex()

    @property
    def is_infinity(self) -> bool:
        """True for the neutral element."""
        return self._pk is None

    # -- arithmetic -----------------------------------------------------------
    def __add__(self, other: Point) -> Point:
        if self._pk is None:
            return other
        if other._pk is None:
            return self
        try:
            return Point(PublicKey.combine_keys([self._pk, other._pk]))
        except ValueError:
            # libsecp256k1 refuses a sum equal to infinity: P + (-P).
            return INFINITY

    def __neg__(self) -> Point:
        if self._pk is None:
            return self
        new = ffi.new("secp256k1_pubkey *", self._pk.public_key[0])
        lib.secp256k1_ec_pubkey_negate(self._pk.context.ctx, new)
        return Point(PublicKey(new, self._pk.context))

    def __sub__(self, other: Point) -> Point:
        return self + (-other)

    def __mul__(self, k: int) -> Point:
        k %= N
        if k == 0 or self._pk is None:
            return INFINITY
        return Point(self._pk.multiply(k.to_bytes(32, "big")))

    __rmul__ = __mul__

    def mul_add(self, a: int, b: int) -> Point:
        """a·self + b·G for any scalars, secret ones too.

        a·self is libsecp256k1's constant-time multiplication (the nonce of an
        encryption or a proof goes through here); verifiers use :meth:`mul_add_public`.
        """
        a %= N
        b %= N
        if a == 0 or self._pk is None:
            return base_mul(b)
        return _mul_then_add(self._pk, a, b)

    def mul_add_public(self, a: int, b: int) -> Point:
        """a·self + b·G for public scalars (proof checks): one variable-time call.

        The call is libsecp256k1's ECDSA public-key recovery: for this point R, with
        x-coordinate r below N and y of parity v, recover((r, s), v, e) =
        r⁻¹·(s·R − e·G); with s = a·r and e = −b·r it is a·R + b·G (one Strauss
        multi-multiplication, G from libsecp256k1's tables) instead of a
        multiplication and an addition. Where it cannot answer (r ≥ N, a result at
        infinity) :meth:`mul_add`'s path does: the same point either way
        (tests/test_group_recover.py). Never with a secret: its time depends on a, b.
        """
        a %= N
        b %= N
        if a == 0 or self._pk is None:
            return base_mul(b)
        enc = self.to_bytes()
        r = int.from_bytes(enc[1:], "big")
        if r < N:  # and r ≠ 0: x = 0 is on no point of secp256k1 (7 is not a square)
            pk = _recover(enc[1:] + (a * r % N).to_bytes(32, "big"), enc[0] & 1, b * r)
            if pk is not None:
                return Point(pk)
        return _mul_then_add(self._pk, a, b)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Point):
            return NotImplemented
        return self.to_bytes() == other.to_bytes()

    def __hash__(self) -> int:
        return hash(self.to_bytes())

    def __repr__(self) -> str:
        return "Point(infinity)" if self._pk is None else f"Point({self.hex()})"


INFINITY: Final = Point(None)


def _recover(rs: bytes, parity: int, br: int) -> PublicKey | None:
    """libsecp256k1's ECDSA recovery of signature ``rs`` (r ‖ s), id ``parity``, for
    the message scalar −br mod N; None where it refuses (the result at infinity)."""
    ctx = GLOBAL_CONTEXT.ctx
    sig = ffi.new("secp256k1_ecdsa_recoverable_signature *")
    if not lib.secp256k1_ecdsa_recoverable_signature_parse_compact(ctx, sig, rs, parity):
        return None
    out = ffi.new("secp256k1_pubkey *")
    if not lib.secp256k1_ecdsa_recover(ctx, out, sig, (-br % N).to_bytes(32, "big")):
        return None
    return PublicKey(out, GLOBAL_CONTEXT)


def _mul_then_add(pk: PublicKey, a: int, b: int) -> Point:
    """a·P + b·G as a multiplication then a tweak addition (a, b reduced, a ≠ 0)."""
    q = pk.multiply(a.to_bytes(32, "big"))
    if b == 0:
        return Point(q)
    try:
        return Point(q.add(b.to_bytes(32, "big")))
    except ValueError:
        return INFINITY


def base_mul(k: int) -> Point:
    """k·G (fixed-base multiplication by libsecp256k1's precomputed tables)."""
    k %= N
    if k == 0:
        return INFINITY
    return Point(PublicKey.from_valid_secret(k.to_bytes(32, "big")))


def point_sum(points: list[Point]) -> Point:
    """The sum of many points in one libsecp256k1 call (used by aggregation)."""
    pks = [p._pk for p in points if p._pk is not None]
    if not pks:
        return INFINITY
    if len(pks) == 1:
        return Point(pks[0])
    try:
        return Point(PublicKey.combine_keys(pks))
    except ValueError:
        # Exact cancellation to infinity; fall back to pairwise sums to be certain.
        total = INFINITY
        for p in points:
            total = total + p
        return total


#: The standard generator G of secp256k1.
G: Final = base_mul(1)


def hex_to_bytes(text: object, what: str) -> bytes:
    """Decode lowercase hex from untrusted input with a precise error."""
    if not isinstance(text, str):
        raise CryptoError("bad_encoding", f"{what}: expected a hex string")
    if len(text) % 2 or not _HEX.fullmatch(text):
        raise CryptoError("bad_encoding", f"{what}: not lowercase hexadecimal")
    return bytes.fromhex(text)


def scalar_from_hex(text: object, what: str = "scalar") -> int:
    """Decode a 64-character lowercase-hex scalar below N."""
    data = hex_to_bytes(text, what)
    return scalar_from_bytes(data, what)
