"""Shared helpers for the crypto-core tests."""

from __future__ import annotations

from functools import lru_cache

from keys import cards, shamir
from keys.ballot import ElectionContext
from keys.group import N, base_mul
from keys.hashing import digest
from keys.nonces import DeterministicNonces, Nonces


def deal(k: int, n: int, nonces: Nonces) -> tuple[shamir.ElectionKey, list[int]]:
    """A test-only Feldman dealer (the product has none: keys/dkg.py makes keys).

    Kept for fixtures whose key is not what is tested (ballots, rows, counts): one
    polynomial, drawn in the order a_0 … a_{k−1}, exactly as the former dealer did, so
    the committed row and ballot vectors stay the same.
    """
    coefficients = [nonces.scalar() for _ in range(k)]
    shares = []
    for i in range(1, n + 1):
        acc = 0
        for a in reversed(coefficients):
            acc = (acc * i + a) % N
        shares.append(acc)
    key = shamir.ElectionKey(
        k, tuple(base_mul(a) for a in coefficients), tuple(base_mul(s) for s in shares)
    )
    shamir.check_key(key)
    return key, shares


@lru_cache(maxsize=8)
def election(
    k: int = 2, n: int = 3, seed: bytes = b"t"
) -> tuple[shamir.ElectionKey, tuple[int, ...]]:
    """A deterministic election key and its shares (cached: dealing is not what we test)."""
    key, shares = deal(k, n, DeterministicNonces(seed))
    return key, tuple(shares)


def context(
    kind: str = "rating", rows: int = 4, base: int = 11, seed: bytes = b"t"
) -> ElectionContext:
    """An ElectionContext over :func:`election`."""
    key, _ = election(seed=seed)
    return ElectionContext(digest(b"test-manifest", seed), key.public_key, kind, rows, base)


def card_key(i: int = 0, election_id: str = "test") -> int:
    """A deterministic card signing key."""
    return cards.signing_key(election_id, digest(b"test-card", bytes([i]))[:16])
