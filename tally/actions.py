"""Action logs: the installation's (stored by ballot/actionlog.py) and each vote's own.

Installation log entry n: ``hash = digest(TAG_ACTION_LOG, prev_hash,
canonical_json({"id", "at", "actor", "action", "details"}))``, ``prev_hash`` of entry 1
is 32 zero bytes. It holds accounts, logins and every vote; it never goes into a record.

A vote's own chain (the record's actions.json) is its entries (``details.poll`` = the
vote id) renumbered from 1: ``hash_n = digest(TAG_VOTE_ACTION, hash_{n-1},
canonical_json({"seq", "at", "actor", "action", "details"}))`` with ``hash_0 =
digest(TAG_VOTE_LOG, vote id)``. Its head (count, hash) at the close is inside the
server's signed close, so it cannot be rewritten afterwards.

Every checkpoint the server signs while the vote is open is also an entry of that chain
(:data:`CHECKPOINT_ACTION`, details :func:`checkpoint_details`): the close then binds the
set of checkpoints, and a record that leaves one out is INVALID (docs/record.md §3).
"""

from __future__ import annotations

from typing import Any, Final

from keys.hashing import TAG_ACTION_LOG, TAG_VOTE_ACTION, TAG_VOTE_LOG, canonical_json, digest

GENESIS: Final = bytes(32)
#: The vote-chain entry logged with each signed checkpoint.
CHECKPOINT_ACTION: Final = "poll.checkpoint"


def checkpoint_details(
    election_id: str, count: int, head: bytes, at: str, signature: bytes
) -> dict[str, Any]:
    """The details of a :data:`CHECKPOINT_ACTION` entry: the whole signed checkpoint.

    The signature itself (not its hash) is logged, so the entry alone is a checkpoint
    anyone can verify, and equal entries mean byte-equal checkpoints (records.py
    ``KEYS["actions.json poll.checkpoint details"]`` lists these keys).
    """
    return {
        "poll": election_id,
        "count": count,
        "head": head.hex(),
        "at": at,
        "signature": signature.hex(),
    }


def vote_log_seed(election_id: str) -> bytes:
    """hash_0 of a vote's own action chain: digest(TAG_VOTE_LOG, vote id UTF-8)."""
    return digest(TAG_VOTE_LOG, election_id.encode())


def vote_fields(seq: int, at: str, actor: str, action: str, details: Any) -> dict[str, Any]:
    """What a vote-chain entry's hash covers (the one place its field list is written)."""
    return {"seq": seq, "at": at, "actor": actor, "action": action, "details": details}


def log_fields(entry_id: int, at: str, actor: str, action: str, details: Any) -> dict[str, Any]:
    """What an installation-log entry's hash covers (the one place its field list is)."""
    return {"id": entry_id, "at": at, "actor": actor, "action": action, "details": details}


def vote_action_hash(prev: bytes, fields: dict[str, Any]) -> bytes:
    """The hash of a vote-chain entry with fields seq, at, actor, action, details."""
    return digest(TAG_VOTE_ACTION, prev, canonical_json(fields))


def vote_chain(
    election_id: str, entries: list[tuple[str, str, str, dict[str, Any]]]
) -> list[dict[str, Any]]:
    """The actions.json items for (at, actor, action, details) in order."""
    prev, out = vote_log_seed(election_id), []
    for seq, (at, actor, action, details) in enumerate(entries, start=1):
        fields = vote_fields(seq, at, actor, action, details)
        prev = vote_action_hash(prev, fields)
        out.append(fields | {"hash": prev.hex()})
    return out


def action_hash(prev_hash: bytes, fields: dict[str, Any]) -> bytes:
    """The chain hash of an entry whose fields are id, at, actor, action, details."""
    return digest(TAG_ACTION_LOG, prev_hash, canonical_json(fields))
