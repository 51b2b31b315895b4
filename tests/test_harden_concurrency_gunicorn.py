"""Issue 10, attack 5, as HTTP requests on real gunicorn (3 workers × 16 threads):
20 parallel check-in corrections take exactly 20 off the count, and 20 parallel
revocations get the orders 1..20, each once. Meant for PostgreSQL (TEST_DATABASE_URL),
where the lost updates happened; on SQLite the same requests are serialized.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.gunicorn_helpers import ROOT, drop_database, make_server, prepare_vote
from tests.test_harden_sessions_gunicorn import PASSWORD, Browser

pytestmark = pytest.mark.slow
MEMBERS = 24

FIGURES = (
    "import json, sys\n"
    "from sqlalchemy import select\n"
    "from ballot import create_app\n"
    "from ballot.db import db\n"
    "from ballot.cards.models import Card\n"
    "from ballot.polls.models import Poll\n"
    "app = create_app()\n"
    "with app.app_context():\n"
    "    poll = db.session.scalar(select(Poll).where(Poll.public_id == sys.argv[1]))\n"
    "    orders = db.session.scalars(select(Card.revoked_order).where(\n"
    "        Card.poll_id == poll.id, Card.status == 'revoked')).all()\n"
    "    print(json.dumps({'present': poll.present, 'orders': sorted(orders)}))\n"
)


def _figures(env: dict[str, str], public_id: str) -> dict:
    out = subprocess.run(  # our own interpreter, fixed program
        [sys.executable, "-c", FIGURES, public_id],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        check=True,
        text=True,
    )
    return json.loads(out.stdout)


@pytest.fixture
def server(tmp_path):
    srv = make_server(tmp_path, workers=3)
    public_id, _ = prepare_vote(srv, MEMBERS, 1)
    subprocess.run(  # our own interpreter: the account, password at the prompt
        [sys.executable, "-m", "flask", "--app", "wsgi", "users", "create", "thuky"]
        + ["--role", "secretariat"],
        cwd=ROOT,
        env={**os.environ, **srv.env},
        input=f"{PASSWORD}\n{PASSWORD}\n",
        capture_output=True,
        text=True,
        check=True,
    )
    srv.extra["public_id"] = public_id
    srv.start()
    yield srv
    srv.stop()
    drop_database(srv.pg_name)


def test_twenty_parallel_requests_lose_nothing(server) -> None:
    public_id = server.extra["public_id"]
    before = _figures(server.env, public_id)
    assert before == {"present": MEMBERS, "orders": []}
    secretary = Browser(server.port)
    secretary.login()
    token = secretary.token(f"/polls/{public_id}/checkin")

    def minus(_i: int) -> int:
        form = {"delta": "minus", "csrf_token": token}
        return Browser(server.port, secretary.cookie).request(
            "POST", f"/polls/{public_id}/checkin", form
        )[0]

    def revoke(i: int) -> int:
        form = {"serial": f"{i + 1:04d}", "confirm": "y", "csrf_token": token}
        return Browser(server.port, secretary.cookie).request(
            "POST", f"/polls/{public_id}/cards/revoke", form
        )[0]

    with ThreadPoolExecutor(max_workers=20) as pool:
        assert list(pool.map(minus, range(20))) == [302] * 20
    assert _figures(server.env, public_id)["present"] == MEMBERS - 20
    with ThreadPoolExecutor(max_workers=20) as pool:
        assert list(pool.map(revoke, range(20))) == [302] * 20
    assert _figures(server.env, public_id) == {
        "present": MEMBERS - 20,
        "orders": list(range(1, 21)),
    }
