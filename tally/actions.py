"""The secretariat's action log as published in the record (actions.json).

Entry n: ``hash = digest(TAG_ACTION_LOG, prev_hash, canonical_json(fields))`` with
``fields = {"id", "at", "actor", "action", "details"}``; ``prev_hash`` of entry 1 is 32
zero bytes. The web layer (ballot/actionlog.py) stores entries with this same hash.
"""

from __future__ import annotations

from typing import Any, Final

from keys.errors import CryptoError
from keys.hashing import canonical_json, digest

TAG_ACTION_LOG: Final = b"phieu/v1/action-log"
GENESIS: Final = bytes(32)


def action_hash(prev_hash: bytes, fields: dict[str, Any]) -> bytes:
    """The chain hash of an entry whose fields are id, at, actor, action, details."""
    return digest(TAG_ACTION_LOG, prev_hash, canonical_json(fields))


def verify_actions(entries: list[Any]) -> int:
    """Check the chain of published entries; return how many. Raises naming the entry."""
    prev = GENESIS
    for n, e in enumerate(entries, start=1):
        if not isinstance(e, dict) or e.get("id") != n:
            raise CryptoError("bad_encoding", f"action {n}: missing or out of order")
        fields = {k: e.get(k) for k in ("id", "at", "actor", "action", "details")}
        if e.get("prev_hash") != prev.hex():
            raise CryptoError("bad_encoding", f"action {n}: does not link to action {n - 1}")
        h = action_hash(prev, fields)
        if e.get("hash") != h.hex():
            raise CryptoError("bad_encoding", f"action {n}: hash does not match its content")
        prev = h
    return len(entries)
