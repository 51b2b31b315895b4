"""One attendee must not be able to stop the vote (issue 10), on real gunicorn with the
shipped configuration (SQLite, or PostgreSQL with TEST_DATABASE_URL).

* a cast whose body arrives one byte every 2 s holds no lock: honest casts on the same
  server get 200 quickly, and the slow client is cut off at the read deadline;
* idle connections (more than threads × workers) and half-sent headers do not stop
  honest members, and silent connections are closed by the server.
"""

from __future__ import annotations

import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.gunicorn_helpers import drop_database, make_server, post, prepare_vote

pytestmark = pytest.mark.slow
READ_TIMEOUT = 4


@pytest.fixture
def server(tmp_path):
    # One worker: the worst case for a slow client (every thread shares one process).
    srv = make_server(tmp_path, workers=1, READ_TIMEOUT=str(READ_TIMEOUT))
    yield srv
    srv.stop()
    drop_database(srv.pg_name)


def _slow_cast(port: int, path: str, body: bytes, gap: float, seconds: float) -> dict:
    """Send the headers, then the body one byte per ``gap`` s (for at most ``seconds``)."""
    out: dict = {"answer": b"", "cut_after": None}
    s = socket.create_connection(("127.0.0.1", port), timeout=seconds + 5)
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    s.sendall(head.encode())
    start = time.monotonic()
    try:
        for byte in body:
            if time.monotonic() - start > seconds:
                break
            s.sendall(bytes([byte]))
            time.sleep(gap)
            s.setblocking(False)
            try:
                chunk = s.recv(4096)
            except BlockingIOError:
                chunk = None
            finally:
                s.setblocking(True)
            if chunk is not None:  # an answer, or the server closed the connection
                out["answer"] = chunk
                out["cut_after"] = time.monotonic() - start
                break
    except OSError:
        out["cut_after"] = time.monotonic() - start
    finally:
        s.close()
    return out


def test_a_slow_body_does_not_block_honest_casts(server) -> None:
    public_id, ballots = prepare_vote(server, members=6, officials=4)
    server.start()
    path = f"/v/{public_id}/cast"
    result: dict = {}
    slow = threading.Thread(
        target=lambda: result.update(_slow_cast(server.port, path, ballots[0], 2.0, 16))
    )
    slow.start()
    time.sleep(1.0)  # the slow cast is in the server, its body half-sent
    latencies = []
    for body in ballots[1:]:
        start = time.monotonic()
        status, answer = post(server.base + path, body, timeout=20)
        latencies.append(time.monotonic() - start)
        assert status == 200, answer
    slow.join(timeout=30)
    assert max(latencies) < 2.0, latencies  # no wait for the slow client's lock
    # The slow client was cut off at the read deadline (408, or the connection closed).
    assert result["cut_after"] is not None and result["cut_after"] < READ_TIMEOUT + 3
    assert not result["answer"] or b" 408 " in result["answer"].split(b"\r\n")[0]
    # The slow member's ballot, sent properly, is accepted: nothing was locked or burned.
    assert post(server.base + path, ballots[0])[0] == 200


def test_idle_connections_do_not_stop_honest_members(server) -> None:
    public_id, ballots = prepare_vote(server, members=8, officials=4)
    server.start()
    path = f"/v/{public_id}/cast"
    idle = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(50)]
    half = []
    for _ in range(10):  # request line sent, headers never finished (< 16 threads)
        s = socket.create_connection(("127.0.0.1", server.port))
        s.sendall(f"POST {path} HTTP/1.1\r\nHost: x\r\n".encode())
        half.append(s)
    try:
        time.sleep(0.5)
        for body in ballots:
            start = time.monotonic()
            status, answer = post(server.base + path, body, timeout=20)
            assert status == 200, answer
            assert time.monotonic() - start < 2.0
        # The server closes silent connections itself (keep-alive time, 10 s) and
        # half-sent requests at the read deadline.
        deadline = time.monotonic() + 20
        for s in idle + half:
            s.settimeout(max(0.1, deadline - time.monotonic()))
            try:
                assert s.recv(4096) is not None  # b"" (closed) or an error page
            except ConnectionResetError:
                pass
        assert time.monotonic() < deadline
    finally:
        for s in idle + half:
            s.close()


def test_junk_flood_from_the_room_address_blocks_no_member(tmp_path) -> None:
    """Attack 1: the room shares one address (here 127.0.0.1); one phone floods junk
    casts past the per-address limit, and every member, same address, still votes."""
    srv = make_server(tmp_path, workers=1, CAST_ADDRESS_RATE_LIMIT="30 per minute")
    try:
        public_id, ballots = prepare_vote(srv, members=8, officials=4)
        srv.start()
        url = f"{srv.base}/v/{public_id}/cast"
        with ThreadPoolExecutor(max_workers=8) as pool:
            junk = list(pool.map(lambda body: post(url, body)[0], [b"{}", b"junk"] * 100))
        assert junk.count(429) >= 150 and set(junk) == {400, 429}, junk
        for body in ballots:
            status, answer = post(url, body)
            assert status == 200, answer
    finally:
        srv.stop()
        drop_database(srv.pg_name)
