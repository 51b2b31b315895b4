"""Sources of secret random scalars.

Production code uses :class:`SystemNonces` (the OS CSPRNG). Test vectors use
:class:`DeterministicNonces` so that the Python and JavaScript twins can be checked
byte for byte; :class:`ListNonces` replays a recorded list. The order in which a
prover draws its nonces is part of the specification (docs/crypto.md).
"""

from __future__ import annotations

from typing import Protocol

from keys.group import random_scalar
from keys.hashing import TAG_TEST_NONCES, hash_to_scalar, u32


class Nonces(Protocol):
    """Anything that hands out secret scalars in [1, N)."""

    def scalar(self) -> int:
        """The next secret scalar."""
        ...


class SystemNonces:
    """Fresh randomness from the operating system (``secrets``)."""

    def scalar(self) -> int:
        """A uniformly random non-zero scalar."""
        return random_scalar()


class DeterministicNonces:
    """Reproducible nonces for test vectors only: hash_to_scalar(tag, seed, counter)."""

    def __init__(self, seed: bytes) -> None:
        self.seed = seed
        self.counter = 0
        self.drawn: list[int] = []

    def scalar(self) -> int:
        """The next scalar of the deterministic stream (never zero)."""
        while True:
            k = hash_to_scalar(TAG_TEST_NONCES, self.seed, u32(self.counter))
            self.counter += 1
            if k:
                self.drawn.append(k)
                return k


class ListNonces:
    """Replays a given list of scalars (to reproduce a recorded computation)."""

    def __init__(self, values: list[int]) -> None:
        self.values = list(values)

    def scalar(self) -> int:
        """The next recorded scalar."""
        if not self.values:
            raise IndexError("no recorded nonce left")
        return self.values.pop(0)


SYSTEM = SystemNonces()
