"""Append-only, hash-chained action log: who did what, when (docs/architecture.md).

Entry ``n`` stores ``prev_hash`` (the hash of entry ``n-1``, or 32 zero bytes for the
first) and ``hash = digest(TAG_ACTION_LOG, prev_hash, canonical_json(fields))`` where
``fields = {"id", "at", "actor", "action", "details"}`` and ``at`` is the UTC time as
``YYYY-MM-DDTHH:MM:SS.ffffffZ``. ``digest`` length-prefixes every part (keys.hashing).
Deleting, altering, reordering or inserting an entry breaks the chain, which
:func:`verify_log` reports. Database triggers refuse UPDATE and DELETE on the table.

:func:`log_action` adds the entry to the current session and does not commit: the
caller's single commit stores the change and its log entry together. Details must be
JSON made of strings, integers, booleans, null, lists and objects (no floats).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import DDL, JSON, DateTime, LargeBinary, String, event, select, text
from sqlalchemy.orm import Mapped, mapped_column

from ballot.db import db
from keys.hashing import TAG_ACTION_LOG, canonical_json
from tally.actions import GENESIS, action_hash, log_fields, vote_chain
from tally.records import record_time

__all__ = ["GENESIS", "TAG_ACTION_LOG", "ActionLogEntry", "entry_hash", "log_action", "verify_log"]

#: Key of the PostgreSQL advisory lock that serializes appends.
_PG_LOCK_KEY: Final = 0x70686965  # "phie"


class ActionLogEntry(db.Model):  # type: ignore[name-defined]
    """One recorded action; rows are only ever inserted."""

    __tablename__ = "action_log"

    #: Position in the chain: 1, 2, 3 … (assigned here, not by the database).
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    #: When the action happened (UTC).
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    #: Username of who acted ("cli", "system" for commands and automatic steps).
    actor: Mapped[str] = mapped_column(String(64))
    #: What happened, dotted: "account.create", "poll.open" …
    action: Mapped[str] = mapped_column(String(64), index=True)
    #: The action's parameters (canonical JSON, no floats).
    details: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: Hash of the previous entry (32 zero bytes for the first); unique, so no fork.
    prev_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    #: SHA-256 chain hash of this entry.
    hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)


#: Append-only guards, created with the table (metadata) and by the migration.
APPEND_ONLY_DDL: Final = {
    "sqlite": [
        "CREATE TRIGGER action_log_no_update BEFORE UPDATE ON action_log "
        "BEGIN SELECT RAISE(ABORT, 'action_log is append-only'); END",
        "CREATE TRIGGER action_log_no_delete BEFORE DELETE ON action_log "
        "BEGIN SELECT RAISE(ABORT, 'action_log is append-only'); END",
    ],
    "postgresql": [
        "CREATE OR REPLACE FUNCTION action_log_append_only() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN "
        "RAISE EXCEPTION 'action_log is append-only'; END $$",
        "CREATE TRIGGER action_log_no_change BEFORE UPDATE OR DELETE ON action_log "
        "FOR EACH ROW EXECUTE FUNCTION action_log_append_only()",
    ],
}
for _dialect, _statements in APPEND_ONLY_DDL.items():
    for _statement in _statements:
        event.listen(
            ActionLogEntry.__table__,
            "after_create",
            DDL(_statement).execute_if(dialect=_dialect),  # type: ignore[no-untyped-call]
        )


def canonical_time(at: datetime) -> str:
    """UTC ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` (naive values are taken as UTC)."""
    if at.tzinfo is not None:
        at = at.astimezone(UTC).replace(tzinfo=None)
    return at.isoformat(timespec="microseconds") + "Z"


def entry_hash(
    prev_hash: bytes, entry_id: int, at: datetime, actor: str, action: str, details: Any
) -> bytes:
    """The chain hash of one entry given the previous entry's hash."""
    return action_hash(prev_hash, log_fields(entry_id, canonical_time(at), actor, action, details))


def _lock_chain() -> None:
    """Serialize appenders on PostgreSQL (released at commit or rollback)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})


def log_action(actor: str, action: str, details: dict[str, Any] | None = None) -> ActionLogEntry:
    """Append an entry to the chain in the current transaction (the caller commits).

    On SQLite, start write transactions with :func:`ballot.db.begin_write` when
    concurrent writers are expected; the unique ``prev_hash`` refuses a fork anyway.
    """
    details = dict(details or {})
    canonical_json(details)  # refuse floats and odd keys before touching the chain
    _lock_chain()
    head = db.session.scalars(
        select(ActionLogEntry).order_by(ActionLogEntry.id.desc()).limit(1)
    ).one_or_none()
    prev_hash = head.hash if head is not None else GENESIS
    entry_id = head.id + 1 if head is not None else 1
    at = datetime.now(UTC)
    entry = ActionLogEntry(
        id=entry_id,
        at=at,
        actor=actor,
        action=action,
        details=details,
        prev_hash=prev_hash,
        hash=entry_hash(prev_hash, entry_id, at, actor, action, details),
    )
    db.session.add(entry)
    db.session.flush()
    return entry


@dataclass(frozen=True)
class LogCheck:
    """Result of :func:`verify_log`: ``ok``, entries checked, head hash, first problem."""

    ok: bool
    count: int
    head: bytes
    problem: str | None = None
    bad_id: int | None = None


def verify_log() -> LogCheck:
    """Recompute the whole chain from the database and report the first break."""
    rows = db.session.scalars(
        select(ActionLogEntry).order_by(ActionLogEntry.id).execution_options(yield_per=500)
    )
    try:
        return _verify_entries(rows)
    finally:
        rows.close()  # a server-side cursor on PostgreSQL


def _verify_entries(rows: Iterable[ActionLogEntry]) -> LogCheck:
    prev_hash = GENESIS
    count = 0
    for entry in rows:
        expected_id = count + 1
        if entry.id != expected_id:
            return LogCheck(False, count, prev_hash, f"entry {expected_id} is missing", expected_id)
        if entry.prev_hash != prev_hash:
            return LogCheck(
                False,
                count,
                prev_hash,
                f"entry {entry.id} does not follow the previous one",
                entry.id,
            )
        recomputed = entry_hash(
            prev_hash, entry.id, entry.at, entry.actor, entry.action, entry.details
        )
        if recomputed != entry.hash:
            return LogCheck(False, count, prev_hash, f"entry {entry.id} was altered", entry.id)
        prev_hash = entry.hash
        count += 1
    return LogCheck(True, count, prev_hash)


def recent_actions(limit: int = 50) -> list[ActionLogEntry]:
    """The latest entries, newest first (for the secretariat's and auditors' pages)."""
    return list(
        db.session.scalars(select(ActionLogEntry).order_by(ActionLogEntry.id.desc()).limit(limit))
    )


def vote_log(public_id: str, upto: int | None = None) -> list[dict[str, Any]]:
    """This vote's own action chain (the record's actions.json), entries up to ``upto``.

    The entries are the installation log's rows whose ``details.poll`` is this vote,
    renumbered from 1 and re-chained from the vote's seed (tally/actions.py); rows are
    append-only, so the chain of a past moment never changes. Nothing else of the
    installation (accounts, logins, other votes) is in it.
    """
    stmt = select(ActionLogEntry).order_by(ActionLogEntry.id).execution_options(yield_per=500)
    if upto is not None:
        stmt = stmt.where(ActionLogEntry.id <= upto)
    rows = db.session.scalars(stmt)
    try:
        mine = [
            (record_time(e.at), e.actor, e.action, e.details)
            for e in rows
            if isinstance(e.details, dict) and e.details.get("poll") == public_id
        ]
    finally:
        rows.close()
    return vote_chain(public_id, mine)
