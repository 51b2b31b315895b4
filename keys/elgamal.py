"""Exponential ElGamal on secp256k1.

A message m (a small integer) under the public key Y = x·G with randomness r is
(α, β) = (r·G, r·Y + m·G). Ciphertexts multiply (here: add) into an encryption of
the sum of the messages; only totals are ever decrypted.
"""

from __future__ import annotations

from dataclasses import dataclass

from keys.group import INFINITY, Point, base_mul, point_sum


@dataclass(frozen=True, slots=True)
class Ciphertext:
    """An ElGamal ciphertext (α, β)."""

    alpha: Point
    beta: Point

    def __add__(self, other: Ciphertext) -> Ciphertext:
        return Ciphertext(self.alpha + other.alpha, self.beta + other.beta)

    def to_json(self) -> dict[str, str]:
        """{"alpha": hex, "beta": hex} (infinity encoded as "00")."""
        return {"alpha": self.alpha.hex(), "beta": self.beta.hex()}

    @classmethod
    def from_json(cls, obj: object, what: str = "ciphertext") -> Ciphertext:
        """Parse and validate {"alpha", "beta"}; aggregates may be infinity."""
        from keys.errors import CryptoError

        if not isinstance(obj, dict) or set(obj) != {"alpha", "beta"}:
            raise CryptoError("bad_encoding", f"{what}: expected keys alpha, beta")
        return cls(
            Point.from_hex(obj["alpha"], f"{what}.alpha", allow_infinity=True),
            Point.from_hex(obj["beta"], f"{what}.beta", allow_infinity=True),
        )


ZERO = Ciphertext(INFINITY, INFINITY)


def encrypt(public_key: Point, m: int, r: int) -> Ciphertext:
    """Encrypt the small integer m with randomness r."""
    return Ciphertext(base_mul(r), public_key.mul_add(r, m))


def aggregate(ciphertexts: list[Ciphertext]) -> Ciphertext:
    """The homomorphic sum of many ciphertexts (one libsecp256k1 call per coordinate)."""
    return Ciphertext(
        point_sum([c.alpha for c in ciphertexts]), point_sum([c.beta for c in ciphertexts])
    )


def decrypt_to_point(secret: int, c: Ciphertext) -> Point:
    """m·G = β − x·α. Only used in tests: the full secret never exists in production."""
    return c.beta - c.alpha * secret
