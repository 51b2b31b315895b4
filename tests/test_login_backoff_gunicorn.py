"""The login backoff on real gunicorn (3 workers, limits in Redis): one wrong password
makes every worker refuse the next attempt in that bucket until the wait is over, with
429 and Retry-After, while the secretariat's known laptop logs in at once. (The waits
and their doubling are tested with a moved clock in tests/test_login_backoff.py; here
the real clock runs for two seconds.)"""

from __future__ import annotations

import http.client
import os
import secrets
import subprocess
import sys
import time
import urllib.parse

import pytest

from tests.gunicorn_helpers import ROOT, drop_database, make_server, prepare_vote
from tests.test_harden_sessions_gunicorn import PASSWORD, Browser
from tests.test_rate_limits_gunicorn import REDIS, _redis_or_skip

pytestmark = pytest.mark.slow
WAIT = 2  # LOGIN_BACKOFF_BASE: the wait after one wrong password


@pytest.fixture
def server(tmp_path):
    client = _redis_or_skip()
    prefix = f"phieu-bo-{secrets.token_hex(4)}"
    srv = make_server(
        tmp_path,
        workers=3,
        RATELIMIT_STORAGE_URI=REDIS,
        RATELIMIT_KEY_PREFIX=prefix,
        LOGIN_RATE_LIMIT="1000 per minute",
        LOGIN_BACKOFF_BASE=str(WAIT),
    )
    prepare_vote(srv, 1, 1)  # migrates the database
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
    srv.start()
    srv.extra["prefix"] = prefix
    yield srv, client
    srv.stop()
    drop_database(srv.pg_name)
    for key in client.scan_iter(f"*{prefix}*"):
        client.delete(key)
    client.close()


def _login(port: int, password: str) -> tuple[int, str, str]:
    """A new browser's login: (status, Retry-After, page)."""
    browser = Browser(port)
    token = browser.token("/account/login")
    form = urllib.parse.urlencode({"username": "thuky", "password": password, "csrf_token": token})
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    cookies = "; ".join(f"{k}={v}" for k, v in browser.cookie_jar.items())
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookies}
    try:
        conn.request("POST", "/account/login", body=form, headers=headers)
        r = conn.getresponse()
        return r.status, r.getheader("Retry-After") or "", r.read().decode(errors="replace")
    finally:
        conn.close()


def test_backoff_holds_across_workers_and_spares_the_known_device(server) -> None:
    srv, redis = server
    laptop = Browser(srv.port)
    laptop.login()  # the day before
    laptop.request("POST", "/account/logout", {"csrf_token": laptop.token("/")})
    assert _login(srv.port, "wrong-password")[0] == 200  # the room's guess
    started = time.monotonic()
    refusals = [_login(srv.port, PASSWORD) for _ in range(6)]  # even the right password
    assert time.monotonic() - started < WAIT, "too slow to test the wait"
    for status, retry_after, page in refusals:
        assert status == 429 and retry_after in ("1", "2"), (status, retry_after)
        assert "Too many wrong passwords" in page or "Quá nhiều" in page
    assert any(k for k in redis.scan_iter(f"*{srv.extra['prefix']}*login-backoff*"))
    laptop.login()  # the known device: no wait
    time.sleep(WAIT + 0.2)
    assert _login(srv.port, PASSWORD)[0] == 302  # the wait is over


def _prepared_login(port: int, password: str):
    """A new browser with its form token: the POST is sent later, by ``send()``."""
    browser = Browser(port)
    token = browser.token("/account/login")
    form = urllib.parse.urlencode({"username": "thuky", "password": password, "csrf_token": token})
    cookies = "; ".join(f"{k}={v}" for k, v in browser.cookie_jar.items())
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookies}

    def send() -> tuple[int, str]:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
        try:
            conn.request("POST", "/account/login", body=form, headers=headers)
            r = conn.getresponse()
            return r.status, r.read().decode(errors="replace")
        finally:
            conn.close()

    return send


def test_parallel_wrong_passwords_get_one_check_between_them(server) -> None:
    """The attack: ten wrong passwords for one account from the room, sent at the same
    instant to three workers, so that none has recorded its failure when the others read
    the wait. One password is checked; the nine others are refused unchecked (429) — by
    the check in flight or by the wait its failure started — and the known laptop still
    logs in at once. (On PostgreSQL, without the one check in flight, all ten were
    checked; on SQLite every POST's write lock happens to serialise them.)"""
    import threading

    srv, _redis = server
    laptop = Browser(srv.port)
    laptop.login()
    laptop.request("POST", "/account/logout", {"csrf_token": laptop.token("/")})
    sends = [_prepared_login(srv.port, f"wrong-{i}") for i in range(10)]
    barrier = threading.Barrier(len(sends))
    results: list[tuple[int, str]] = []

    def go(send) -> None:
        barrier.wait()
        results.append(send())

    started = time.monotonic()
    threads = [threading.Thread(target=go, args=(s,)) for s in sends]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert time.monotonic() - started < WAIT, "too slow to test the wait"
    statuses = sorted(status for status, _ in results)
    assert statuses == [200] + [429] * 9, statuses
    checked = [page for status, page in results if status == 200]
    assert "Wrong username or password" in checked[0] or "Sai tên đăng nhập" in checked[0]
    laptop.login()  # the known device: no wait
