"""The append-only, hash-chained action log."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError, IntegrityError

from ballot.actionlog import (
    APPEND_ONLY_DDL,
    GENESIS,
    TAG_ACTION_LOG,
    ActionLogEntry,
    canonical_time,
    entry_hash,
    log_action,
    recent_actions,
    verify_log,
)
from ballot.db import db
from keys.errors import CryptoError
from keys.hashing import canonical_json, digest


def _fill(app, n: int = 4) -> None:
    with app.app_context():
        for i in range(n):
            log_action("thuky", "poll.test", {"step": i, "ghi chú": "Hội đồng nhân dân"})
        db.session.commit()


@pytest.fixture
def unguarded(app):
    """Drop the append-only triggers, as someone with database access could; restore after."""

    def drop() -> None:
        if db.engine.dialect.name == "sqlite":
            db.session.execute(sa.text("DROP TRIGGER action_log_no_update"))
            db.session.execute(sa.text("DROP TRIGGER action_log_no_delete"))
        else:
            db.session.execute(sa.text("DROP TRIGGER action_log_no_change ON action_log"))

    yield drop
    with app.app_context():
        dialect = db.engine.dialect.name
        with db.engine.begin() as conn:
            for statement in APPEND_ONLY_DDL[dialect]:
                if dialect == "sqlite":
                    statement = statement.replace("CREATE TRIGGER", "CREATE TRIGGER IF NOT EXISTS")
                else:
                    conn.exec_driver_sql(
                        "DROP TRIGGER IF EXISTS action_log_no_change ON action_log"
                    )
                conn.exec_driver_sql(statement)


def test_empty_log_verifies(app) -> None:
    with app.app_context():
        check = verify_log()
        assert check.ok and check.count == 0 and check.head == GENESIS


def test_chain_verifies(app) -> None:
    _fill(app, 5)
    with app.app_context():
        check = verify_log()
        assert check.ok, check.problem
        assert check.count == 5
        entries = list(reversed(recent_actions()))
        assert [e.id for e in entries] == [1, 2, 3, 4, 5]
        assert entries[0].prev_hash == GENESIS
        for before, after in zip(entries, entries[1:], strict=False):
            assert after.prev_hash == before.hash
        assert check.head == entries[-1].hash


def test_hash_definition(app) -> None:
    _fill(app, 1)
    with app.app_context():
        entry = db.session.get(ActionLogEntry, 1)
        fields = {
            "id": 1,
            "at": canonical_time(entry.at),
            "actor": "thuky",
            "action": "poll.test",
            "details": {"step": 0, "ghi chú": "Hội đồng nhân dân"},
        }
        assert entry.hash == digest(TAG_ACTION_LOG, GENESIS, canonical_json(fields))
        assert canonical_time(entry.at).endswith("Z")
        assert TAG_ACTION_LOG == b"phieu/v1/action-log"


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("actor", "'someone-else'"),
        ("action", "'poll.open'"),
        ("details", "'{\"step\": 99}'"),
        ("at", "at"),  # replaced below by a shifted time
    ],
)
def test_altered_entry_is_detected(app, unguarded, column, value) -> None:
    _fill(app, 4)
    with app.app_context():
        unguarded()
        if column == "at":
            entry = db.session.get(ActionLogEntry, 2)
            db.session.execute(
                sa.update(ActionLogEntry)
                .where(ActionLogEntry.id == 2)
                .values(at=entry.at.replace(year=entry.at.year - 1))
            )
        else:
            statement = f"UPDATE action_log SET {column} = {value} WHERE id = 2"  # noqa: S608
            db.session.execute(sa.text(statement))
        db.session.commit()
        db.session.expire_all()
        check = verify_log()
        assert not check.ok
        assert check.bad_id == 2
        assert "altered" in check.problem


def test_deleted_entry_is_detected(app, unguarded) -> None:
    _fill(app, 4)
    with app.app_context():
        unguarded()
        db.session.execute(sa.text("DELETE FROM action_log WHERE id = 3"))
        db.session.commit()
        check = verify_log()
        assert not check.ok and check.bad_id == 3 and "missing" in check.problem


def test_truncated_tail_changes_the_head(app, unguarded) -> None:
    _fill(app, 4)
    with app.app_context():
        head = verify_log().head
        unguarded()
        db.session.execute(sa.text("DELETE FROM action_log WHERE id = 4"))
        db.session.commit()
        check = verify_log()
        assert check.ok and check.count == 3 and check.head != head  # compare published heads


def test_rewritten_entry_with_recomputed_hash_breaks_the_next_link(app, unguarded) -> None:
    _fill(app, 3)
    with app.app_context():
        unguarded()
        entry = db.session.get(ActionLogEntry, 2)
        forged = entry_hash(entry.prev_hash, 2, entry.at, "forger", entry.action, entry.details)
        db.session.execute(
            sa.update(ActionLogEntry)
            .where(ActionLogEntry.id == 2)
            .values(actor="forger", hash=forged)
        )
        db.session.commit()
        check = verify_log()
        assert not check.ok and check.bad_id == 3


def test_database_refuses_update_and_delete(app) -> None:
    _fill(app, 2)
    with app.app_context():
        for statement in (
            "UPDATE action_log SET actor = 'x' WHERE id = 1",
            "DELETE FROM action_log WHERE id = 2",
        ):
            with pytest.raises((DBAPIError, IntegrityError), match="append-only"):
                db.session.execute(sa.text(statement))
            db.session.rollback()
        assert verify_log().ok


def test_fork_is_refused(app) -> None:
    _fill(app, 1)
    with app.app_context():
        first = db.session.get(ActionLogEntry, 1)
        db.session.add(
            ActionLogEntry(
                id=99,
                at=first.at,
                actor="x",
                action="x",
                details={},
                prev_hash=first.prev_hash,
                hash=b"\x01" * 32,
            )
        )
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_floats_are_refused(app) -> None:
    with app.app_context():
        with pytest.raises(CryptoError):
            log_action("thuky", "poll.test", {"share": 0.5})
        db.session.rollback()
        assert verify_log().count == 0


def test_rollback_leaves_no_entry(app) -> None:
    with app.app_context():
        log_action("thuky", "poll.test", {})
        db.session.rollback()
        assert verify_log().count == 0


def test_concurrent_appends_keep_one_chain(app) -> None:
    """Writers in parallel threads (own sessions) never fork the chain."""
    import threading

    from ballot.db import begin_write

    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def writer(n: int) -> None:
        try:
            with app.app_context():
                start.wait()
                for i in range(3):
                    begin_write()
                    log_action(f"writer{n}", "poll.test", {"i": i})
                    db.session.commit()
                db.session.remove()
        except BaseException as err:  # reported below
            errors.append(err)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    with app.app_context():
        check = verify_log()
        assert check.ok and check.count == 24
