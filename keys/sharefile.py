"""Trustee share files: one trustee's secret share, encrypted under their passphrase.

scrypt derives a 256-bit key from the passphrase and a random salt; AES-256-GCM
encrypts the 32-byte share. The associated data is the canonical JSON of the whole
header (vote, trustee, public keys, KDF parameters), so changing any field makes the
file fail to open. The file is JSON; nothing in it is secret without the passphrase.
"""

from __future__ import annotations

import json
import secrets
import unicodedata
from dataclasses import dataclass
from typing import Any, Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from keys.errors import CryptoError
from keys.group import Point, base_mul, hex_to_bytes, scalar_from_bytes
from keys.hashing import TAG_SHARE_AAD, canonical_json, digest
from keys.shamir import ElectionKey

FORMAT: Final = "phieu-share/2"
#: scrypt cost: 2^17 × 8 × 128 B = 128 MiB of memory, about half a second here.
DEFAULT_SCRYPT_N: Final = 1 << 17
MIN_SCRYPT_N: Final = 1 << 14
#: 2^18 × 8 × 128 B = 256 MiB: a hostile file cannot make us spend more.
MAX_SCRYPT_N: Final = 1 << 18
MIN_PASSPHRASE: Final = 12
MAX_FILE_BYTES: Final = 64 * 1024
_DIGITS = "1234567890" * 3
#: A passphrase that is a piece of one of these (or its reverse) is a sequence.
SEQUENCES: Final = (
    "0123456789",
    "9876543210",
    "abcdefghijklmnopqrstuvwxyz",
    "zyxwvutsrqponmlkjihgfedcba",
    "qwertyuiopasdfghjklzxcvbnm",
    "mnbvcxzlkjhgfdsapoiuytrewq",
    _DIGITS,
    _DIGITS[::-1],
)


@dataclass(frozen=True)
class OpenedShare:
    """A share file opened with the right passphrase (the share lives in memory only)."""

    election_id: str
    round: int
    public_key: Point
    verification_keys: tuple[Point, ...]
    transcript: bytes
    trustee: int
    name: str
    verification_key: Point
    secret_share: int

    def check_key(self, key: ElectionKey) -> None:
        """This share belongs to ``key`` (the vote's election key): the same public key
        Y (else share_other_election), trustee within it and its verification key X_j
        the key's own (else share_mismatch)."""
        if self.public_key != key.public_key:
            raise CryptoError("share_other_election", "the election key differs")
        if not 1 <= self.trustee <= key.trustees:
            raise CryptoError("share_mismatch", f"trustee {self.trustee} is not in this vote")
        if key.verification_keys[self.trustee - 1] != self.verification_key:
            raise CryptoError("share_mismatch", f"trustee {self.trustee}")


def file_name(election_id: str, trustee: int) -> str:
    """The one name of trustee ``trustee``'s share file, wherever it is made (the trustee
    page's download, ``python -m keys trustee finish``): ``{vote id}-trustee-{j}.share.json``
    (twin: ``shareFileName`` in phieu-trustee.js)."""
    return f"{election_id}-trustee-{trustee}.share.json"


#: Removed before the rules after ``too_short``: space, tab, LF, CR, FF, VT, NBSP.
_BLANKS = dict.fromkeys(map(ord, " \t\n\r\x0c\x0b\xa0"))


def _squash(text: str) -> str:
    """NFC, lowercased (str.lower, as JavaScript's toLowerCase), blanks removed."""
    return unicodedata.normalize("NFC", text).lower().translate(_BLANKS)


