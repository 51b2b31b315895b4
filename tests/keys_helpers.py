"""Shared helpers for the crypto-core tests."""

from __future__ import annotations

from functools import lru_cache

from keys import cards, shamir
from keys.ballot import ElectionContext
from keys.hashing import digest
from keys.nonces import DeterministicNonces


@lru_cache(maxsize=8)
def election(
    k: int = 2, n: int = 3, seed: bytes = b"t"
) -> tuple[shamir.ElectionKey, tuple[int, ...]]:
    """A deterministic election key and its shares (cached: dealing is not what we test)."""
    key, shares = shamir.deal(k, n, DeterministicNonces(seed))
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
