"""Hostile load: the burst of honest members while attackers try to stop the vote.

One vote, one server in the shipped configuration (config/gunicorn.conf.py: the gthread
front door with read deadlines, the shipped limits; PostgreSQL + Redis as in
production, or SQLite). Two phases of ``--window`` s each, on the same server:

1. **quiet**: ``--members`` honest members cast at random moments;
2. **hostile**: as many other members do the same while
   (a) one address floods junk casts, (b) one client sends a body one byte per 2 s
   (reconnecting when cut off), (c) one card sends 25 signed bad ballots a second,
   (d) 50 idle connections are held open (reopened when the server closes them).

Honest members send as the phone does (vote-send.js): a ballot with no definitive answer
(no connection, 408/425/429, 5xx) is resent after 1, 2, 4, 8 s, and the times include
those waits. Prints accepted %, p50/p95/p99 of the honest members per phase, how many
sends were repeated and why, what the attackers got, and the load average. Traffic goes
to 127.0.0.1 only; every loop ends with its phase.

Run: .venv/bin/python -m bench.hostile [--members 500] [--db postgresql|sqlite]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench.burst import PG_ADMIN, ROOT, encrypt_all, make_vote, post

GAP = 2.0  # the slow client's seconds per byte


def _bad_ballots(manifest: dict, public_id: str, code: str, count: int) -> list[bytes]:
    """Signed by the card, but with two rows' proofs swapped: each fails one proof."""
    from keys import cards
    from keys.ballot import encrypt_ballot, sign_ballot
    from tally.manifest import parse_manifest

    ctx = parse_manifest(manifest).context()
    sk = cards.signing_key(public_id, cards.decode_code(code))
    good = encrypt_ballot(ctx, sk, [1] * ctx.rows)
    rows = list(good.rows)
    rows[0], rows[1] = rows[1], rows[0]
    return [json.dumps(sign_ballot(ctx, sk, rows).to_json()).encode() for _ in range(count)]


def _junk_flood(port: int, path: str, stop: float, got: Counter) -> None:
    """(a) one address, as fast as one connection goes."""
    bodies = [b"not json", b'{"x": 1}', b"[" * 5000, json.dumps({"card": "00" * 32}).encode()]
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    i = 0
    while time.monotonic() < stop:
        i += 1
        try:
            conn.request("POST", path, bodies[i % 4], {"Content-Type": "application/json"})
            r = conn.getresponse()
            r.read()
            got[f"junk {r.status}"] += 1
        except (OSError, http.client.HTTPException):
            got["junk conn-error"] += 1
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.close()


def _slow_body(port: int, path: str, body: bytes, stop: float, got: Counter) -> None:
    """(b) one byte every 2 s; when cut off, start again."""
    while time.monotonic() < stop:
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=GAP + 5)
            s.sendall(
                f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\n\r\n".encode()
            )
            for byte in body:
                if time.monotonic() >= stop:
                    break
                s.sendall(bytes([byte]))
                time.sleep(GAP)
                s.setblocking(False)
                try:
                    if s.recv(4096) is not None:
                        got["slow cut off"] += 1
                        break
                except BlockingIOError:
                    pass
                finally:
                    s.setblocking(True)
            s.close()
        except OSError:
            got["slow cut off"] += 1
            time.sleep(0.1)