def passphrase_weakness(passphrase: str, name: str = "") -> str | None:
    """The reason code of the first weakness rule ``passphrase`` breaks, or None
    (docs/crypto.md §7; the browser twin applies the same rules in the same order)."""
    p = unicodedata.normalize("NFC", passphrase)
    if len(p) < MIN_PASSPHRASE:
        return "too_short"
    s = _squash(p)
    if len(set(s)) <= 1:
        return "one_character"
    if any(s in seq for seq in SEQUENCES):
        return "sequence"
    for size in range(1, 5):
        if len(s) >= 2 * size and len(s) % size == 0 and s == s[:size] * (len(s) // size):
            return "repeated"
    t = _squash(name)
    if len(t) >= 3 and t in s:
        return "name"
    return None


def check_passphrase(passphrase: str, name: str = "") -> None:
    """Refuse a weak passphrase: CryptoError("weak_passphrase", reason code)."""
    if not isinstance(passphrase, str):
        raise CryptoError("weak_passphrase", "too_short")
    reason = passphrase_weakness(passphrase, name)
    if reason is not None:
        raise CryptoError("weak_passphrase", reason)


def kdf_input(passphrase: str) -> bytes:
    """utf8(NFC(passphrase)): NFD and NFC typings of the same text open the same file."""
    try:
        return unicodedata.normalize("NFC", passphrase).encode()
    except UnicodeEncodeError:
        raise CryptoError("wrong_passphrase") from None


def _kdf(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(kdf_input(passphrase))


def seal(
    election_id: str,
    round: int,
    key: ElectionKey,
    transcript: bytes,
    trustee: int,
    name: str,
    secret_share: int,
    passphrase: str,
    scrypt_n: int = DEFAULT_SCRYPT_N,
) -> bytes:
    """Encrypt trustee ``trustee``'s share x_j into the bytes of a phieu-share/2 file.

    The header records what the ceremony produced (round, Y, every X, transcript) so
    that the trustee's device can later check the manifest it is asked to confirm.
    """
    check_passphrase(passphrase, name)
    if not MIN_SCRYPT_N <= scrypt_n <= MAX_SCRYPT_N or scrypt_n & (scrypt_n - 1):
        raise CryptoError("bad_parameters", "scrypt N must be a power of two in 2^14..2^18")
    if not 1 <= trustee <= key.trustees or len(transcript) != 32:
        raise CryptoError("bad_parameters", f"trustee {trustee} outside 1..{key.trustees}")
    vk = base_mul(secret_share)
    if vk != key.verification_keys[trustee - 1]:
        raise CryptoError("share_mismatch", f"trustee {trustee}")
    header: dict[str, Any] = {
        "format": FORMAT,
        "election": {
            "id": election_id,
            "ceremony": round,
            "public_key": key.public_key.hex(),
            "verification_keys": [x.hex() for x in key.verification_keys],
            "transcript": transcript.hex(),
        },
        "trustee": {"index": trustee, "name": name, "verification_key": vk.hex()},
        "kdf": {"name": "scrypt", "n": scrypt_n, "r": 8, "p": 1, "salt": secrets.token_hex(16)},
    }
    aes = _kdf(passphrase, bytes.fromhex(header["kdf"]["salt"]), scrypt_n, 8, 1)
    nonce = secrets.token_bytes(12)
    aad = digest(TAG_SHARE_AAD, canonical_json(header))
    sealed = AESGCM(aes).encrypt(nonce, secret_share.to_bytes(32, "big"), aad)
    body = header | {"cipher": {"name": "AES-256-GCM", "nonce": nonce.hex(), "data": sealed.hex()}}
    return json.dumps(body, ensure_ascii=False, indent=2).encode() + b"\n"


def _field(obj: Any, *path: str) -> Any:
    for name in path:
        if not isinstance(obj, dict) or name not in obj:
            raise CryptoError("bad_share", "missing field " + ".".join(path))
        obj = obj[name]
    return obj


def read_header(data: bytes) -> dict[str, Any]:
    """Parse a share file without opening it (no passphrase needed)."""
    if len(data) > MAX_FILE_BYTES:
        raise CryptoError("bad_share", "file too large")
    try:
        body = json.loads(data.decode("utf-8"))
    except (ValueError, RecursionError):  # bad UTF-8 or JSON, huge integers, deep nesting
        raise CryptoError("bad_share", "not a share file (not JSON)") from None
    if not isinstance(body, dict) or body.get("format") != FORMAT:
        raise CryptoError("bad_share", f"not a share file (format is not {FORMAT})")
    return body


def describe(data: bytes, election_id: str | None = None) -> OpenedShare:
    """What a share file records, checked but not decrypted (``secret_share`` is 0)."""
    return _parse(data, None, election_id)


def open_share(data: bytes, passphrase: str, election_id: str | None = None) -> OpenedShare:
    """Decrypt a share file; check the vote (if given) and that the share matches its key."""
    return _parse(data, passphrase, election_id)


def _parse(data: bytes, passphrase: str | None, election_id: str | None) -> OpenedShare:
    body = read_header(data)
    header = {k: v for k, v in body.items() if k != "cipher"}
    if election_id is not None and _field(body, "election", "id") != election_id:
        raise CryptoError("share_other_election", f"file is for vote {body['election']['id']!r}")
    kdf = _field(body, "kdf")
    n, r, p = _field(kdf, "n"), _field(kdf, "r"), _field(kdf, "p")
    ints = all(isinstance(v, int) and not isinstance(v, bool) for v in (n, r, p))
    if not ints or not (
        MIN_SCRYPT_N <= n <= MAX_SCRYPT_N and n & (n - 1) == 0 and r == 8 and p == 1
    ):
        raise CryptoError("bad_share", "unsupported scrypt parameters")
    salt = hex_to_bytes(_field(kdf, "salt"), "salt")
    nonce = hex_to_bytes(_field(body, "cipher", "nonce"), "nonce")
    sealed = hex_to_bytes(_field(body, "cipher", "data"), "ciphertext")
    if len(nonce) != 12 or len(sealed) != 48:
        raise CryptoError("bad_share", "ciphertext has the wrong size")
    trustee = _field(body, "trustee", "index")
    if not isinstance(trustee, int) or isinstance(trustee, bool) or trustee < 1:
        raise CryptoError("bad_share", "bad trustee index")
    vk = Point.from_hex(_field(body, "trustee", "verification_key"), "verification key")
    public_key = Point.from_hex(_field(body, "election", "public_key"), "public key")
    vks_raw = _field(body, "election", "verification_keys")
    if not isinstance(vks_raw, list) or not 2 <= len(vks_raw) <= 64 or trustee > len(vks_raw):
        raise CryptoError("bad_share", "bad verification keys")
    vks = tuple(Point.from_hex(x, f"verification key {m}") for m, x in enumerate(vks_raw, 1))
    round_ = _field(body, "election", "ceremony")
    if not isinstance(round_, int) or isinstance(round_, bool) or not 1 <= round_ < 2**32:
        raise CryptoError("bad_share", "bad ceremony round")
    transcript = hex_to_bytes(_field(body, "election", "transcript"), "transcript")
    if len(transcript) != 32:
        raise CryptoError("bad_share", "bad transcript digest")
    name = _field(body, "trustee", "name")
    if not isinstance(name, str) or not isinstance(_field(body, "election", "id"), str):
        raise CryptoError("bad_share", "bad trustee name or vote identifier")
    try:
        canonical = canonical_json(header)
    except CryptoError:
        raise CryptoError("bad_share", "header is not canonical JSON") from None
    aad = digest(TAG_SHARE_AAD, canonical)
    if passphrase is None:
        if vks[trustee - 1] != vk:
            raise CryptoError("share_mismatch", f"trustee {trustee}")
        election = body["election"]["id"]
        return OpenedShare(election, round_, public_key, vks, transcript, trustee, name, vk, 0)
    try:
        plain = AESGCM(_kdf(passphrase, salt, n, r, p)).decrypt(nonce, sealed, aad)
    except InvalidTag:
        raise CryptoError("wrong_passphrase") from None
    share = scalar_from_bytes(plain, "share")
    if share == 0 or base_mul(share) != vk or vks[trustee - 1] != vk:
        raise CryptoError("share_mismatch", f"trustee {trustee}")
    return OpenedShare(
        body["election"]["id"], round_, public_key, vks, transcript, trustee, name, vk, share
    )
