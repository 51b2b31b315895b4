"""The CLI trustee's ceremony state between rounds, sealed under their passphrase.

``python -m keys trustee start`` draws e_i and the coefficients a_il; they must survive
until ``finish`` without ever being written in clear. The state file is JSON: a header
(format, vote, round, trustee, scrypt parameters) and the AES-256-GCM encryption of the
canonical JSON of the secrets, with digest(TAG_DKG_STATE, canonical header) as
associated data, under scrypt(utf8(NFC(passphrase))) as in share files (docs/crypto.md §7).
"""

from __future__ import annotations

import json
import secrets
from typing import Any, Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from keys.dkg import TrusteeState
from keys.errors import CryptoError
from keys.group import hex_to_bytes
from keys.hashing import TAG_DKG_STATE, canonical_json, digest
from keys.sharefile import DEFAULT_SCRYPT_N, MAX_SCRYPT_N, MIN_SCRYPT_N, _kdf, check_passphrase

FORMAT: Final = "phieu-dkg-state/1"
MAX_BYTES: Final = 256 * 1024


def seal_state(
    state: TrusteeState,
    passphrase: str,
    scrypt_n: int = DEFAULT_SCRYPT_N,
    transcript: bytes | None = None,
) -> bytes:
    """Encrypt the device state under ``passphrase`` (checked like a share passphrase).

    ``transcript``, given at ``shares``, pins the ceremony transcript compared aloud: it
    is in the header, so it is bound by the AAD and cannot be edited without the key.
    """
    check_passphrase(passphrase, state.names[state.index - 1])
    header: dict[str, Any] = {
        "format": FORMAT,
        "election_id": state.election_id,
        "ceremony": state.round,
        "trustee": state.index,
        "kdf": {"name": "scrypt", "n": scrypt_n, "r": 8, "p": 1, "salt": secrets.token_hex(16)},
    }
    if transcript is not None:
        header["transcript"] = transcript.hex()
    key = _kdf(passphrase, bytes.fromhex(header["kdf"]["salt"]), scrypt_n, 8, 1)
    nonce = secrets.token_bytes(12)
    aad = digest(TAG_DKG_STATE, canonical_json(header))
    data = AESGCM(key).encrypt(nonce, canonical_json(state.export_secrets()), aad)
    body = header | {"cipher": {"name": "AES-256-GCM", "nonce": nonce.hex(), "data": data.hex()}}
    return json.dumps(body, ensure_ascii=False, indent=2).encode() + b"\n"


def read_state_header(data: bytes) -> dict[str, Any]:
    """The public header of a state file (vote, round, trustee) without the passphrase."""
    if len(data) > MAX_BYTES:
        raise CryptoError("dkg_bad_state", "file too large")
    try:
        body = json.loads(data.decode("utf-8"))
    except (ValueError, RecursionError):
        raise CryptoError("dkg_bad_state", "not JSON") from None
    if not isinstance(body, dict) or body.get("format") != FORMAT:
        raise CryptoError("dkg_bad_state", f"format is not {FORMAT}")
    fields = {"format", "election_id", "ceremony", "trustee", "kdf", "cipher"}
    if set(body) - {"transcript"} != fields:
        raise CryptoError("dkg_bad_state", "unexpected fields")
    pinned = body.get("transcript", "0" * 64)
    if not isinstance(pinned, str) or len(pinned) != 64 or pinned.strip("0123456789abcdef"):
        raise CryptoError("dkg_bad_state", "bad transcript")
    return body


def pinned_transcript(data: bytes) -> bytes | None:
    """The transcript pinned at ``shares``, or None before it. Trust it only once
    :func:`open_state` has accepted the same bytes (the header is the AAD)."""
    pinned = read_state_header(data).get("transcript")
    return None if pinned is None else bytes.fromhex(pinned)


def open_state(data: bytes, passphrase: str) -> TrusteeState:
    """Decrypt a state file; a wrong passphrase or any edit gives ``wrong_passphrase``."""
    body = read_state_header(data)
    kdf, cipher = body["kdf"], body["cipher"]
    if not isinstance(kdf, dict) or not isinstance(cipher, dict):
        raise CryptoError("dkg_bad_state", "kdf and cipher are objects")
    n = kdf.get("n")
    if (
        not isinstance(n, int)
        or isinstance(n, bool)
        or not MIN_SCRYPT_N <= n <= MAX_SCRYPT_N
        or n & (n - 1)
        or kdf.get("r") != 8
        or kdf.get("p") != 1
    ):
        raise CryptoError("dkg_bad_state", "unsupported scrypt parameters")
    salt = hex_to_bytes(kdf.get("salt"), "salt")
    nonce = hex_to_bytes(cipher.get("nonce"), "nonce")
    sealed = hex_to_bytes(cipher.get("data"), "ciphertext")
    header = {k: v for k, v in body.items() if k != "cipher"}
    aad = digest(TAG_DKG_STATE, canonical_json(header))
    if len(nonce) != 12:
        raise CryptoError("dkg_bad_state", "bad nonce")
    try:
        plain = AESGCM(_kdf(passphrase, salt, n, 8, 1)).decrypt(nonce, sealed, aad)
    except InvalidTag:
        raise CryptoError("wrong_passphrase") from None
    state = TrusteeState.restore(json.loads(plain))
    if (state.election_id, state.round, state.index) != (
        body["election_id"],
        body["ceremony"],
        body["trustee"],
    ):
        raise CryptoError("dkg_bad_state", "header does not match the sealed state")
    return state
