"""Canonical encodings and domain-separated hashes.

Every hash input is a sequence of byte strings ("parts"), the first of which is a
domain tag. Each part is written as a 4-byte big-endian length followed by the bytes,
so no two different sequences encode alike. Two functions are built on it:

* :func:`digest` — SHA-256 of the encoding (manifest hash, ballot digest, trackers,
  chain links);
* :func:`hash_to_scalar` — SHA-512 of the encoding read as a big-endian integer and
  reduced mod N (Fiat–Shamir challenges, card keys); the 512-bit input makes the
  bias of the reduction negligible (< 2^-256).

docs/crypto.md lists every tag and the parts hashed under it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any, Final

from keys.errors import CryptoError
from keys.group import N

#: Domain-separation tags: the one registry of every tag the protocol hashes under (the
#: other modules import them from here). A tag is never reused for another purpose;
#: docs/crypto.md §2 lists each with the parts hashed after it, and
#: tests/test_record_docs.py checks both, and the JavaScript twins, against :data:`TAGS`.
TAG_MANIFEST: Final = b"phieu/v1/manifest"
TAG_ROW_PROOF: Final = b"phieu/v1/row-proof"
TAG_BALLOT: Final = b"phieu/v1/ballot"
TAG_TRACKER: Final = b"phieu/v1/tracker"
TAG_CARD_KEY: Final = b"phieu/v1/card-key"
TAG_CARD_CHECK: Final = b"phieu/v1/card-check"
TAG_DECRYPTION: Final = b"phieu/v1/decryption"
TAG_SHARE_AAD: Final = b"phieu/v1/share-file"
TAG_CHAIN: Final = b"phieu/v1/chain"
TAG_RECORD: Final = b"phieu/v1/record"
#: A checked (spoiled) ballot's commitment, shown before its nonces are revealed.
TAG_AUDIT_TRACKER: Final = b"phieu/v1/audit-tracker"
#: The committed card set, and the ballot fingerprint printed on the cards.
TAG_CARDS: Final = b"phieu/v1/cards"
TAG_BALLOT_DEFINITION: Final = b"phieu/v1/ballot-definition"
#: The server's signed heads (tally/record.py).
TAG_CHECKPOINT: Final = b"phieu/v1/checkpoint"
TAG_CLOSE: Final = b"phieu/v1/close"
TAG_RECEIPT: Final = b"phieu/v1/receipt"
#: The action logs: the installation's, and each vote's own chain (tally/actions.py).
TAG_ACTION_LOG: Final = b"phieu/v1/action-log"
TAG_VOTE_LOG: Final = b"phieu/v1/vote-log"
TAG_VOTE_ACTION: Final = b"phieu/v1/vote-action"
#: The dealer-free key ceremony (docs/crypto.md §3).
TAG_DKG_CONTEXT: Final = b"phieu/v1/dkg-context"
TAG_DKG_CEREMONY_KEY: Final = b"phieu/v1/dkg-ceremony-key"
TAG_DKG_COEFFICIENT: Final = b"phieu/v1/dkg-coefficient"
TAG_DKG_SHARE_AAD: Final = b"phieu/v1/dkg-share"
#: HKDF info of a sub-share key (raw prefix of ``info``, not a hash part).
TAG_DKG_SHARE_KEY: Final = b"phieu/v1/dkg-share-key"
TAG_DKG_TRANSCRIPT: Final = b"phieu/v1/dkg-transcript"
TAG_DKG_CONFIRM: Final = b"phieu/v1/dkg-confirm"
TAG_DKG_DONE: Final = b"phieu/v1/dkg-done"
#: The CLI's sealed ceremony state (e_i and the coefficients between rounds).
TAG_DKG_STATE: Final = b"phieu/v1/dkg-state"
#: Reproducible nonces, for test vectors only (keys.nonces.DeterministicNonces).
TAG_TEST_NONCES: Final = b"phieu/test-nonces"

#: Every tag by name without its ``TAG_`` prefix (the keys of phieu-crypto.js ``TAGS``).
TAGS: Final[dict[str, bytes]] = {
    name.removeprefix("TAG_"): value
    for name, value in dict(globals()).items()
    if name.startswith("TAG_") and isinstance(value, bytes)
}


def u32(n: int) -> bytes:
    """4-byte big-endian unsigned integer."""
    if not 0 <= n < 2**32:
        raise CryptoError("bad_encoding", f"integer {n} does not fit in 32 bits")
    return n.to_bytes(4, "big")


def encode_parts(parts: Iterable[bytes]) -> bytes:
    """Length-prefixed concatenation: for each part, u32(len) || part."""
    out = bytearray()
    for part in parts:
        out += len(part).to_bytes(4, "big")
        out += part
    return bytes(out)


def digest(tag: bytes, *parts: bytes) -> bytes:
    """SHA-256 over the canonical encoding of (tag, *parts)."""
    return hashlib.sha256(encode_parts((tag, *parts))).digest()


def hash_to_scalar(tag: bytes, *parts: bytes) -> int:
    """SHA-512 over the canonical encoding of (tag, *parts), reduced mod N."""
    return int.from_bytes(hashlib.sha512(encode_parts((tag, *parts))).digest(), "big") % N


def _reject_floats(obj: Any, path: str = "$") -> None:
    if isinstance(obj, float):
        raise CryptoError("bad_encoding", f"{path}: floats are not allowed in canonical JSON")
    if isinstance(obj, dict):
        for key, value in obj.items():
            if not isinstance(key, str):
                raise CryptoError("bad_encoding", f"{path}: object keys must be strings")
            _reject_floats(value, f"{path}.{key}")
    elif isinstance(obj, list | tuple):
        for i, value in enumerate(obj):
            _reject_floats(value, f"{path}[{i}]")


def canonical_json(obj: Any) -> bytes:
    """Canonical JSON: sorted keys, no spaces, UTF-8, no floats (integers and strings only)."""
    try:
        _reject_floats(obj)
        text = json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return text.encode()
    except UnicodeEncodeError:  # a lone surrogate such as "\ud800"
        raise CryptoError("bad_encoding", "text is not valid Unicode") from None
    except RecursionError:
        raise CryptoError("bad_encoding", "nested too deeply") from None


def manifest_hash(manifest: Any) -> bytes:
    """The manifest's fingerprint: digest(TAG_MANIFEST, canonical_json(manifest))."""
    return digest(TAG_MANIFEST, canonical_json(manifest))


def ballot_definition(manifest: dict[str, Any]) -> dict[str, Any]:
    """The manifest without its card section and the base derived from it: what the
    phone encrypts under, known before any card exists."""
    return {k: v for k, v in manifest.items() if k not in ("cards", "base")}


def ballot_fingerprint(manifest: dict[str, Any]) -> bytes:
    """The ballot fingerprint printed on the cards (docs/crypto.md §2a):
    digest(TAG_BALLOT_DEFINITION, canonical_json(ballot_definition(manifest))).

    Cards are printed before the freeze, so they cannot carry the manifest hash (the
    manifest commits to the cards); the phone recomputes this from the manifest it
    downloads and stops if it differs. A definition gives the same value as its manifest.
    """
    return digest(TAG_BALLOT_DEFINITION, canonical_json(ballot_definition(manifest)))
