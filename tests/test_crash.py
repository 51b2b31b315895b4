"""Crashes during a burst of ballots (real gunicorn; SQLite, or PostgreSQL with
TEST_DATABASE_URL): kill -9 a worker, and separately the whole server, then restart.

After each: every receipt that was returned is in the chain, the chain verifies, every
burned card has its ballot and every ballot its burned card, and clients that retried
got the same receipts."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from ballot import create_app
from ballot.cards.models import Card
from ballot.db import db
from ballot.polls.models import Poll
from ballot.voting.models import BallotEntry
from keys.ballot import Ballot
from tally.record import chain_link
from tests.gunicorn_helpers import drop_database, make_server, post, prepare_vote

pytestmark = pytest.mark.slow
MEMBERS, OFFICIALS = 48, 8


def _send_until_acknowledged(url: str, body: bytes, deadline: float) -> tuple[str, int]:
    """What the phone does: resend the same bytes until the server answers."""
    attempts = 0
    while time.time() < deadline:
        attempts += 1
        status, answer = post(url, body)
        if status == 200:
            return answer["tracker"], attempts
        if 400 <= status < 500:
            raise AssertionError(f"refused: {status} {answer}")
        time.sleep(0.2)
    raise AssertionError("no acknowledgement before the deadline")


def _burst(server, public_id, ballots, crash) -> dict[int, tuple[str, int]]:
    url = f"{server.base}/v/{public_id}/cast"
    receipts: dict[int, tuple[str, int]] = {}
    done = threading.Event()
    deadline = time.time() + 120

    def one(i: int) -> None:
        receipts[i] = _send_until_acknowledged(url, ballots[i], deadline)
        if len(receipts) >= len(ballots) // 3:
            done.set()

    with ThreadPoolExecutor(max_workers=8) as pool:
        futures = [pool.submit(one, i) for i in range(len(ballots))]
        done.wait(timeout=60)
        crash()
        for f in futures:
            f.result()
    return receipts


def _check_database(server, public_id, ballots, receipts) -> None:
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": server.env["PHIEU_SECRET_KEY"],
            "SQLALCHEMY_DATABASE_URI": server.env["DATABASE_URL"],
        }
    )
    with app.app_context():
        poll = db.session.scalar(select(Poll).where(Poll.public_id == public_id))
        entries = list(
            db.session.scalars(
                select(BallotEntry).where(BallotEntry.poll_id == poll.id).order_by(BallotEntry.seq)
            )
        )
        prev = bytes(poll.manifest_hash)
        for n, e in enumerate(entries, start=1):
            ballot = Ballot.from_json(json.loads(e.body))
            assert e.seq == n and bytes(e.prev_hash) == prev
            assert bytes(e.tracker) == ballot.tracker()
            assert bytes(e.hash) == chain_link(prev, n, bytes(e.tracker))
            prev = bytes(e.hash)
        assert bytes(poll.chain_head) == prev and poll.ballot_count == len(entries)
        in_chain = {bytes(e.tracker).hex() for e in entries}
        assert {t for t, _ in receipts.values()} <= in_chain
        assert len(entries) == len(ballots)  # every member was eventually acknowledged
        used = set(
            db.session.scalars(
                select(Card.public_key).where(Card.poll_id == poll.id, Card.status == "used")
            )
        )
        assert {bytes(k) for k in used} == {bytes(e.card_key) for e in entries}
        db.session.remove()
        db.engine.dispose()


def _again(server, public_id, ballots, receipts) -> None:
    """Resending any acknowledged ballot gives the same receipt."""
    url = f"{server.base}/v/{public_id}/cast"
    for i in list(receipts)[:: max(1, len(receipts) // 8)]:
        status, answer = post(url, ballots[i])
        assert status == 200 and answer["tracker"] == receipts[i][0] and answer["repeated"]


@pytest.fixture
def server(tmp_path):
    srv = make_server(tmp_path, workers=2, CAST_RATE_LIMIT="100000 per minute")
    yield srv
    srv.stop()
    drop_database(srv.pg_name)


def test_kill_a_worker_during_the_burst(server):
    public_id, ballots = prepare_vote(server, MEMBERS, OFFICIALS)
    server.start()

    def crash() -> None:
        victim = server.workers()[0]
        os.kill(victim, signal.SIGKILL)

    receipts = _burst(server, public_id, ballots, crash)
    _check_database(server, public_id, ballots, receipts)
    _again(server, public_id, ballots, receipts)


def test_kill_the_whole_server_during_the_burst(server):
    public_id, ballots = prepare_vote(server, MEMBERS, OFFICIALS)
    server.start()

    def crash() -> None:
        server.kill_all()
        time.sleep(1)
        server.start()

    receipts = _burst(server, public_id, ballots, crash)
    assert any(attempts > 1 for _, attempts in receipts.values()), "nobody had to retry"
    _check_database(server, public_id, ballots, receipts)
    _again(server, public_id, ballots, receipts)