def _bad_card(port: int, path: str, bads: list[bytes], stop: float, got: Counter) -> None:
    """(c) 25 signed bad ballots a second from one card (new and resent bytes)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    i = 0
    while time.monotonic() < stop:
        t = time.monotonic()
        try:
            conn.request("POST", path, bads[i % len(bads)], {"Content-Type": "application/json"})
            r = conn.getresponse()
            r.read()
            got[f"bad-card {r.status}"] += 1
        except (OSError, http.client.HTTPException):
            got["bad-card conn-error"] += 1
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        i += 1
        time.sleep(max(0.0, 1 / 25 - (time.monotonic() - t)))
    conn.close()


def _idle(port: int, count: int, stop: float, got: Counter) -> None:
    """(d) ``count`` connections open and silent; reopened when the server closes one."""
    socks: list[socket.socket] = []
    while time.monotonic() < stop:
        while len(socks) < count:
            try:
                socks.append(socket.create_connection(("127.0.0.1", port), timeout=5))
                got["idle opened"] += 1
            except OSError:
                got["idle refused"] += 1
                break
        time.sleep(0.5)
        for s in list(socks):
            s.setblocking(False)
            try:
                if s.recv(1) == b"":
                    socks.remove(s)
                    s.close()
            except BlockingIOError:
                pass
            except OSError:
                socks.remove(s)
                s.close()
    for s in socks:
        s.close()


#: What the phone treats as "try again" (ballot/static/js/vote-send.js): no answer at all,
#: a timeout, too early, too many, or a server error. Anything else is an answer.
RETRIED = {0, 408, 425, 429, 500, 502, 503, 504}
#: Retries counted by _report (phase by phase): the phone resends the same stored ballot.
RETRIES: Counter = Counter()


def post_like_phone(url: str, body: bytes, attempts: int = 5) -> tuple[int, float]:
    """POST a ballot as the member's phone does: the same bytes resent after 1, 2, 4, 8 s
    while there is no definitive answer (the server answers a resent accepted ballot with
    its receipt). The time is until the last answer, waits included."""
    start = time.perf_counter()
    status = 0
    for attempt in range(attempts):
        status, _ = post(url, body)
        if status not in RETRIED:
            break
        RETRIES[status] += 1
        time.sleep(2**attempt)
    return status, time.perf_counter() - start


def _phase(base: str, path: str, ballots: list[bytes], window: float) -> list[tuple[int, float]]:
    rng = random.Random(len(ballots))  # simulated arrival times
    offsets = sorted(rng.uniform(0, window) for _ in ballots)
    start = time.perf_counter()

    def send(i: int) -> tuple[int, float]:
        delay = offsets[i] - (time.perf_counter() - start)
        if delay > 0:
            time.sleep(delay)
        return post_like_phone(base + path, ballots[i])

    with ThreadPoolExecutor(max_workers=128) as pool:
        return list(pool.map(send, range(len(ballots))))


def _report(name: str, results: list[tuple[int, float]]) -> None:
    ok = sorted(t for s, t in results if s == 200)
    errors = Counter(s for s, _ in results if s != 200)

    def pct(q: float) -> float:
        return ok[min(len(ok) - 1, int(q * len(ok)))] * 1000 if ok else float("nan")

    print(
        f"{name}: accepted {len(ok)}/{len(results)} ({100 * len(ok) / len(results):.1f} %), "
        f"errors {dict(errors)}; p50 {pct(0.5):.0f} ms, p95 {pct(0.95):.0f} ms, "
        f"p99 {pct(0.99):.0f} ms, max {ok[-1] * 1000 if ok else 0:.0f} ms; "
        f"resent by the phone after {dict(RETRIES) or 'nothing'}"
    )
    RETRIES.clear()


def main() -> None:
    """Prepare, run the quiet phase, then the hostile phase, print the figures."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--members", type=int, default=500)
    ap.add_argument("--officials", type=int, default=44)
    ap.add_argument("--window", type=float, default=60.0)
    ap.add_argument("--db", choices=["sqlite", "postgresql"], default="postgresql")
    ap.add_argument("--port", type=int, default=8766)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="phieu-hostile-"))
    dbname = None
    if args.db == "postgresql":
        dbname = f"phieu_hostile_{secrets.token_hex(4)}"
        subprocess.run(
            [sys.executable, str(ROOT / "scripts/pgdb.py"), "create", PG_ADMIN, dbname], check=True
        )
        url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{dbname}"
    else:
        url = f"sqlite:///{tmp}/hostile.sqlite3"
    env = {
        "DATABASE_URL": url,
        "PHIEU_SECRET_KEY": secrets.token_hex(32),
        "PHIEU_SERVER_KEY_PATH": str(tmp / "server.pem"),
        "PHIEU_RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
        "PHIEU_RATELIMIT_KEY_PREFIX": f"hostile-{secrets.token_hex(4)}",
        "PORT": str(args.port),
        "GUNICORN_LOGLEVEL": "warning",
    }
    t0 = time.perf_counter()
    public_id, manifest, codes = make_vote(env, 2 * args.members + 1, args.officials)
    ballots = encrypt_all(manifest, public_id, codes[:-1])
    quiet, hostile = ballots[: args.members], ballots[args.members :]
    bads = _bad_ballots(manifest, public_id, codes[-1], 50)  # the attacker's own card
    spare = bads[0]
    print(
        f"prepared {len(ballots)} ballots × {args.officials} rows in "
        f"{time.perf_counter() - t0:.1f} s ({args.db}, Redis limits)"
    )
    log = (tmp / "gunicorn.log").open("wb")
    server = subprocess.Popen(  # our own gunicorn, shipped configuration
        [str(ROOT / ".venv/bin/gunicorn"), "-c", "config/gunicorn.conf.py", "wsgi:app"],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=log,
        stderr=log,
    )
    try:
        base = f"http://127.0.0.1:{args.port}"
        for _ in range(150):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1).read()  # noqa: S310
                break
            except OSError:
                time.sleep(0.2)
        path = f"/v/{public_id}/cast"
        print(f"load average before: {os.getloadavg()}")
        _report("quiet  ", _phase(base, path, quiet, args.window))
        got: Counter = Counter()
        stop = time.monotonic() + args.window + 2
        attackers = [
            threading.Thread(target=_junk_flood, args=(args.port, path, stop, got)),
            threading.Thread(target=_slow_body, args=(args.port, path, spare, stop, got)),
            threading.Thread(target=_bad_card, args=(args.port, path, bads, stop, got)),
            threading.Thread(target=_idle, args=(args.port, 50, stop, got)),
        ]
        for a in attackers:
            a.start()
        time.sleep(1)
        _report("hostile", _phase(base, path, hostile, args.window))
        for a in attackers:
            a.join(timeout=args.window + 30)
        print(f"attackers got: {dict(sorted(got.items()))}")
        print(f"load average after: {os.getloadavg()}")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
        log.close()
        print(f"server log: {tmp / 'gunicorn.log'}")
        if dbname:
            subprocess.run(
                [sys.executable, str(ROOT / "scripts/pgdb.py"), "drop", PG_ADMIN, dbname],
                check=False,
            )


if __name__ == "__main__":
    main()
