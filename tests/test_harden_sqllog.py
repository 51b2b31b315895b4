"""A database error never writes the statement's parameters to the log: engines hide
them (issue 10). Runs on SQLite, or PostgreSQL with TEST_DATABASE_URL."""

from __future__ import annotations

import logging

import pytest
from flask import Flask

from ballot.accounts.models import User
from ballot.db import db
from ballot.polls.models import Poll
from ballot.voting.models import BallotEntry
from tests.voting_helpers import make_vote

CARD = bytes.fromhex("c0ffee" * 10 + "c0")
TRACKER = bytes.fromhex("7eac4e" * 10 + "7e")
BODY = '{"ballot-secret-marker": 1}'


@pytest.fixture
def app(app: Flask) -> Flask:
    """Test views that hit a unique constraint with recognisable values."""

    @app.get("/_t/dup-user")
    def dup_user() -> str:
        for _ in range(2):
            db.session.add(
                User(username="marker-user", password_hash="hash-marker", role="auditor")
            )
            db.session.flush()
        return "unreachable"

    @app.get("/_t/dup-ballot/<int:poll_id>")
    def dup_ballot(poll_id: int) -> str:
        poll = db.session.get(Poll, poll_id)
        for _ in range(2):
            db.session.add(
                BallotEntry(
                    poll_id=poll.id,
                    seq=1,
                    card_key=CARD,
                    tracker=TRACKER,
                    prev_hash=bytes(32),
                    hash=bytes(32),
                    body=BODY,
                )
            )
            db.session.flush()
        return "unreachable"

    app.config["PROPAGATE_EXCEPTIONS"] = False
    return app


def _logged(caplog) -> str:
    formatter = logging.Formatter("%(message)s")
    return "\n".join(formatter.format(r) for r in caplog.records)


def test_engine_hides_parameters(app) -> None:
    from sqlalchemy.exc import IntegrityError

    with app.app_context():
        assert db.engine.hide_parameters is True
        db.session.add(User(username="marker-user", password_hash="x", role="auditor"))
        db.session.flush()
        db.session.add(User(username="marker-user", password_hash="x", role="auditor"))
        with pytest.raises(IntegrityError) as caught:
            db.session.flush()
        db.session.rollback()
    assert "SQL parameters hidden" in str(caught.value)


def test_integrity_error_log_holds_no_values(app, client, caplog) -> None:
    with app.app_context():
        vote = make_vote(members=2, officials=1)
    with caplog.at_level(logging.DEBUG):
        assert client.get("/_t/dup-user").status_code == 500
        assert client.get(f"/_t/dup-ballot/{vote.poll_id}").status_code == 500
    text = _logged(caplog)
    assert "IntegrityError" in text and "parameters and database message hidden" in text
    for value in ("marker-user", "hash-marker", "ballot-secret-marker", "c0ffee", "7eac4e"):
        assert value not in text, value
    assert str(CARD) not in text and str(TRACKER)[:20] not in text
