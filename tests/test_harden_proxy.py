"""X-Forwarded-For is believed only from a trusted proxy (issue 10): with
``PROXY_FIX_X_FOR = 1`` and gunicorn reached directly, a client that sends a new
X-Forwarded-For with every request must not escape the login limit, on real gunicorn.

The trusted proxy is 127.0.0.1; the "direct" client connects from 127.0.0.2 (another
loopback address, as a phone on the LAN would connect from its own address).
"""

from __future__ import annotations

import http.client
import re
import secrets
import urllib.parse

import pytest

from ballot.security import TrustedProxyFix, trusted_networks
from tests.gunicorn_helpers import drop_database, make_server, prepare_vote

pytestmark = pytest.mark.slow


def _login(port: int, source: str, forwarded_for: str | None) -> int:
    """One login attempt with a wrong password, from ``source``; the answer's status."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10, source_address=(source, 0))
    try:
        extra = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
        conn.request("GET", "/account/login", headers=extra)
        page = conn.getresponse()
        html = page.read().decode()
        cookie = page.getheader("Set-Cookie", "").split(";", 1)[0]
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
        assert token, html[:500]
        body = urllib.parse.urlencode(
            {"username": "thuky", "password": secrets.token_hex(8), "csrf_token": token[1]}
        )
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": cookie,
            **extra,
        }
        conn.request("POST", "/account/login", body=body, headers=headers)
        answer = conn.getresponse()
        answer.read()
        return answer.status
    finally:
        conn.close()


@pytest.fixture
def server(tmp_path):
    srv = make_server(
        tmp_path,
        workers=1,
        LOGIN_RATE_LIMIT="3 per minute",
        PROXY_FIX_X_FOR="1",
        PROXY_TRUSTED="127.0.0.1",
    )
    prepare_vote(srv, 1, 1)  # migrates the database
    srv.start()
    yield srv
    srv.stop()
    drop_database(srv.pg_name)


def test_forged_forwarded_for_from_a_direct_client_is_ignored(server) -> None:
    try:
        statuses = [_login(server.port, "127.0.0.2", f"198.51.100.{i}") for i in range(6)]
    except OSError as err:  # no second loopback address on this machine
        pytest.skip(f"cannot connect from 127.0.0.2: {err}")
    assert statuses == [200, 200, 200, 429, 429, 429], statuses


def test_forwarded_for_from_the_trusted_proxy_is_believed(server) -> None:
    # nginx on the same machine (127.0.0.1) forwards six different phones: each has its
    # own budget, while the same phone through the proxy is limited.
    assert [_login(server.port, "127.0.0.1", f"198.51.100.{i}") for i in range(6)] == [200] * 6
    same = [_login(server.port, "127.0.0.1", "203.0.113.9") for _ in range(4)]
    assert same == [200, 200, 200, 429], same


def test_middleware_drops_forwarding_headers_from_untrusted_peers() -> None:
    seen: list[dict[str, str]] = []

    def app(environ, start_response):
        seen.append(dict(environ))
        return []

    fix = TrustedProxyFix(app, trusted_networks("10.0.0.0/24, ::1"), x_for=1, x_proto=1)
    forged = {"HTTP_X_FORWARDED_FOR": "1.2.3.4", "HTTP_X_FORWARDED_PROTO": "https"}
    fix({"REMOTE_ADDR": "10.0.1.7", "wsgi.url_scheme": "http", **forged}, None)
    assert seen[-1]["REMOTE_ADDR"] == "10.0.1.7" and "HTTP_X_FORWARDED_FOR" not in seen[-1]
    assert seen[-1]["wsgi.url_scheme"] == "http"
    fix({"REMOTE_ADDR": "10.0.0.7", "wsgi.url_scheme": "http", **forged}, None)
    assert seen[-1]["REMOTE_ADDR"] == "1.2.3.4" and seen[-1]["wsgi.url_scheme"] == "https"
    fix({"REMOTE_ADDR": "::1", "wsgi.url_scheme": "http", **forged}, None)
    assert seen[-1]["REMOTE_ADDR"] == "1.2.3.4"
    fix({"REMOTE_ADDR": "not-an-address", "wsgi.url_scheme": "http", **forged}, None)
    assert seen[-1]["REMOTE_ADDR"] == "not-an-address"


def test_bad_trusted_list_refuses_to_start(make_app) -> None:
    from ballot.startup import ConfigurationError

    with pytest.raises(ConfigurationError, match="PROXY_TRUSTED") as caught:
        make_app(PROXY_FIX_X_FOR=1, PROXY_TRUSTED="nginx.local")
    assert str(caught.value).startswith("Lỗi: PROXY_TRUSTED")
