"""Past one machine (issue 10): two app servers (two gunicorn instances on different
ports) on one PostgreSQL and one Redis, as behind a load balancer.

A burst is split between them and the same card is sent to both at once: one ballot
per card, the chain valid, nothing lost; the per-card limits and the memory of refused
ballots are shared (a bad ballot refused by one server is refused unparsed by the other).
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.gunicorn_helpers import ROOT, Server, free_port, post

pytestmark = pytest.mark.slow
PG = "postgresql://postgres@127.0.0.1:5432/postgres"
MEMBERS, OFFICIALS = 30, 4


def _reachable(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


@pytest.fixture
def servers(tmp_path: Path):
    if not (_reachable(5432) and _reachable(6379)):
        pytest.skip("needs PostgreSQL and Redis on 127.0.0.1")
    name = f"phieu_two_{secrets.token_hex(4)}"
    subprocess.run([sys.executable, str(ROOT / "scripts/pgdb.py"), "create", PG, name], check=True)
    shared = {  # what both app servers share: database, Redis, SECRET_KEY, server key
        "DATABASE_URL": f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}",
        "PHIEU_SECRET_KEY": secrets.token_hex(32),
        "PHIEU_SERVER_KEY_PATH": str(tmp_path / "server.pem"),
        "PHIEU_SESSION_COOKIE_SECURE": "false",
        "PHIEU_RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
        "PHIEU_RATELIMIT_KEY_PREFIX": f"two-{secrets.token_hex(4)}",
        "PHIEU_CAST_BAD_RATE_LIMIT": "2 per minute",
        "GUNICORN_WORKERS": "2",
        "GUNICORN_LOGLEVEL": "warning",
    }
    made = []
    for label in ("a", "b"):
        port = free_port()
        env = {**shared, "PORT": str(port)}
        made.append(Server(tmp_path, env, port, tmp_path / f"gunicorn-{label}.log"))
    yield made
    for server in made:
        server.stop()
    subprocess.run([sys.executable, str(ROOT / "scripts/pgdb.py"), "drop", PG, name], check=False)


def _prepare(env: dict[str, str]) -> tuple[str, list[bytes], list[bytes], list[bytes]]:
    """Open a vote; every card's good ballot, card 0's second ballot, card 1's bad ones."""
    from keys import cards
    from keys.ballot import encrypt_ballot, sign_ballot
    from tally.manifest import parse_manifest

    out = subprocess.run(  # our own interpreter and module
        [sys.executable, "-m", "tests.prepare_vote", str(MEMBERS), str(OFFICIALS)],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        check=True,
    )
    data = json.loads(out.stdout)
    ctx = parse_manifest(data["manifest"]).context()
    keys = [cards.signing_key(data["id"], cards.decode_code(c)) for c in data["codes"]]

    def body(ballot) -> bytes:
        return json.dumps(ballot.to_json()).encode()

    good = [body(encrypt_ballot(ctx, sk, [1 + i % 3] * OFFICIALS)) for i, sk in enumerate(keys)]
    second = [body(encrypt_ballot(ctx, keys[0], [2] * OFFICIALS))]
    broken = list(encrypt_ballot(ctx, keys[1], [1] * OFFICIALS).rows)
    broken[0], broken[1] = broken[1], broken[0]
    bad = [body(sign_ballot(ctx, keys[1], broken)) for _ in range(3)]
    return data["id"], good, second, bad


def _check_record(env: dict[str, str], public_id: str) -> list[tuple[int, bytes, bytes]]:
    """Chain, one ballot per card, burned cards = ballots; returns (seq, card, tracker)."""
    code = (
        "import json, sys\n"
        "from sqlalchemy import select\n"
        "from ballot import create_app\n"
        "from ballot.db import db\n"
        "from ballot.cards.models import Card\n"
        "from ballot.polls.models import Poll\n"
        "from ballot.voting.models import BallotEntry\n"
        "from tally.record import chain_link\n"
        "app = create_app()\n"
        "with app.app_context():\n"
        "    poll = db.session.scalar(select(Poll).where(Poll.public_id == sys.argv[1]))\n"
        "    rows = db.session.scalars(select(BallotEntry).where(BallotEntry.poll_id == poll.id)"
        ".order_by(BallotEntry.seq)).all()\n"
        "    head = bytes(poll.manifest_hash)\n"
        "    for i, r in enumerate(rows, 1):\n"
        "        assert r.seq == i and bytes(r.prev_hash) == head, i\n"
        "        head = chain_link(head, i, bytes(r.tracker))\n"
        "        assert bytes(r.hash) == head, i\n"
        "    assert head == bytes(poll.chain_head) and poll.ballot_count == len(rows)\n"
        "    used = db.session.scalars(select(Card.public_key).where(Card.poll_id == poll.id,"
        " Card.status == 'used')).all()\n"
        "    assert sorted(map(bytes, used)) == sorted(bytes(r.card_key) for r in rows)\n"
        "    print(json.dumps([[r.seq, bytes(r.card_key).hex(), bytes(r.tracker).hex()]"
        " for r in rows]))\n"
    )
    out = subprocess.run(  # our own interpreter, fixed program
        [sys.executable, "-c", code, public_id],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        check=True,
    )
    return [(s, bytes.fromhex(c), bytes.fromhex(t)) for s, c, t in json.loads(out.stdout)]


def test_two_app_servers_one_database_one_redis(servers) -> None:
    a, b = servers
    public_id, good, second, bad = _prepare(a.env)
    a.start()
    b.start()
    path = f"/v/{public_id}/cast"
    urls = [a.base + path, b.base + path]
    # Card 0: one ballot to both servers at once, and a different ballot to both too.
    jobs = [(urls[0], good[0]), (urls[1], good[0]), (urls[0], second[0]), (urls[1], second[0])]
    jobs += [(urls[i % 2], good[i]) for i in range(2, MEMBERS)]  # card 1 is the bad one
    with ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(lambda job: post(*job, timeout=60), jobs))
    statuses = [s for s, _ in answers]
    assert statuses[4:] == [200] * (MEMBERS - 2), statuses
    card0 = answers[:4]
    accepted0 = {ans["tracker"] for s, ans in card0 if s == 200}
    assert len(accepted0) == 1, card0  # one ballot for card 0, whichever server won
    assert all(s in (200, 409) for s, _ in card0), card0
    # Shared limits: card 1's bad ballots, alternating servers (limit 2 per minute).
    r1 = post(urls[0], bad[0])
    r2 = post(urls[1], bad[1])
    assert (r1[0], r2[0]) == (400, 400) and r1[1]["error"] == "bad_proof"
    assert post(urls[0], bad[2])[0] == 429  # counted across both servers
    # The refusal is remembered in Redis: server b refuses server a's refused bytes
    # from memory (400, before any limit or parse), not as a new attempt (429).
    again = post(urls[1], bad[0])
    assert again[0] == 400 and again[1]["error"] == "bad_proof", again
    assert post(urls[1], good[1])[0] == 429  # card 1 waits out its own limit
    chain = _check_record(a.env, public_id)
    trackers = {t.hex() for _s, _c, t in chain}
    returned = {ans["tracker"] for s, ans in answers if s == 200}
    assert returned <= trackers and len(chain) == MEMBERS - 1  # nothing lost, no extra
    assert len({c for _s, c, _t in chain}) == len(chain)
