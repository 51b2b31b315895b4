"""Web attacks of issue 10 on real gunicorn (SQLite, or PostgreSQL with
TEST_DATABASE_URL): the open-redirect bypasses on the language switch and the login
form, NUL characters in a path, a query and a JSON body, and a ballot of hundreds of rows, each
refused with the right answer and never a 500 or a traceback in the server's log.
(Each is also tested in-process in its own file; here the real server answers.)
"""

from __future__ import annotations

import http.client
import json
import time
import urllib.parse

import pytest

from tests.gunicorn_helpers import drop_database, make_server, prepare_vote
from tests.test_harden_redirects import BYPASSES

pytestmark = pytest.mark.slow


def _raw(port: int, method: str, path: str, body: bytes | None = None) -> tuple[int, str, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    headers = {"Accept": "application/json"}
    if body is not None:
        headers["Content-Type"] = "application/json"
    try:
        conn.putrequest(method, path, skip_accept_encoding=True)
        for name, value in {**headers, "Content-Length": str(len(body or b""))}.items():
            conn.putheader(name, value)
        conn.endheaders(body)
        r = conn.getresponse()
        return r.status, r.getheader("Location") or "", r.read()
    finally:
        conn.close()


@pytest.fixture
def server(tmp_path):
    srv = make_server(tmp_path, workers=2)
    public_id, ballots = prepare_vote(srv, 3, 2)
    srv.extra.update(public_id=public_id, ballots=ballots)
    srv.start()
    yield srv
    srv.stop()
    drop_database(srv.pg_name)


def test_web_attacks_on_real_gunicorn(server) -> None:
    port, public_id = server.port, server.extra["public_id"]
    # Open redirects: never a Location outside this site.
    for target in BYPASSES:
        quoted = urllib.parse.quote(target, safe="")
        for path in (f"/lang/vi?next={quoted}", f"/lang/en?next={quoted}"):
            status, location, _ = _raw(port, "GET", path)
            assert status in (302, 303, 400), (target, status)
            if status != 400:
                assert location.startswith("/") and not location.startswith(("//", "/\\")), (
                    target,
                    location,
                )
    # NUL: a clear 400 in the path, the query and a JSON string.
    for method, path, body in (
        ("GET", f"/v/{public_id}%00", None),
        ("GET", f"/board/{public_id}?after=%00", None),
        ("GET", "/account/login?next=%00", None),
        ("POST", f"/v/{public_id}%00/cast", b"{}"),
        ("POST", f"/v/{public_id}/cast", b'{"card": "\\u0000"}'),
    ):
        status, _loc, answer = _raw(port, method, path, body)
        assert status == 400 and json.loads(answer)["error"] == "nul_character", (path, answer)
    # A ballot of hundreds of rows (copied from a real one): refused fast, before any point.
    ballot = json.loads(server.extra["ballots"][0])
    row_size = len(json.dumps(ballot["rows"][0], separators=(",", ":"))) + 1
    copies = 250_000 // row_size // len(ballot["rows"])  # as many rows as fit in 256 KiB
    big = json.dumps({**ballot, "rows": ballot["rows"] * copies}, separators=(",", ":")).encode()
    assert len(ballot["rows"]) * copies >= 300 and len(big) < 256 * 1024
    start = time.monotonic()
    status, _loc, answer = _raw(port, "POST", f"/v/{public_id}/cast", big)
    assert status == 400 and json.loads(answer)["error"] == "bad_ballot", answer
    assert time.monotonic() - start < 2.0
    # The member's real ballot is still accepted, and the server logged no traceback.
    status, _loc, answer = _raw(port, "POST", f"/v/{public_id}/cast", server.extra["ballots"][0])
    assert status == 200, answer
    time.sleep(0.3)
    log = server.log.read_text(errors="replace")
    assert "Traceback" not in log and '" 500 ' not in log
