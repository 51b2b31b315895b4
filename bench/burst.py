"""The burst: N members submit a 44-row ballot within 60 s to real gunicorn.

Prepares a vote (through the operations), encrypts every member's ballot beforehand
with the Python twin of the phone's code (on every core), starts gunicorn on
127.0.0.1, sends each ballot at a random moment of the window, and prints accepted,
errors, latency p50/p95/p99, throughput, peak memory per worker (VmHWM) and the CPU
time spent in proof verification as a share of the workers' CPU time.

Run: .venv/bin/python -m bench.burst --members 500 [--db sqlite|postgresql] [--window 60]

Past one machine: ``--servers 2 --db postgresql`` starts two gunicorn instances on
consecutive ports, on one PostgreSQL and one Redis (shared limits), sends ballot i to
server i mod 2 and card 0's ballot to every server at the same moment, then checks in
the database: one ballot per card, the chain unbroken, every receipt in it.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


def _encrypt(args: tuple[dict[str, Any], str, list[str], int]) -> list[bytes]:
    from keys import cards
    from keys.ballot import encrypt_ballot
    from tally.manifest import parse_manifest

    manifest, public_id, codes, seed = args
    ctx = parse_manifest(manifest).context()
    rng = random.Random(seed)  # simulated choices
    out = []
    for code in codes:
        sk = cards.signing_key(public_id, cards.decode_code(code))
        choices = [rng.choice([0, 1, 2, 2, 3]) for _ in range(ctx.rows)]
        out.append(json.dumps(encrypt_ballot(ctx, sk, choices).to_json()).encode())
    return out


def prepare(env: dict[str, str], members: int, officials: int) -> tuple[str, list[bytes], Any]:
    """Create an open vote and every member's encrypted ballot."""
    public_id, manifest, codes = make_vote(env, members, officials)
    return public_id, encrypt_all(manifest, public_id, codes), manifest


def make_vote(env: dict[str, str], members: int, officials: int) -> tuple[str, Any, list[str]]:
    """Create an open vote; (public id, manifest, every card's code)."""
    os.environ.update(env)
    from ballot import create_app
    from ballot.db import db
    from ballot.migrate import upgrade_database
    from ballot.polls.quick import quick_vote

    app = create_app()
    upgrade_database(app)
    with app.app_context():
        vote = quick_vote(
            "bench",
            meeting="Bench",
            title="Burst",
            officials=[(f"Người {i + 1}", "Chức vụ") for i in range(officials)],
            members=members,
            trustee_names=["A", "B", "C"],
            threshold=2,
            passphrases=["passphrase-1xx", "passphrase-2xx", "passphrase-3xx"],
        )
        poll, printed = vote.poll, vote.printed
        manifest, public_id = json.loads(poll.manifest), poll.public_id
        db.engine.dispose()
    return public_id, manifest, [c.code for c in printed]


def encrypt_all(manifest: Any, public_id: str, codes: list[str]) -> list[bytes]:
    """One ballot per card code, encrypted on every core."""
    workers = os.cpu_count() or 1
    chunks = [codes[i::workers] for i in range(workers)]
    with ProcessPoolExecutor(workers) as pool:
        parts = list(
            pool.map(_encrypt, [(manifest, public_id, c, i) for i, c in enumerate(chunks)])
        )
    ballots: list[bytes] = [b""] * len(codes)
    for i, part in enumerate(parts):
        ballots[i::workers] = part
    return ballots


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(x) for x in text.split()]


def _proc(pid: int) -> tuple[int, float]:
    """(VmHWM in kB, CPU seconds) of a process."""
    hwm = 0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            hwm = int(line.split()[1])
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return hwm, (int(fields[11]) + int(fields[12])) / ticks


