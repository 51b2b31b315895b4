"""gunicorn's access log on a real server: a path cannot forge a log line, and no card
key or receipt is written (the log would list the cards checked, in order) (issue 10)."""

from __future__ import annotations

import http.client
import secrets
import time

import pytest

from config.gunicorn_logger import safe_field
from tests.gunicorn_helpers import drop_database, make_server, prepare_vote

pytestmark = pytest.mark.slow


def test_safe_field_unit() -> None:
    key = "ab" * 32
    assert safe_field(f"/v/xyz/card/{key}") == "/v/xyz/card/<card>"
    assert safe_field(f"/board/x?q={key}") == "/board/x?q=<hex>"
    assert safe_field('/a\n"GET /forged" 200') == "/a\\x0a\\x22GET /forged\\x22 200"
    assert safe_field("/a\r\x1b[31m\\") == "/a\\x0d\\x1b[31m\\x5c"
    assert safe_field("/polls/abc/checkin") == "/polls/abc/checkin"


def _raw_get(port: int, path: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.putrequest("GET", path, skip_accept_encoding=True)
        conn.endheaders()
        return conn.getresponse().status
    finally:
        conn.close()


def test_access_log_on_real_gunicorn(tmp_path) -> None:
    server = make_server(tmp_path, workers=1)
    try:
        public_id, _ = prepare_vote(server, 2, 1)
        server.start()
        keys = [secrets.token_hex(32) for _ in range(3)]
        for key in keys:
            assert _raw_get(server.port, f"/v/{public_id}/card/{key}") == 200
        forged = '"GET /forged-line" 200 0 1us'
        attack = "/v/x%0a" + forged.replace('"', "%22").replace(" ", "%20") + "%0d%1b[2J/card/zz"
        assert _raw_get(server.port, attack) in (400, 404)
        assert _raw_get(server.port, "/board/" + public_id + "%0a%0aFAKE") == 404
        assert _raw_get(server.port, f"/board/{public_id}?q={keys[0]}") == 200
        time.sleep(0.3)
    finally:
        server.stop()
        drop_database(server.pg_name)
    log = server.log.read_text(errors="replace")
    lines = log.splitlines()
    access = [line for line in lines if line.startswith('"GET ')]
    assert len(access) >= 6, log[-2000:]
    assert sum(f"/v/{public_id}/card/<card>" in line for line in access) == 3
    for key in keys:
        assert key not in log
    assert not any(line.startswith('"GET /forged-line"') for line in lines), log[-2000:]
    assert not any(line.startswith(("FAKE", "\x1b")) for line in lines)
    assert "\x1b" not in log and "\r" not in log
    assert any("\\x0a\\x22GET /forged-line\\x22" in line for line in access)
