"""A copied session cookie stops working after logout, a password or role change, the
idle timeout and the absolute timeout: GET pages and check-in POSTs alike (issue 10)."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from ballot.accounts import sessions
from ballot.accounts.operations import find_user, set_password, set_role
from ballot.db import db
from ballot.polls.models import Poll
from tests.conftest import AuthActions, extract_csrf
from tests.voting_helpers import draft_poll

COOKIE = "phieu_session"


@pytest.fixture
def poll_id(app) -> str:
    with app.app_context():
        poll = draft_poll(10)
        db.session.commit()
        return str(poll.public_id)


def _present(app, public_id: str) -> int:
    with app.app_context():
        return int(db.session.scalar(db.select(Poll.present).filter_by(public_id=public_id)))


def _steal(client: FlaskClient, public_id: str) -> tuple[str, str]:
    """The session cookie and a valid check-in CSRF token, as an attacker would copy them."""
    token = extract_csrf(client.get(f"/polls/{public_id}/checkin").get_data(as_text=True))
    cookie = client.get_cookie(COOKIE)
    assert cookie is not None
    return cookie.value, token


def _replay(app, cookie: str, token: str, public_id: str) -> None:
    """Replay the stolen cookie: every kind of request must be refused."""
    thief = app.test_client()
    thief.set_cookie(COOKIE, cookie)
    page = thief.get(f"/polls/{public_id}/checkin")
    assert page.status_code == 302 and "/account/login" in page.headers["Location"]
    api = thief.get(f"/polls/{public_id}/checkin", headers={"Accept": "application/json"})
    assert api.status_code == 401 and api.json["error"] == "unauthorized"
    thief.set_cookie(COOKIE, cookie)
    before = _present(app, public_id)
    post = thief.post(f"/polls/{public_id}/checkin", data={"delta": "plus", "csrf_token": token})
    assert post.status_code in (302, 400, 401)
    if post.status_code == 302:
        assert "/account/login" in post.headers["Location"]
    thief.set_cookie(COOKIE, cookie)
    post = thief.post(
        f"/polls/{public_id}/checkin",
        data={"delta": "plus", "csrf_token": token},
        headers={"Accept": "application/json"},
    )
    assert post.status_code in (400, 401)
    assert _present(app, public_id) == before


def test_cookie_works_before_and_its_check_in_counts(app, client, auth, make_user, poll_id):
    make_user("thuky")
    auth.login("thuky")
    cookie, token = _steal(client, poll_id)
    thief = app.test_client()
    thief.set_cookie(COOKIE, cookie)
    r = thief.post(f"/polls/{poll_id}/checkin", data={"delta": "plus", "csrf_token": token})
    assert r.status_code == 302 and r.headers["Location"].endswith("/checkin")
    assert _present(app, poll_id) == 1  # the replay test below would otherwise prove nothing


def test_replay_after_logout_is_refused(app, client, auth, make_user, poll_id):
    make_user("thuky")
    auth.login("thuky")
    cookie, token = _steal(client, poll_id)
    assert auth.logout().status_code == 302
    _replay(app, cookie, token, poll_id)


def test_replay_after_password_change_is_refused(app, client, auth, make_user, poll_id):
    make_user("thuky")
    auth.login("thuky")
    cookie, token = _steal(client, poll_id)
    with app.app_context():
        set_password(find_user("thuky"), "mat-khau-moi-dai-hon")
        db.session.commit()
    _replay(app, cookie, token, poll_id)
    # The owner logs in again with the new password and works normally.
    assert AuthActions(client).login("thuky", "mat-khau-moi-dai-hon").status_code == 302
    assert client.get(f"/polls/{poll_id}/checkin").status_code == 200


def test_replay_after_role_change_is_refused(app, client, auth, make_user, poll_id):
    make_user("thuky")
    auth.login("thuky")
    cookie, token = _steal(client, poll_id)
    with app.app_context():
        set_role(find_user("thuky"), "auditor")
        db.session.commit()
    _replay(app, cookie, token, poll_id)


def test_role_change_command(runner, make_user) -> None:
    make_user("thuky")
    result = runner.invoke(args=["users", "set-role", "thuky", "auditor"])
    assert result.exit_code == 0, result.output
    with runner.app.app_context():
        user = find_user("thuky")
        assert user.role == "auditor" and user.session_version == 1


def test_idle_and_absolute_timeouts(app, client, auth, make_user, poll_id, monkeypatch):
    app.config.update(SESSION_IDLE_TIMEOUT=600, SESSION_ABSOLUTE_TIMEOUT=3600)
    make_user("thuky")
    clock = [1_900_000_000.0]
    monkeypatch.setattr(sessions.time, "time", lambda: clock[0])
    auth.login("thuky")
    cookie, token = _steal(client, poll_id)
    url = f"/polls/{poll_id}/checkin"
    for _ in range(6):  # used every 9 minutes: stays alive up to the absolute limit
        clock[0] += 540
        assert client.get(url).status_code == 200
    clock[0] += 540  # 63 minutes after login
    assert client.get(url).status_code == 302
    _replay(app, cookie, token, poll_id)
    auth.login("thuky")
    clock[0] += 601  # idle for just over 10 minutes
    assert client.get(url).status_code == 302


def test_session_without_version_is_refused(app, client, make_user, poll_id):
    """A cookie signed before this check existed (or hand-made) carries no version."""
    user = make_user("thuky")
    with client.session_transaction() as sess:
        sess["_user_id"] = str(user.id)
        sess["_fresh"] = True
    assert client.get(f"/polls/{poll_id}/checkin").status_code == 302
