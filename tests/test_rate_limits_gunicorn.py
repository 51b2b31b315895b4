"""Guessing card codes and passwords is rate limited, and the limit holds across the
workers of a real gunicorn through the shared Redis storage."""

from __future__ import annotations

import http.cookiejar
import re
import secrets
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.gunicorn_helpers import drop_database, make_server, prepare_vote

pytestmark = pytest.mark.slow
REDIS = "redis://127.0.0.1:6379/0"


def _redis_or_skip():
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(REDIS)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis at 127.0.0.1:6379: the shared-limit test cannot run")
    return client


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:  # noqa: S310 - loopback
            return r.status
    except urllib.error.HTTPError as err:
        return err.code


@pytest.fixture
def limited(tmp_path):
    client = _redis_or_skip()
    prefix = f"phieu-rl-{secrets.token_hex(4)}"
    server = make_server(
        tmp_path,
        workers=3,
        RATELIMIT_STORAGE_URI=REDIS,
        RATELIMIT_KEY_PREFIX=prefix,
        CARD_RATE_LIMIT="5 per minute",
        LOGIN_RATE_LIMIT="3 per minute",
    )
    yield server
    server.stop()
    drop_database(server.pg_name)
    for key in client.scan_iter(f"*{prefix}*"):
        client.delete(key)
    client.close()


def test_card_guessing_limit_holds_across_workers(limited):
    public_id, _ = prepare_vote(limited, 2, 1)
    limited.start()
    for _ in range(50):  # workers are forked one after another
        if len(limited.workers()) == 3:
            break
        time.sleep(0.2)
    assert len(limited.workers()) == 3
    urls = [f"{limited.base}/v/{public_id}/card/{secrets.token_hex(32)}" for _ in range(24)]
    with ThreadPoolExecutor(max_workers=12) as pool:
        statuses = list(pool.map(_get, urls))
    assert statuses.count(429) == 19, statuses
    assert sorted(set(statuses)) == [200, 429], statuses


def test_password_guessing_limit_holds_across_workers(limited):
    limited.start()

    def attempt(_: int) -> int:
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        page = opener.open(limited.base + "/account/login", timeout=10).read().decode()
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)[1]
        body = urllib.parse.urlencode(
            {"username": "thuky", "password": secrets.token_hex(8), "csrf_token": token}
        ).encode()
        try:
            with opener.open(limited.base + "/account/login", data=body, timeout=10) as r:
                return r.status
        except urllib.error.HTTPError as err:
            return err.code

    with ThreadPoolExecutor(max_workers=9) as pool:
        statuses = list(pool.map(attempt, range(12)))
    assert statuses.count(429) == 9, statuses


def test_room_cannot_lock_the_secretariat_out(limited):
    """Wrong passwords for the secretariat's account from the room's address (here every
    client is 127.0.0.1) fill the account-and-address bucket across the workers; the
    secretariat's browser, which logged in before, still logs in with its password."""
    import os
    import subprocess
    import sys

    from tests.gunicorn_helpers import ROOT
    from tests.test_harden_sessions_gunicorn import PASSWORD, Browser

    prepare_vote(limited, 1, 1)  # migrates the database
    subprocess.run(  # our own interpreter: the account, password at the prompt
        [sys.executable, "-m", "flask", "--app", "wsgi", "users", "create", "thuky"]
        + ["--role", "secretariat"],
        cwd=ROOT,
        env={**os.environ, **limited.env},
        input=f"{PASSWORD}\n{PASSWORD}\n",
        capture_output=True,
        text=True,
        check=True,
    )
    limited.start()
    laptop = Browser(limited.port)
    laptop.login()  # one attempt of the bucket's three, before the attack
    device = laptop.cookie_jar.get("phieu_device")
    assert device, laptop.cookie_jar
    laptop.request("POST", "/account/logout", {"csrf_token": laptop.token("/")})
    with ThreadPoolExecutor(max_workers=6) as pool:
        statuses = list(pool.map(lambda _: _wrong_login(limited.base), range(6)))
    assert statuses.count(429) == 4 and statuses.count(200) == 2, statuses
    fresh = Browser(limited.port)
    token = fresh.token("/account/login")
    form = {"username": "thuky", "password": PASSWORD, "csrf_token": token}
    assert fresh.request("POST", "/account/login", form)[0] == 429  # a new browser waits
    laptop.login()  # the known device: 302, not 429


def _wrong_login(base: str) -> int:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/account/login", timeout=10).read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)[1]
    body = urllib.parse.urlencode(
        {"username": "thuky", "password": secrets.token_hex(8), "csrf_token": token}
    ).encode()
    try:
        with opener.open(base + "/account/login", data=body, timeout=10) as r:
            return r.status
    except urllib.error.HTTPError as err:
        return err.code
