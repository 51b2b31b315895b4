"""Counting group operations, for the benchmarks' floors and the cost tests only.

The arithmetic of :mod:`keys.group` and :func:`keys.cards.verify` counts nothing, so
production pays nothing. Inside ``with counting():`` the operations of
:class:`keys.group.Point`, :func:`keys.group.base_mul`, :func:`keys.group.point_sum`
and :func:`keys.cards.verify` (also where a module of ours imported them by name) are
wrapped by versions that add to :data:`OPS` exactly what the operation does, then call
it; on leaving, the plain functions are back. A benchmark counts one call inside the
block and times the others outside it.

Kinds: ``mul`` (variable-base k·P), ``base`` (k·G), ``muladd`` (the j·G added to a
k·P, counted with its ``mul``), ``recover`` (k·P + j·G as one ECDSA key recovery,
:meth:`keys.group.Point.mul_add_public`), ``add`` (P + Q), ``sum`` (one addition
inside a many-point sum), ``parse`` (decompress and validate a point), ``serialize``
(compress a point to 33 bytes, once per point: it is kept), ``schnorr`` (a BIP340
verification). :mod:`keys.decryption`'s discrete-log loops count their own steps here
once per call (they run on libsecp256k1 directly, not through Point).
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

#: Counts of group operations by kind (see the module docstring).
OPS: Counter[str] = Counter()

#: Modules searched for names bound to a wrapped function (ours, and a script run).
_OURS = ("keys", "tally", "ballot", "bench", "tests", "__main__")


def _wrappers() -> dict[tuple[Any, str], Any]:
    """(owner, attribute) → counting replacement, for every counted operation."""
    from keys import cards, group
    from keys.group import INFINITY_BYTES, N, Point

    plain = Point.__dict__
    from_bytes = plain["from_bytes"].__func__
    to_bytes, add, mul = plain["to_bytes"], plain["__add__"], plain["__mul__"]
    base_mul, point_sum, verify = group.base_mul, group.point_sum, cards.verify
    recover, mul_then_add = group._recover, group._mul_then_add

    def c_from_bytes(
        cls: type[Point], data: bytes, what: str = "point", allow_infinity: bool = False
    ) -> Point:
        if data != INFINITY_BYTES and len(data) == 33 and data[0] in (2, 3):
            OPS["parse"] += 1
        return from_bytes(cls, data, what, allow_infinity)  # type: ignore[no-any-return]

    def c_to_bytes(self: Point) -> bytes:
        if self.raw() is not None and self._enc is None:  # once: then it is kept
            OPS["serialize"] += 1
        return to_bytes(self)  # type: ignore[no-any-return]

    def c_add(self: Point, other: Point) -> Point:
        if self.raw() is not None and other.raw() is not None:
            OPS["add"] += 1
        return add(self, other)  # type: ignore[no-any-return]

    def c_mul(self: Point, k: int) -> Point:
        if k % N and self.raw() is not None:
            OPS["mul"] += 1
        return mul(self, k)  # type: ignore[no-any-return]

    # Point.mul_add and mul_add_public end in one of these two (or in base_mul).
    def c_mul_then_add(pk: Any, a: int, b: int) -> Point:
        OPS["mul"] += 1
        if b:
            OPS["muladd"] += 1
        return mul_then_add(pk, a, b)

    def c_recover(rs: bytes, parity: int, br: int) -> Any:
        OPS["recover"] += 1
        return recover(rs, parity, br)

    def c_base_mul(k: int) -> Point:
        if k % N:
            OPS["base"] += 1
        return base_mul(k)

    def c_point_sum(points: list[Point]) -> Point:
        present = sum(1 for p in points if p.raw() is not None)
        if present > 1:  # (a cancellation falls back to Point additions, counted there)
            OPS["sum"] += present - 1
        return point_sum(points)

    def c_verify(card: bytes, message: bytes, signature: bytes) -> bool:
        if len(card) == 32 and len(signature) == 64 and len(message) == 32:
            OPS["schnorr"] += 1
        return verify(card, message, signature)

    return {
        (Point, "from_bytes"): classmethod(c_from_bytes),
        (Point, "to_bytes"): c_to_bytes,
        (Point, "__add__"): c_add,
        (Point, "__mul__"): c_mul,
        (Point, "__rmul__"): c_mul,
        (group, "_mul_then_add"): c_mul_then_add,
        (group, "_recover"): c_recover,
        (group, "base_mul"): c_base_mul,
        (group, "point_sum"): c_point_sum,
        (cards, "verify"): c_verify,
    }


def _rebind(old: Callable[..., Any], new: Callable[..., Any]) -> None:
    """Point every name of our modules bound to ``old`` at ``new``."""
    for name, module in list(sys.modules.items()):
        if module is None or not name.startswith(_OURS):
            continue
        for attr, value in list(vars(module).items()):
            if value is old:
                setattr(module, attr, new)


_active = False


@contextmanager
def counting() -> Iterator[Counter[str]]:
    """Count group operations in :data:`OPS` inside the block (see the module docstring)."""
    global _active
    if _active:  # nested: the outer block counts already
        yield OPS
        return
    done: list[tuple[Any, str, Any, Any]] = []
    try:
        for (owner, attr), wrapper in _wrappers().items():
            original = owner.__dict__[attr]
            if isinstance(owner, type):
                setattr(owner, attr, wrapper)
            else:
                _rebind(original, wrapper)
            done.append((owner, attr, original, wrapper))
        _active = True
        yield OPS
    finally:
        _active = False
        for owner, attr, original, wrapper in reversed(done):
            if isinstance(owner, type):
                setattr(owner, attr, original)
            else:  # also in modules first imported inside the block
                _rebind(wrapper, original)
