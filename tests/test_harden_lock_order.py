"""The vote's row lock always comes before the action log's advisory lock (PostgreSQL).

A cast that signs a checkpoint, a spare hand-out, a revocation and an uncount all lock
the vote's row and then append to the action log (advisory lock). The open changed the
poll in memory and only then logged: the UPDATE of the row was flushed after the
advisory lock, the reverse order, and PostgreSQL killed one of the two as a deadlock
(security review of the checkpoint change). Each test forces that interleaving: the
open holds the advisory lock while the other operation holds the vote's row, then both
go on. With one lock order the second simply waits for the first, and both succeed.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable

import pytest

from ballot import actionlog
from ballot.cards import operations as cards_ops
from ballot.db import db
from ballot.polls import operations as ops
from ballot.polls.models import Poll
from ballot.web import get_poll
from tests.voting_helpers import make_vote

#: How long one side waits for the other to reach its lock (the fixed code never lets
#: both hold one each, so this wait simply runs out and the first one finishes).
WAIT = 3


@pytest.fixture(autouse=True)
def _postgresql_only() -> None:
    if not os.environ.get("TEST_DATABASE_URL"):
        print("skipped: set TEST_DATABASE_URL to run the PostgreSQL lock-order tests")
        pytest.skip("needs PostgreSQL (TEST_DATABASE_URL): SQLite has no row or advisory locks")


def _spare(poll: Poll) -> None:
    cards_ops.issue_spare("thuky", poll, "0004")


def _revoke(poll: Poll) -> None:
    cards_ops.revoke("thuky", poll, "0001")


def _checkin(poll: Poll) -> None:
    ops.check_in("thuky", poll, -1)  # an uncount (all are present)


@pytest.mark.parametrize("other", [_spare, _revoke, _checkin], ids=["spare", "revoke", "uncount"])
def test_open_beside_a_row_locking_operation_no_deadlock(
    app, monkeypatch, other: Callable[[Poll], None]
) -> None:
    with app.app_context():
        vote = make_vote(members=3, officials=1, spares=2, state="ready")
        public_id = vote.public_id
        present = get_poll(public_id).present
    real = actionlog._lock_chain
    role = threading.local()
    open_has_advisory = threading.Event()
    other_has_row = threading.Event()

    def lock_chain() -> None:
        if getattr(role, "name", "") == "open":
            real()
            open_has_advisory.set()
            other_has_row.wait(WAIT)  # the other now holds the row: open must not need it
        else:
            real()

    monkeypatch.setattr(actionlog, "_lock_chain", lock_chain)
    out: dict[str, str] = {}

    def run(name: str) -> None:
        role.name = name
        with app.app_context():
            try:
                poll = get_poll(public_id)
                if name == "other":
                    open_has_advisory.wait(WAIT)
                    db.session.refresh(poll, with_for_update=True)
                    other_has_row.set()
                    other(poll)
                else:
                    ops.open_poll("thuky", poll, "review")
                db.session.commit()
                out[name] = "ok"
            except Exception as err:  # reported by the assertion below
                out[name] = repr(err)[:200]
                db.session.rollback()
            finally:
                other_has_row.set()
                open_has_advisory.set()
                db.session.remove()

    threads = [threading.Thread(target=run, args=(n,)) for n in ("open", "other")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert out == {"open": "ok", "other": "ok"}, out
    with app.app_context():
        poll = get_poll(public_id)
        assert poll.state == "open"
        assert poll.present == present - (1 if other is _checkin else 0)
        assert actionlog.verify_log().ok
