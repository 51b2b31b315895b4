"""One-time voting cards: a 128-bit secret, its manual-entry code and its signing key.

The card secret is 16 bytes from ``secrets``. The signing key is derived from it and
the vote's identifier, sk = hash_to_scalar(TAG_CARD_KEY, election_id, secret), and
signs with BIP340 Schnorr over secp256k1 (libsecp256k1). The server keeps only the
32-byte x-only public key.

The manual-entry code is the secret in the Crockford base32 alphabet (no I, L, O, U; those are
read as 1, 1, 0 on input) followed by two check characters, 28 characters in groups
of four: a mistyped character is caught on the phone before anything is sent.
"""

from __future__ import annotations

import secrets
from typing import Final

from coincurve import PrivateKey, PublicKeyXOnly

from keys.errors import CryptoError
from keys.hashing import TAG_CARD_CHECK, TAG_CARD_KEY, digest, hash_to_scalar

ALPHABET: Final = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_DECODE: Final = {ch: i for i, ch in enumerate(ALPHABET)} | {"O": 0, "I": 1, "L": 1}
SECRET_BYTES: Final = 16
CODE_LENGTH: Final = 28  # 26 characters of secret + 2 check characters


def new_secret() -> bytes:
    """A fresh 128-bit card secret."""
    return secrets.token_bytes(SECRET_BYTES)


def _check_chars(secret: bytes) -> str:
    v = int.from_bytes(digest(TAG_CARD_CHECK, secret)[:2], "big") >> 6  # 10 bits
    return ALPHABET[v >> 5] + ALPHABET[v & 31]


def encode_code(secret: bytes) -> str:
    """The printed manual-entry code: 7 groups of 4 characters separated by '-'."""
    if len(secret) != SECRET_BYTES:
        raise CryptoError("bad_parameters", "a card secret is 16 bytes")
    v = int.from_bytes(secret, "big")
    body = "".join(ALPHABET[(v >> (5 * i)) & 31] for i in reversed(range(26)))
    code = body + _check_chars(secret)
    return "-".join(code[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def decode_code(text: str) -> bytes:
    """Parse a typed or scanned code (case, spaces and dashes ignored) back to the secret."""
    cleaned = "".join(ch for ch in text.upper() if ch not in " -\t\n")
    if len(cleaned) != CODE_LENGTH:
        raise CryptoError("bad_card_code", f"expected {CODE_LENGTH} characters")
    try:
        digits = [_DECODE[ch] for ch in cleaned]
    except KeyError:
        raise CryptoError("bad_card_code", "contains a character that is not used") from None
    v = 0
    for d in digits[:26]:
        v = (v << 5) | d
    if v >> 128:
        raise CryptoError("bad_card_code", "the first character is wrong")
    secret = v.to_bytes(SECRET_BYTES, "big")
    if _check_chars(secret) != cleaned[26:].replace("O", "0").replace("I", "1").replace("L", "1"):
        raise CryptoError("bad_card_code", "check characters do not match (a typing mistake?)")
    return secret


def signing_key(election_id: str, secret: bytes) -> int:
    """The card's Schnorr secret key, bound to this vote."""
    if len(secret) != SECRET_BYTES:
        raise CryptoError("bad_parameters", "a card secret is 16 bytes")
    sk = hash_to_scalar(TAG_CARD_KEY, election_id.encode(), secret)
    if sk == 0:  # probability 2^-256; refuse rather than mishandle
        raise CryptoError("bad_parameters", "degenerate card key")
    return sk


def public_key(sk: int) -> bytes:
    """The 32-byte BIP340 x-only public key of a card key."""
    return bytes(PublicKeyXOnly.from_secret(sk.to_bytes(32, "big")).format())


def sign(sk: int, message: bytes, aux: bytes | None = None) -> bytes:
    """BIP340 Schnorr signature of a 32-byte message (fresh auxiliary randomness by default)."""
    aux_rand = secrets.token_bytes(32) if aux is None else aux
    return bytes(PrivateKey(sk.to_bytes(32, "big")).sign_schnorr(message, aux_rand))


def verify(card: bytes, message: bytes, signature: bytes) -> bool:
    """Check a BIP340 signature; False for an invalid key or signature."""
    if len(card) != 32 or len(signature) != 64 or len(message) != 32:
        return False
    try:
        return bool(PublicKeyXOnly(card).verify(signature, message))
    except (ValueError, TypeError):
        return False
