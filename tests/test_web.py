"""The web layer's shared core (ballot/web.py, ballot.db.owns_transaction): one vote load
per request, one way to commit or refuse, and a cast that owns its transactions."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from flask import get_flashed_messages
from sqlalchemy import event, func, select

from ballot.db import db
from ballot.errors import ApiError, refuse
from ballot.polls.models import Poll
from ballot.voting import operations as voting_ops
from ballot.voting.models import BallotEntry
from ballot.web import attempt, commit, get_poll
from tests.voting_helpers import ballot_body, draft_poll, make_vote, other_writer_gets_lock

JSON = "application/json"


@contextmanager
def _statements(engine: sa.Engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_rest) -> None:  # type: ignore[no-untyped-def]
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_the_vote_is_loaded_once_per_request(app) -> None:
    with app.app_context():
        public_id = draft_poll().public_id
        db.session.commit()
    with app.test_request_context("/"), _statements(db.engine) as seen:
        first = get_poll(public_id)
        assert get_poll(public_id) is first
        assert len([s for s in seen if "FROM poll" in s]) == 1
        db.session.rollback()  # expired, not forgotten: the next read is fresh
        assert get_poll(public_id) is first and first.summoned == 5


def test_attempt_commits_or_rolls_back_and_flashes(app) -> None:
    with app.test_request_context("/"):
        done = attempt(draft_poll, "created")
        assert done and done.value is not None and done.status == 200

        def refused() -> None:
            draft_poll()
            raise refuse("nope", "not now", 409)

        failed = attempt(refused, "never shown")
        assert not failed and failed.error is not None and failed.status == 409
        assert get_flashed_messages(with_categories=True) == [
            ("success", "created"),
            ("error", "not now"),
        ]
        db.session.remove()
        assert db.session.scalar(select(func.count()).select_from(Poll)) == 1


def test_commit_turns_a_lost_race_into_the_given_refusal(app) -> None:
    with app.test_request_context("/"):
        poll = draft_poll()
        db.session.commit()
        columns = [c.key for c in Poll.__table__.columns if c.key != "id"]
        twin = Poll(**{key: getattr(poll, key) for key in columns})  # same public id
        with pytest.raises(ApiError) as err:
            commit(lambda: db.session.add(twin), conflict=lambda: refuse("raced", "twice", 409))
        assert err.value.code == "raced"
        assert db.session.scalar(select(func.count()).select_from(Poll)) == 1


def test_a_cast_takes_the_write_lock_once_and_not_during_its_proofs(
    app, client, monkeypatch
) -> None:
    """The cast owns its transaction: no BEGIN IMMEDIATE taken and dropped by the
    before-request hook; the proofs are checked while another writer can write."""
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite only")
        vote = make_vote(members=2, officials=2)
        body = ballot_body(vote, 0, [1, 2])
        uri = app.config["SQLALCHEMY_DATABASE_URI"]
        engine = db.engine
    probe: dict[str, bool] = {}
    real = voting_ops.verify_ballot

    def verify(ctx, ballot):  # type: ignore[no-untyped-def]
        probe["free"] = other_writer_gets_lock(uri)
        return real(ctx, ballot)

    monkeypatch.setattr(voting_ops, "verify_ballot", verify)
    with _statements(engine) as seen:
        response = client.post(f"/v/{vote.public_id}/cast", data=body, content_type=JSON)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert probe == {"free": True}
    assert seen.count("BEGIN IMMEDIATE") == 1
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(BallotEntry)) == 1


def test_other_writing_requests_still_begin_immediate(app) -> None:
    views = app.view_functions
    owners = {
        name for name, view in views.items() if getattr(view, "__phieu_owns_transaction__", 0)
    }
    assert owners == {"voting.cast", "voting.audit", "polls.import_officials"}
