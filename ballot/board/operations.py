"""What the public pages show: fingerprints, the chain, turnout. Never any result.

Nothing here reads a ballot's body: only trackers, counts and chain hashes.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from ballot.cards.operations import issued
from ballot.db import db
from ballot.polls.models import Poll
from ballot.states import State
from ballot.voting.models import BallotEntry, HeadKind, SignedHead
from ballot.voting.operations import signed_json, signed_record
from keys.hashing import ballot_fingerprint
from tally.records import SavedHead
from tally.rules import quorum_met, quorum_needed

TRACKER_HEX = 64
MIN_PREFIX = 8
_HEX_RE = re.compile(r"[0-9a-f]+")


def normalize_query(text: str | None) -> str | None:
    """A tracker search as lowercase hex without spaces, or None when it is not one.

    Accepts a full tracker or a prefix of at least 8 hex characters (spaces and dashes,
    as on the receipt, are ignored).
    """
    if not text:
        return None
    cleaned = re.sub(r"[\s\-]", "", text).lower()
    if len(cleaned) < MIN_PREFIX or len(cleaned) > TRACKER_HEX or not _HEX_RE.fullmatch(cleaned):
        return None
    return cleaned


def search_trackers(poll: Poll, prefix: str, limit: int = 20) -> list[tuple[int, bytes]]:
    """(seq, tracker) of the ballots whose tracker starts with the hex ``prefix``.

    A prefix is the byte range [prefix 00…, prefix ff…], which both SQLite and
    PostgreSQL compare byte by byte, so the tracker index is used.
    """
    low = bytes.fromhex(prefix.ljust(TRACKER_HEX, "0"))
    high = bytes.fromhex(prefix.ljust(TRACKER_HEX, "f"))
    rows = db.session.execute(
        select(BallotEntry.seq, BallotEntry.tracker)
        .where(
            BallotEntry.poll_id == poll.id,
            BallotEntry.tracker >= low,
            BallotEntry.tracker <= high,
        )
        .order_by(BallotEntry.seq)
        .limit(limit)
    ).all()
    return [(int(s), bytes(t)) for s, t in rows]


def close_head(poll: Poll) -> SignedHead | None:
    """The server's signed final chain head, once the vote is closed."""
    return db.session.scalar(
        select(SignedHead).where(SignedHead.poll_id == poll.id, SignedHead.kind == HeadKind.CLOSE)
    )


def fingerprints(poll: Poll) -> dict[str, Any]:
    """Manifest hash, ballot fingerprint (as on the cards), server key and final head."""
    out: dict[str, Any] = {
        "manifest_hash": poll.manifest_hash.hex() if poll.manifest_hash else None,
        "ballot_fingerprint": None,
        "server_key": None,
        "close": None,
        "checkpoint": None,
    }
    if poll.manifest:
        manifest = json.loads(poll.manifest)
        out["ballot_fingerprint"] = ballot_fingerprint(manifest).hex()
        out["server_key"] = manifest.get("server_key")
    head = close_head(poll)
    if head is not None:
        out["close"] = signed_json(head)
    checkpoint = latest_checkpoint(poll)
    if checkpoint is not None:
        out["checkpoint"] = signed_json(checkpoint)
    return out


def latest_checkpoint(poll: Poll) -> SignedHead | None:
    """The server's latest signed checkpoint (anyone can keep it: the chain must extend it)."""
    return db.session.scalar(
        select(SignedHead)
        .where(SignedHead.poll_id == poll.id, SignedHead.kind == HeadKind.CHECKPOINT)
        .order_by(SignedHead.count.desc())
        .limit(1)
    )


def saved_head(poll: Poll, kind: HeadKind) -> SavedHead | None:
    """The latest checkpoint, or the close, as an observer saves it (docs/record.md §3):
    ``tally verify --checkpoint`` later shows whether the published record contains it."""
    head = close_head(poll) if kind == HeadKind.CLOSE else latest_checkpoint(poll)
    if head is None or poll.manifest_hash is None:
        return None
    return SavedHead(bytes(poll.manifest_hash), str(kind), signed_record(head))


def covering_head(poll: Poll, seq: int) -> dict[str, Any] | None:
    """The latest signed head (the close, else the latest checkpoint) if it covers ``seq``.

    A member's receipt is then inside a head the server signed: a later board that drops
    or reorders it contradicts that signature (tally verify checks the chain extends it).
    """
    head = close_head(poll) or latest_checkpoint(poll)
    if head is None or head.count < seq:
        return None
    return {"kind": head.kind, **signed_json(head)}


def seconds_left(poll: Poll, now: datetime | None = None) -> int | None:
    """Seconds until the planned close while open (0 once passed), else None."""
    if poll.state != State.OPEN or poll.closes_at is None:
        return None
    closes = poll.closes_at if poll.closes_at.tzinfo else poll.closes_at.replace(tzinfo=UTC)
    left = (closes - (now or datetime.now(UTC))).total_seconds()
    return max(0, int(left))


def turnout(poll: Poll) -> dict[str, Any]:
    """Turnout figures for the projector: counts of people and ballots, nothing per official."""
    return {
        "cast": poll.ballot_count,
        "issued": issued(poll),
        "present": poll.present,
        "summoned": poll.summoned,
        "quorum_needed": quorum_needed(poll.summoned),
        "quorum_met": quorum_met(poll.present, poll.summoned),
        "closes_at": poll.closes_at.isoformat() if poll.closes_at else None,
        "seconds_left": seconds_left(poll),
    }
