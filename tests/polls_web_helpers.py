"""Helpers for the secretariat page tests: log in, post forms with CSRF, set up a vote.

The key ceremony is run over HTTP by simulated trustees' devices (keys.dkg in Python,
ballot.polls.devices) posting to the board with their link tokens, from a client of
their own (no secretariat cookie).
"""

from __future__ import annotations

import io
import json
import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from ballot.db import db
from ballot.polls.devices import SimulatedDevices
from ballot.polls.models import Official, Poll
from tests.conftest import DEFAULT_PASSWORD, extract_csrf

TRUSTEES = ["Nguyễn Văn An", "Lê Thị Bình", "Trần Văn Cường"]
PASSPHRASES = ["mật khẩu thứ nhất", "mật khẩu thứ hai", "mật khẩu thứ ba"]
OFFICIALS_CSV = (
    "Thứ tự,Họ và tên,Chức vụ\n"
    "1,Nguyễn Văn Một,Chủ tịch UBND tỉnh\n"
    "2,Trần Thị Hai,Phó Chủ tịch HĐND tỉnh\n"
    "3,Lê Văn Ba,Giám đốc Sở Tài chính\n"
)


def login(client: FlaskClient, username: str) -> None:
    """Log in through the real form."""
    token = extract_csrf(client.get("/account/login").get_data(as_text=True))
    response = client.post(
        "/account/login",
        data={"username": username, "password": DEFAULT_PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302, response.get_data(as_text=True)


def token(client: FlaskClient) -> str:
    """The session's CSRF token (the logout form, or the login form when logged out)."""
    page = client.get("/").get_data(as_text=True)
    if "csrf_token" not in page:
        page = client.get("/account/login").get_data(as_text=True)
    return extract_csrf(page)


def post(client: FlaskClient, url: str, data: dict[str, Any] | None = None, **kw: Any) -> Any:
    """POST a form with the session's CSRF token."""
    return client.post(url, data={"csrf_token": token(client), **(data or {})}, **kw)


#: Simulated devices of each vote prepared here, by public id (for the confirmations).
DEVICES: dict[str, tuple[SimulatedDevices, Any]] = {}
#: Their link tokens, by public id (tests that post hostile messages as a trustee).
TOKENS: dict[str, dict[int, str]] = {}


def link_tokens(page: str) -> dict[int, str]:
    """The trustees' tokens from the links shown once on the ceremony page."""
    found = re.findall(r'id="link-(\d+)".*?#t=([A-Za-z0-9_-]+)', page, re.S)
    return {int(i): t for i, t in found}


def message(client: FlaskClient, pid: str, token: str, body: Any) -> Any:
    """POST one message to the board with a trustee token (raw bytes or JSON)."""
    data = body if isinstance(body, (bytes, str)) else json.dumps(body)
    return client.post(
        f"/polls/{pid}/ceremony/message",
        data=data,
        headers={"Content-Type": "application/json", "X-Trustee-Token": token},
    )


def start_ceremony(client: FlaskClient, pid: str) -> dict[int, str]:
    """Start the ceremony through the secretariat's page; the links' tokens."""
    response = post(client, f"/polls/{pid}/ceremony/start")
    assert response.status_code == 200, response.get_data(as_text=True)
    tokens = link_tokens(response.get_data(as_text=True))
    assert sorted(tokens) == list(range(1, len(tokens) + 1)) and tokens
    return tokens


def ceremony_over_http(
    client: FlaskClient, pid: str, keep_states: bool = False
) -> SimulatedDevices:
    """Start the ceremony and let simulated devices run it over HTTP (no cookies)."""
    tokens = start_ceremony(client, pid)
    device_client = client.application.test_client()

    def send(index: int, msg: dict[str, Any]) -> dict[str, Any]:
        r = message(device_client, pid, tokens[index], msg)
        assert r.status_code == 200, r.get_data(as_text=True)
        return dict(r.get_json()["board"])

    board = device_client.get(f"/polls/{pid}/ceremony/board.json").get_json()
    devices = SimulatedDevices(pid, board["names"], board["threshold"], board["ceremony"])
    devices.keep_states = keep_states
    devices.run(send)
    DEVICES[pid] = (devices, send)
    TOKENS[pid] = tokens
    return devices


def confirm_all(client: FlaskClient, pid: str) -> None:
    """Every simulated device fetches the candidate manifest and confirms it."""
    devices, send = DEVICES[pid]
    manifest = client.application.test_client().get(f"/polls/{pid}/ceremony/manifest.json")
    assert manifest.status_code == 200, manifest.get_data(as_text=True)
    devices.confirm(send, manifest.get_json())


def create_vote(client: FlaskClient, summoned: int = 4, **overrides: Any) -> str:
    """Create a vote through the form; return its public id."""
    data = {
        "meeting": "Kỳ họp thứ Mười, HĐND tỉnh",
        "title": "Lấy phiếu tín nhiệm giữa nhiệm kỳ",
        "kind": "rating",
        "summoned": str(summoned),
        "denominator": "returned",
        "members_total": "",
        "trustee_names": "\n".join(TRUSTEES),
        "threshold": "2",
        **overrides,
    }
    response = post(client, "/polls/new", data)
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"].rstrip("/").split("/")[-1]


def upload(client: FlaskClient, pid: str, content: bytes, name: str = "ds.csv") -> Any:
    """Upload an officials file to the import form."""
    return post(
        client,
        f"/polls/{pid}/officials/import",
        {"file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def prepare_vote(client: FlaskClient, summoned: int = 4, spares: int = 2) -> tuple[str, bytes]:
    """Create, import, ceremony, print (returns the PDF); the vote is still in draft."""
    pid = create_vote(client, summoned)
    assert upload(client, pid, OFFICIALS_CSV.encode()).status_code == 302
    ceremony_over_http(client, pid)
    response = post(client, f"/polls/{pid}/cards/print", {"spares": str(spares)})
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    return pid, response.data


def frozen_vote(client: FlaskClient, summoned: int = 4, spares: int = 2) -> str:
    """A vote prepared through the pages, confirmed by every trustee's device, frozen."""
    pid, _pdf = prepare_vote(client, summoned, spares)
    confirm_all(client, pid)
    assert post(client, f"/polls/{pid}/freeze", {"confirm": "y"}).status_code == 302
    return pid


def poll_row(app: Flask, pid: str) -> Poll:
    """The vote as stored now (detached)."""
    with app.app_context():
        poll = db.session.scalar(select(Poll).where(Poll.public_id == pid))
        assert poll is not None
        db.session.expunge(poll)
        return poll


def official_rows(app: Flask, pid: str) -> list[tuple[int, str, str]]:
    """(order, name, position) of the vote's officials."""
    with app.app_context():
        poll = db.session.scalar(select(Poll).where(Poll.public_id == pid))
        assert poll is not None
        rows = db.session.scalars(
            select(Official).where(Official.poll_id == poll.id).order_by(Official.position_order)
        )
        return [(o.position_order, o.name, o.position) for o in rows]
