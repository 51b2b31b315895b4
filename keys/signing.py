"""Ed25519 keys of the server, which signs checkpoints and the final chain head."""

from __future__ import annotations

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from keys.errors import CryptoError


def generate() -> Ed25519PrivateKey:
    """A fresh server signing key."""
    return Ed25519PrivateKey.generate()


def private_to_pem(key: Ed25519PrivateKey, passphrase: bytes | None = None) -> bytes:
    """PKCS#8 PEM, encrypted when a passphrase is given."""
    enc: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(passphrase)
        if passphrase
        else serialization.NoEncryption()
    )
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, enc)


def private_from_pem(data: bytes, passphrase: bytes | None = None) -> Ed25519PrivateKey:
    """Load a PEM private key; it must be Ed25519."""
    try:
        key = serialization.load_pem_private_key(data, password=passphrase)
    except (ValueError, TypeError):
        raise CryptoError("bad_parameters", "cannot read the signing key") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise CryptoError("bad_parameters", "the signing key is not Ed25519")
    return key


def public_bytes(key: Ed25519PrivateKey | Ed25519PublicKey) -> bytes:
    """The raw 32-byte public key (what the record publishes)."""
    pub = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return pub.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def sign(key: Ed25519PrivateKey, message: bytes) -> bytes:
    """A 64-byte Ed25519 signature."""
    return key.sign(message)


def verify(public: bytes, message: bytes, signature: bytes, what: str = "signature") -> None:
    """Raise CryptoError("bad_signature") unless the signature is valid."""
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(signature, message)
    except (InvalidSignature, ValueError):
        raise CryptoError("bad_signature", what) from None
