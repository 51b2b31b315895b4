"""A ballot accepted before the close and sent again after it (the phone never saw the
answer) gets the same receipt, not "voting is closed" (issue 10)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from ballot.db import db
from ballot.polls import operations as polls
from ballot.polls.models import Poll
from tests.gunicorn_helpers import ROOT, drop_database, make_server, post, prepare_vote
from tests.voting_helpers import ballot_body, make_vote


def _post(client, public_id: str, body: bytes):
    return client.post(f"/v/{public_id}/cast", data=body, content_type="application/json")


def test_resend_after_close_gets_the_same_receipt(app, client) -> None:
    with app.app_context():
        vote = make_vote(members=3, officials=2)
        first_body = ballot_body(vote, 0, [1, 2])
        other_same_card = ballot_body(vote, 0, [2, 2])
        late = ballot_body(vote, 1, [1, 1])
    first = _post(client, vote.public_id, first_body)
    assert first.status_code == 200
    receipt = first.get_json()
    with app.app_context():
        polls.close_poll("thuky", db.session.get(Poll, vote.poll_id))
        db.session.commit()
    for state in ("closed", "tallied", "published"):
        with app.app_context():
            db.session.execute(db.update(Poll).where(Poll.id == vote.poll_id).values(state=state))
            db.session.commit()
        again = _post(client, vote.public_id, first_body)
        assert again.status_code == 200, (state, again.get_json())
        assert again.get_json() == {**receipt, "repeated": True}
        # Also wrapped as {"ballot": ...}, as the phone may send it.
        wrapped = json.dumps({"ballot": json.loads(first_body)}).encode()
        assert _post(client, vote.public_id, wrapped).get_json()["tracker"] == receipt["tracker"]
    refused = _post(client, vote.public_id, other_same_card)
    assert refused.status_code == 409 and refused.get_json()["error"] == "card_used"
    closed = _post(client, vote.public_id, late)
    assert closed.status_code == 409 and closed.get_json()["error"] == "closed"
    with app.app_context():
        assert db.session.get(Poll, vote.poll_id).ballot_count == 1


@pytest.mark.slow
def test_resend_after_close_on_real_gunicorn(tmp_path) -> None:
    """The same on real gunicorn (SQLite, or PostgreSQL with TEST_DATABASE_URL): the
    vote is closed by the secretariat's operation in another process meanwhile."""
    server = make_server(tmp_path, workers=2)
    try:
        public_id, ballots = prepare_vote(server, 3, 2)
        server.start()
        url = f"{server.base}/v/{public_id}/cast"
        status, receipt = post(url, ballots[0])
        assert status == 200, receipt
        close = (
            "import sys\n"
            "from ballot import create_app\n"
            "from ballot.db import db\n"
            "from ballot.polls import operations as polls\n"
            "from ballot.polls.models import Poll\n"
            "app = create_app()\n"
            "with app.app_context():\n"
            "    poll = db.session.scalar(db.select(Poll).filter_by(public_id=sys.argv[1]))\n"
            "    polls.close_poll('thuky', poll)\n"
            "    db.session.commit()\n"
        )
        subprocess.run(  # our own interpreter, fixed program
            [sys.executable, "-c", close, public_id],
            cwd=ROOT,
            env={**os.environ, **server.env},
            check=True,
            capture_output=True,
        )
        for _ in range(2):  # both workers answer the same
            again = post(url, ballots[0])
            assert again == (200, {**receipt, "repeated": True}), again
        late = post(url, ballots[1])
        assert late[0] == 409 and late[1]["error"] == "closed", late
    finally:
        server.stop()
        drop_database(server.pg_name)
