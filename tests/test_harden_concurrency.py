"""Parallel check-ins and revocations on PostgreSQL lose nothing: 20 parallel "+1" add
exactly 20, 20 parallel revocations get the orders 1..20, parallel uncounts during the
vote never leave fewer cards issued than ballots (issue 10). Each thread has its own
session and connection, as gunicorn workers do."""

from __future__ import annotations

import os
import threading

import pytest

from ballot.cards import operations as cards_ops
from ballot.cards.models import Card
from ballot.db import db
from ballot.errors import ApiError
from ballot.polls import operations as ops
from ballot.polls.models import Poll
from ballot.web import get_poll
from tests.voting_helpers import ballot_body, draft_poll, make_vote


@pytest.fixture(autouse=True)
def _postgresql_only() -> None:
    if not os.environ.get("TEST_DATABASE_URL"):
        print("skipped: set TEST_DATABASE_URL to run the PostgreSQL concurrency tests")
        pytest.skip("needs PostgreSQL (TEST_DATABASE_URL): SQLite serializes writers anyway")


def _parallel(app, n: int, work) -> list[object]:
    barrier = threading.Barrier(n)
    results: list[object] = [None] * n

    def run(i: int) -> None:
        with app.app_context():
            try:
                results[i] = work(i, barrier)
            except Exception as err:  # reported by the assertion below
                results[i] = err
                db.session.rollback()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def _wide(make_app):
    """An app with a connection for each of 20+ requests, as 20 gunicorn workers have."""
    return make_app(
        SQLALCHEMY_ENGINE_OPTIONS={
            **make_app().config["SQLALCHEMY_ENGINE_OPTIONS"],
            "pool_size": 25,
        }
    )


def test_twenty_parallel_check_ins(make_app) -> None:
    app = _wide(make_app)
    with app.app_context():
        poll = draft_poll(60)
        ops.check_in("tests", poll, 1)
        db.session.commit()
        public_id = poll.public_id

    def work(_i: int, barrier: threading.Barrier) -> int:
        poll = get_poll(public_id)  # each request reads the vote first
        assert poll.present == 1
        barrier.wait(10)
        value = ops.check_in("thuky", poll, 1)
        db.session.commit()
        return value

    results = _parallel(app, 20, work)
    assert all(isinstance(r, int) for r in results), results
    assert sorted(results) == list(range(2, 22))  # each saw its own increment
    with app.app_context():
        assert db.session.scalar(db.select(Poll.present).filter_by(public_id=public_id)) == 21


def test_check_in_bounds_hold_in_parallel(app) -> None:
    with app.app_context():
        poll = draft_poll(5)
        db.session.commit()
        public_id = poll.public_id

    def work(_i: int, barrier: threading.Barrier) -> int:
        poll = get_poll(public_id)
        barrier.wait(10)
        value = ops.check_in("thuky", poll, 1)
        db.session.commit()
        return value

    results = _parallel(app, 12, work)
    assert sorted(r for r in results if isinstance(r, int)) == [1, 2, 3, 4, 5]
    assert sum(isinstance(r, ApiError) and r.code == "bad_count" for r in results) == 7
    with app.app_context():
        assert db.session.scalar(db.select(Poll.present).filter_by(public_id=public_id)) == 5


def test_twenty_parallel_revocations_get_distinct_orders(make_app) -> None:
    app = _wide(make_app)
    with app.app_context():
        vote = make_vote(members=22, officials=1, spares=0)
        serials = [f"{i:04d}" for i in range(1, 21)]

    def work(i: int, barrier: threading.Barrier) -> int:
        poll = get_poll(vote.public_id)
        barrier.wait(10)
        card = cards_ops.revoke("thuky", poll, serials[i])
        order = int(card.revoked_order)
        db.session.commit()
        return order

    results = _parallel(app, 20, work)
    assert sorted(results) == list(range(1, 21)), results
    with app.app_context():
        orders = db.session.scalars(
            db.select(Card.revoked_order).where(
                Card.poll_id == vote.poll_id, Card.status == "revoked"
            )
        ).all()
        assert sorted(orders) == list(range(1, 21))


def test_parallel_uncounts_never_leave_fewer_issued_than_ballots(make_app) -> None:
    # 6 checked in, 3 ballots cast, no spares: at most 3 "−1" may pass. Each request
    # read present = 6 before the others wrote; without the vote's lock all 6 passed
    # the check and issued fell to 0 under 3 ballots.
    app = _wide(make_app)
    client = app.test_client()
    with app.app_context():
        vote = make_vote(members=6, officials=1, spares=0)
        bodies = [ballot_body(vote, i, [1]) for i in range(3)]
    for body in bodies:
        r = client.post(f"/v/{vote.public_id}/cast", data=body, content_type="application/json")
        assert r.status_code == 200, r.get_json()

    def work(_i: int, barrier: threading.Barrier) -> int:
        poll = get_poll(vote.public_id)
        assert (poll.present, poll.ballot_count) == (6, 3)
        barrier.wait(10)
        value = ops.check_in("thuky", poll, -1)
        db.session.commit()
        return value

    results = _parallel(app, 6, work)
    assert sorted(r for r in results if isinstance(r, int)) == [3, 4, 5], results
    assert sum(isinstance(r, ApiError) and r.code == "bad_count" for r in results) == 3
    with app.app_context():
        poll = db.session.get(Poll, vote.poll_id)
        assert (poll.present, poll.ballot_count) == (3, 3)


def test_same_card_revoked_twice_in_parallel(app) -> None:
    with app.app_context():
        vote = make_vote(members=3, officials=1, spares=0)

    def work(_i: int, barrier: threading.Barrier) -> int:
        poll = get_poll(vote.public_id)
        barrier.wait(10)
        card = cards_ops.revoke("thuky", poll, "0001")
        db.session.commit()
        return int(card.revoked_order)

    results = _parallel(app, 4, work)
    assert [r for r in results if isinstance(r, int)] == [1], results
    assert all(isinstance(r, ApiError) and r.code == "card_revoked" for r in results if r != 1)
