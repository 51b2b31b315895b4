"""A NUL byte in a public id, a query, a username or any form field gets a clear 400,
never a 500 (PostgreSQL refuses NUL in text). Runs on the session's database: SQLite,
or PostgreSQL with TEST_DATABASE_URL (issue 10)."""

from __future__ import annotations

import os

import pytest

from tests.conftest import extract_csrf
from tests.voting_helpers import make_vote


def _assert_refused(response) -> None:
    assert response.status_code == 400, response.status_code
    if response.is_json:
        assert response.json["error"] == "nul_character"
        assert "NUL" in response.json["message"]
    else:
        assert "NUL" in response.get_data(as_text=True)


def test_database_in_use() -> None:
    if not os.environ.get("TEST_DATABASE_URL"):
        print("NUL tests run on SQLite only: set TEST_DATABASE_URL for PostgreSQL")


@pytest.mark.parametrize(
    "url",
    [
        "/v/%00abc",
        "/v/ab%00c/manifest.json",
        "/v/abc/card/%00" + "0" * 63,
        "/board/%00x",
        "/board/x/board.json?after=%00",
        "/projector/%00",
        "/polls/%00x",
        "/lang/vi?next=/%00",
        "/account/login?next=%00",
    ],
)
def test_nul_in_path_or_query(client, url) -> None:
    _assert_refused(client.get(url))
    _assert_refused(client.get(url, headers={"Accept": "application/json"}))


def test_nul_in_real_vote_ids(app, client) -> None:
    with app.app_context():
        vote = make_vote(members=2, officials=1)
    _assert_refused(client.get(f"/v/{vote.public_id}%00"))
    r = client.post(f"/v/{vote.public_id}%00/cast", data=b"{}", content_type="application/json")
    _assert_refused(r)
    assert client.get(f"/v/{vote.public_id}/manifest.json").status_code == 200


def test_nul_in_login_username_and_password(client, make_user) -> None:
    make_user("thuky")
    for field in ("username", "password"):
        token = extract_csrf(client.get("/account/login").get_data(as_text=True))
        data = {"username": "thuky", "password": "mat-khau-thu-nghiem", "csrf_token": token}
        data[field] = data[field][:3] + "\x00" + data[field][3:]
        _assert_refused(client.post("/account/login", data=data))
    token = extract_csrf(client.get("/account/login").get_data(as_text=True))
    r = client.post("/account/login", data={"username\x00": "x", "csrf_token": token})
    _assert_refused(r)


def test_nul_in_a_form_field_when_logged_in(app, client, auth, make_user) -> None:
    make_user("thuky")
    auth.login("thuky")
    with app.app_context():
        vote = make_vote(members=2, officials=1, state="ready")
    page = client.get(f"/polls/{vote.public_id}/cards").get_data(as_text=True)
    token = extract_csrf(page)
    r = client.post(
        f"/polls/{vote.public_id}/cards/revoke", data={"serial": "00\x0001", "csrf_token": token}
    )
    _assert_refused(r)
