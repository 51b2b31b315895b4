"""Sessions end on real gunicorn (issue 10, attack 7), SQLite or PostgreSQL: a cookie
copied before logout is refused afterwards (GET and a check-in POST, nothing counted),
and a cookie is refused after the idle timeout and after the absolute timeout even
when it is used all the time. Timeouts are a few seconds here (minutes in production).
"""

from __future__ import annotations

import http.client
import os
import re
import subprocess
import sys
import time
import urllib.parse

import pytest

from tests.gunicorn_helpers import ROOT, drop_database, make_server, prepare_vote

pytestmark = pytest.mark.slow
PASSWORD = "mat-khau-thu-nghiem-dai"  # a test account's password


class Browser:
    """One browser: its cookies (the session's and any other), over plain HTTP."""

    def __init__(self, port: int, cookie: str = "") -> None:
        self.port = port
        self.cookie_jar: dict[str, str] = {}
        self.cookie = cookie

    @property
    def cookie(self) -> str:
        """The session cookie as a Cookie header value ("phieu_session=…")."""
        value = self.cookie_jar.get("phieu_session")
        return f"phieu_session={value}" if value else ""

    @cookie.setter
    def cookie(self, header: str) -> None:
        """Only this session cookie from now on (a thief's copy)."""
        self.cookie_jar = {}
        if header:
            name, _eq, value = header.partition("=")
            self.cookie_jar[name] = value

    def request(self, method: str, path: str, form: dict[str, str] | None = None, json=False):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        headers = {}
        if self.cookie_jar:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookie_jar.items())
        if json:
            headers["Accept"] = "application/json"
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=headers)
            r = conn.getresponse()
            text = r.read().decode(errors="replace")
            for line in r.msg.get_all("Set-Cookie") or []:
                name, _eq, value = line.split(";", 1)[0].partition("=")
                self.cookie_jar[name.strip()] = value
            return r.status, r.getheader("Location") or "", text
        finally:
            conn.close()

    def token(self, path: str) -> str:
        status, _loc, html = self.request("GET", path)
        assert status == 200, (path, status)
        found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
        assert found, html[:300]
        return found[1]

    def login(self) -> None:
        token = self.token("/account/login")
        form = {"username": "thuky", "password": PASSWORD, "csrf_token": token}
        status, location, _ = self.request("POST", "/account/login", form)
        assert status == 302 and "/account/login" not in location, (status, location)


def _server(tmp_path, idle: int, absolute: int):
    server = make_server(
        tmp_path, workers=2, SESSION_IDLE_TIMEOUT=str(idle), SESSION_ABSOLUTE_TIMEOUT=str(absolute)
    )
    public_id, _ = prepare_vote(server, 4, 1)
    subprocess.run(  # our own interpreter: the account, password at the prompt
        [sys.executable, "-m", "flask", "--app", "wsgi", "users", "create", "thuky"]
        + ["--role", "secretariat"],
        cwd=ROOT,
        env={**os.environ, **server.env},
        input=f"{PASSWORD}\n{PASSWORD}\n",
        capture_output=True,
        text=True,
        check=True,
    )
    server.start()
    return server, public_id


def _present(browser: Browser, public_id: str) -> int:
    status, _loc, text = browser.request("GET", f"/polls/{public_id}/checkin")
    assert status == 200
    return int(re.search(r'id="present-count">(\d+)<', text)[1])


def _refused(port: int, cookie: str, token: str, public_id: str) -> None:
    thief = Browser(port, cookie)
    status, location, _ = thief.request("GET", f"/polls/{public_id}/checkin")
    assert status == 302 and "/account/login" in location, (status, location)
    thief.cookie = cookie
    status, _loc, text = thief.request("GET", f"/polls/{public_id}/checkin", json=True)
    assert status == 401 and '"unauthorized"' in text
    thief.cookie = cookie
    form = {"delta": "minus", "csrf_token": token}
    status, location, _ = thief.request("POST", f"/polls/{public_id}/checkin", form, json=True)
    assert status in (400, 401), status


@pytest.fixture
def long_sessions(tmp_path):
    server, public_id = _server(tmp_path, idle=600, absolute=3600)
    yield server, public_id
    server.stop()
    drop_database(server.pg_name)


def test_cookie_replayed_after_logout_is_refused(long_sessions) -> None:
    server, public_id = long_sessions
    owner = Browser(server.port)
    owner.login()
    token = owner.token(f"/polls/{public_id}/checkin")
    copied = owner.cookie
    before = _present(owner, public_id)
    # The copy works while the owner is logged in (else the refusal below proves nothing).
    thief = Browser(server.port, copied)
    status, location, _ = thief.request(
        "POST", f"/polls/{public_id}/checkin", {"delta": "minus", "csrf_token": token}
    )
    assert status == 302 and location.endswith("/checkin"), (status, location)
    assert _present(owner, public_id) == before - 1
    logout = owner.token("/")
    status, _loc, _ = owner.request("POST", "/account/logout", {"csrf_token": logout})
    assert status == 302
    _refused(server.port, copied, token, public_id)
    again = Browser(server.port)
    again.login()
    assert _present(again, public_id) == before - 1  # the replayed check-in did nothing


@pytest.mark.parametrize(("idle", "absolute"), [(3, 3600), (600, 4)])
def test_idle_and_absolute_timeouts(tmp_path, idle: int, absolute: int) -> None:
    server, public_id = _server(tmp_path, idle=idle, absolute=absolute)
    try:
        owner = Browser(server.port)
        owner.login()
        token = owner.token(f"/polls/{public_id}/checkin")
        copied = owner.cookie
        if idle < absolute:  # left unused just past the idle timeout
            time.sleep(idle + 1.5)
        else:  # used every second, still ends at the absolute timeout
            deadline = time.time() + absolute + 1.5
            while time.time() < deadline:
                status, location, _ = owner.request("GET", f"/polls/{public_id}/checkin")
                assert status in (200, 302)
                time.sleep(1)
        _refused(server.port, copied, token, public_id)
        status, location, _ = owner.request("GET", f"/polls/{public_id}/checkin")
        assert status == 302 and "/account/login" in location
    finally:
        server.stop()
        drop_database(server.pg_name)
