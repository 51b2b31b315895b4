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
