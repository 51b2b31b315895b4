"""More attacks of issue 10 on real gunicorn (SQLite, or PostgreSQL with
TEST_DATABASE_URL), one server for the module: results.csv with formula names comes
out quoted; a database error in a cast logs none of the ballot's values; an XLSX of
5 million empty rows is refused quickly while casts and a check-in go on; and the
login form's ``next=`` never sends the browser off-site. (Each is also tested
in-process: tests/test_harden_csv.py, test_harden_sqllog.py, test_hostile_cheap.py,
test_harden_redirects.py.)
"""

from __future__ import annotations

import csv
import http.client
import io
import json
import os
import re
import subprocess
import sys
import time
import urllib.parse
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from keys.ballot import Ballot
from tests.gunicorn_helpers import ROOT, drop_database, make_server, post
from tests.prepare_hostile import HOSTILE
from tests.test_harden_redirects import BYPASSES
from tests.test_harden_sessions_gunicorn import PASSWORD, Browser, _present
from tests.xlsx_bombs import empty_rows

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hostile-more")
    # Many correct logins in a row (one per redirect bypass): the limit is not tested here.
    srv = make_server(tmp, workers=2, LOGIN_RATE_LIMIT="1000 per minute")
    out = subprocess.run(  # our own interpreter and module
        [sys.executable, "-m", "tests.prepare_hostile", PASSWORD],
        cwd=ROOT,
        env={**os.environ, **srv.env},
        capture_output=True,
        check=True,
    )
    srv.extra.update(json.loads(out.stdout))
    srv.start()
    yield srv
    srv.stop()
    drop_database(srv.pg_name)


def _logged_in(server) -> Browser:
    browser = Browser(server.port)
    browser.login()
    return browser


def _upload(browser: Browser, path: str, data: bytes, name: str) -> tuple[int, str, float]:
    token = browser.token("/")
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    headers = {
        "Content-Type": f"multipart/form-data; boundary={boundary}",
        "Cookie": "; ".join(f"{k}={v}" for k, v in browser.cookie_jar.items()),
    }
    conn = http.client.HTTPConnection("127.0.0.1", browser.port, timeout=60)
    start = time.monotonic()
    try:
        conn.request("POST", path, body=body, headers=headers)
        r = conn.getresponse()
        return r.status, r.read().decode(errors="replace"), time.monotonic() - start
    finally:
        conn.close()


def test_results_csv_through_gunicorn_quotes_formula_names(server) -> None:
    browser = _logged_in(server)
    status, _loc, text = browser.request("GET", f"/polls/{server.extra['tallied']}/results.csv")
    assert status == 200, text[:500]
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))[1:]
    assert sorted(r[1] for r in rows) == sorted("'" + name for name in HOSTILE)
    assert {r[2] for r in rows} == {"'=1+1"}
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


def test_login_next_bypasses_through_gunicorn_stay_on_site(server) -> None:
    for target in BYPASSES:
        quoted = urllib.parse.quote(target, safe="")
        browser = Browser(server.port)
        token = browser.token("/account/login")
        form = {"username": "thuky", "password": PASSWORD, "csrf_token": token}
        status, location, _ = browser.request("POST", f"/account/login?next={quoted}", form)
        if "\x00" in target:
            assert status == 400, (target, status)  # NUL: refused outright
            continue
        assert status in (302, 303), (target, status)
        path = location.removeprefix(server.base)
        assert path.startswith("/") and not path.startswith(("//", "/\\")), (target, location)
        assert "evil" not in location.lower(), (target, location)


def test_xlsx_bomb_refused_quickly_while_the_room_votes(server) -> None:
    bomb = empty_rows(5_000_000)
    assert len(bomb) < 64 * 1024
    staff = _logged_in(server)
    open_id, ballots = server.extra["open"], server.extra["ballots"]
    present = _present(staff, open_id)
    token = staff.token(f"/polls/{open_id}/checkin")
    path = f"/polls/{server.extra['draft']}/officials/import"

    def upload(_: int):
        return _upload(_logged_in(server), path, bomb, "ds.xlsx")

    def cast(i: int):
        start = time.monotonic()
        status, _answer = post(f"{server.base}/v/{open_id}/cast", ballots[i].encode(), 30)
        return status, time.monotonic() - start

    with ThreadPoolExecutor(max_workers=6) as pool:
        bombs = [pool.submit(upload, i) for i in range(3)]
        time.sleep(0.2)  # the uploads are being read and parsed
        casts = [pool.submit(cast, i) for i in range(3)]
        form = {"delta": "minus", "csrf_token": token}
        checkin = staff.request("POST", f"/polls/{open_id}/checkin", form)
        for future in bombs:
            status, text, took = future.result()
            assert status == 400, (status, text[:300])
            assert "too many rows" in text or "quá nhiều" in text
            assert took < 10, took
        for future in casts:
            status, took = future.result()
            assert status == 200 and took < 5, (status, took)
    assert checkin[0] in (302, 303)
    assert _present(staff, open_id) == present - 1


#: The disk fills at the moment a ballot is written (simulated by a trigger that fails
#: the INSERT with the database's own "disk full" error): the failing statement's
#: parameters are the ballot's card key, tracker and body.
DISK_FULL = {
    "sqlite": [
        "CREATE TRIGGER disk_full BEFORE INSERT ON ballots "
        "BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END"
    ],
    "postgresql": [
        "CREATE FUNCTION disk_full() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION "
        "'could not extend file: No space left on device' USING ERRCODE = '53100'; "
        "END $$ LANGUAGE plpgsql",
        "CREATE TRIGGER disk_full BEFORE INSERT ON ballots FOR EACH ROW "
        "EXECUTE FUNCTION disk_full()",
    ],
}
DISK_BACK = {
    "sqlite": ["DROP TRIGGER disk_full"],
    "postgresql": ["DROP TRIGGER disk_full ON ballots", "DROP FUNCTION disk_full()"],
}


def test_database_error_in_a_cast_logs_no_ballot_values(server) -> None:
    body = server.extra["ballots"][4].encode()
    parsed = Ballot.from_json(json.loads(body))
    card, tracker = parsed.card.hex(), parsed.tracker().hex()
    engine = sa.create_engine(server.env["DATABASE_URL"])
    dialect = engine.dialect.name
    before = server.log.read_text(errors="replace")
    try:
        with engine.begin() as conn:
            for sql in DISK_FULL[dialect]:
                conn.exec_driver_sql(sql)
        status, answer = post(f"{server.base}/v/{server.extra['open']}/cast", body)
        assert status == 500 and answer.get("error") == "server_error", (status, answer)
        assert "disk" not in json.dumps(answer)  # nothing of the database to the client
    finally:
        with engine.begin() as conn:
            for sql in DISK_BACK[dialect]:
                conn.exec_driver_sql(sql)
        engine.dispose()
    time.sleep(0.3)
    log = server.log.read_text(errors="replace")[len(before) :]
    assert re.search(r"IntegrityError|OperationalError|InternalError|DatabaseError", log), log
    assert "INSERT INTO ballots" in log and "hidden" in log, log[-3000:]
    values = [card, card.upper(), tracker, parsed.rows[0].to_json()["alpha"]]
    values += [repr(parsed.card)[2:18], repr(parsed.tracker())[2:18]]  # bytes as logged
    for value in values:
        assert value[:16] not in log, value
    # Nothing was stored: the same ballot is accepted once the disk has room again.
    assert post(f"{server.base}/v/{server.extra['open']}/cast", body)[0] == 200