def post(url: str, body: bytes) -> tuple[int, float]:
    """POST a ballot; (status, seconds)."""
    start = time.perf_counter()
    req = urllib.request.Request(  # noqa: S310 - loopback only
        url, data=body, headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(req, timeout=60) as r:  # noqa: S310
            r.read()
            status = r.status
    except urllib.error.HTTPError as err:
        status = err.code
    except OSError:
        status = 0
    return status, time.perf_counter() - start


def _check_chain(public_id: str) -> str:
    """One ballot per card, the chain from the manifest hash to the head (os.environ's DB)."""
    from sqlalchemy import func, select

    from ballot import create_app
    from ballot.db import db
    from ballot.polls.models import Poll
    from ballot.voting.models import BallotEntry
    from tally.record import chain_link

    app = create_app()
    with app.app_context():
        poll = db.session.scalar(select(Poll).where(Poll.public_id == public_id))
        assert poll is not None  # made by this run
        rows = db.session.scalars(
            select(BallotEntry).where(BallotEntry.poll_id == poll.id).order_by(BallotEntry.seq)
        ).all()
        head = bytes(poll.manifest_hash or b"")
        for i, row in enumerate(rows, 1):
            if row.seq != i or bytes(row.prev_hash) != head:
                return f"CHAIN BROKEN at {i}"
            head = chain_link(head, i, bytes(row.tracker))
        cards = db.session.scalar(
            select(func.count(func.distinct(BallotEntry.card_key))).where(
                BallotEntry.poll_id == poll.id
            )
        )
        ok = head == bytes(poll.chain_head or b"") and cards == len(rows) == poll.ballot_count
        db.engine.dispose()
    return f"database: {len(rows)} ballots, {cards} cards, chain {'valid' if ok else 'INVALID'}"


def main() -> None:
    """Run one burst and print the figures."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--members", type=int, default=500)
    ap.add_argument("--officials", type=int, default=44)
    ap.add_argument("--window", type=float, default=60.0)
    ap.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    ap.add_argument("--workers", type=int, default=3)
    ap.add_argument("--port", type=int, default=8765)
    ap.add_argument("--servers", type=int, default=1)
    args = ap.parse_args()
    if args.servers > 1 and args.db != "postgresql":
        ap.error("--servers > 1 needs --db postgresql (one database for every app server)")
    tmp = Path(tempfile.mkdtemp(prefix="phieu-burst-"))
    dbname = None
    if args.db == "postgresql":
        dbname = f"phieu_burst_{secrets.token_hex(4)}"
        subprocess.run(
            [sys.executable, str(ROOT / "scripts/pgdb.py"), "create", PG_ADMIN, dbname], check=True
        )
        url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{dbname}"
    else:
        url = f"sqlite:///{tmp}/burst.sqlite3"
    env = {
        "DATABASE_URL": url,
        "PHIEU_SECRET_KEY": secrets.token_hex(32),
        "PHIEU_SERVER_KEY_PATH": str(tmp / "server.pem"),
        "PHIEU_CAST_RATE_LIMIT": "100000 per minute",
        "PHIEU_CARD_RATE_LIMIT": "100000 per minute",
        "PORT": str(args.port),
        "GUNICORN_WORKERS": str(args.workers),
        "GUNICORN_LOGLEVEL": "warning",
    }
    if args.servers > 1:  # limits shared by every app server
        env["PHIEU_RATELIMIT_STORAGE_URI"] = "redis://127.0.0.1:6379/0"
        env["PHIEU_RATELIMIT_KEY_PREFIX"] = f"burst-{secrets.token_hex(4)}"
    t0 = time.perf_counter()
    public_id, ballots, manifest = prepare(env, args.members, args.officials)
    print(
        f"prepared {len(ballots)} ballots × {args.officials} rows in "
        f"{time.perf_counter() - t0:.1f} s ({args.db})"
    )
    from keys.ballot import Ballot, verify_ballot
    from tally.manifest import parse_manifest

    ctx = parse_manifest(manifest).context()
    t = time.perf_counter()
    for b in ballots[:20]:
        verify_ballot(ctx, Ballot.from_json(json.loads(b)))
    verify_cost = (time.perf_counter() - t) / 20
    ports = [args.port + k for k in range(args.servers)]
    servers = [
        subprocess.Popen(  # our own gunicorn, fixed arguments
            [str(ROOT / ".venv/bin/gunicorn"), "-c", "config/gunicorn.conf.py", "wsgi:app"],
            cwd=ROOT,
            env={**os.environ, **env, "PORT": str(port)},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for port in ports
    ]
    try:
        workers = []
        for server, port in zip(servers, ports, strict=True):
            for _ in range(100):
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1).read()
                    break
                except OSError:
                    time.sleep(0.2)
            mine = _children(server.pid)
            for _ in range(100):  # gunicorn forks its workers one after another
                if len(mine) >= args.workers:
                    break
                time.sleep(0.1)
                mine = _children(server.pid)
            workers += mine
        cpu_before = sum(_proc(w)[1] for w in workers)
        cast_urls = [f"http://127.0.0.1:{port}/v/{public_id}/cast" for port in ports]
        rng = random.Random(7)
        offsets = sorted(rng.uniform(0, args.window) for _ in ballots)
        start = time.perf_counter()

        def send(i: int) -> tuple[int, float]:
            delay = offsets[i] - (time.perf_counter() - start)
            if delay > 0:
                time.sleep(delay)
            return post(cast_urls[i % len(cast_urls)], ballots[i])

        def same_card_everywhere(url: str) -> tuple[int, float]:
            delay = offsets[0] - (time.perf_counter() - start)
            if delay > 0:
                time.sleep(delay)
            return post(url, ballots[0])

        with ThreadPoolExecutor(max_workers=128) as pool:
            twins = [pool.submit(same_card_everywhere, u) for u in cast_urls[1:]]
            results = list(pool.map(send, range(len(ballots))))
            twin_statuses = [f.result()[0] for f in twins]
        elapsed = time.perf_counter() - start
        stats = [_proc(w) for w in workers]
        cpu = sum(s[1] for s in stats) - cpu_before
        if args.servers > 1:
            print(f"card 0 sent to every server at once: {[results[0][0], *twin_statuses]}")
            print(_check_chain(public_id))
    finally:
        for server in servers:
            server.send_signal(signal.SIGTERM)
        for server in servers:
            server.wait(timeout=60)
        if dbname:
            subprocess.run(
                [sys.executable, str(ROOT / "scripts/pgdb.py"), "drop", PG_ADMIN, dbname],
                check=False,
            )
    ok = sorted(t for s, t in results if s == 200)
    errors = [s for s, _ in results if s != 200]

    def pct(q: float) -> float:
        return ok[min(len(ok) - 1, int(q * len(ok)))] * 1000 if ok else float("nan")

    print(
        f"members {len(ballots)}: accepted {len(ok)} ({100 * len(ok) / len(ballots):.1f} %), "
        f"errors {len(errors)} {sorted(set(errors))}"
    )
    print(
        f"latency p50 {pct(0.5):.0f} ms, p95 {pct(0.95):.0f} ms, p99 {pct(0.99):.0f} ms, "
        f"max {ok[-1] * 1000 if ok else 0:.0f} ms (target p95 ≤ 1000 ms)"
    )
    print(f"throughput {len(ok) / elapsed:.1f} ballots/s over {elapsed:.1f} s")
    print(
        f"peak memory per worker (VmHWM): {', '.join(f'{h / 1024:.0f} MB' for h, _ in stats)}"
        f" (target ≤ 200 MB)"
    )
    share = verify_cost * len(ok) / cpu if cpu else float("nan")
    print(
        f"workers' CPU {cpu:.1f} s; proof verification ≈ {verify_cost * 1000:.0f} ms/ballot × "
        f"{len(ok)} = {verify_cost * len(ok):.1f} s ({100 * share:.0f} % of it)"
    )


if __name__ == "__main__":
    main()
