"""Login, logout, sessions and the permission decorators."""

from __future__ import annotations

import pytest
from flask import Flask, session
from flask_login import current_user

from ballot.accounts.models import User
from ballot.actionlog import ActionLogEntry
from ballot.db import db
from ballot.permissions import login_required, role_required, secretariat_required
from tests.conftest import DEFAULT_PASSWORD, extract_csrf


@pytest.fixture
def app(app: Flask) -> Flask:
    """The test app plus three protected test views."""

    @app.get("/_t/staff")
    @login_required
    def staff_view() -> str:
        return "staff ok"

    @app.get("/_t/secretariat")
    @secretariat_required
    def secretariat_view() -> str:
        return "secretariat ok"

    @app.get("/_t/auditor")
    @role_required("auditor")
    def auditor_view() -> str:
        return "auditor ok"

    return app


def test_login_page_renders_in_vietnamese(client) -> None:
    response = client.get("/account/login")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Tên đăng nhập" in html and "Mật khẩu" in html
    assert 'name="csrf_token"' in html


def test_login_success_and_logout(app, client, auth, make_user) -> None:
    make_user("thuky")
    response = auth.login("thuky")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    with client:
        client.get("/")
        assert current_user.is_authenticated
        assert current_user.username == "thuky"
    with app.app_context():
        user = db.session.execute(db.select(User).filter_by(username="thuky")).scalar_one()
        assert user.last_login_at is not None
    response = auth.logout()
    assert response.status_code == 302
    with client:
        client.get("/")
        assert not current_user.is_authenticated


def test_login_is_case_insensitive_on_username(client, auth, make_user) -> None:
    make_user("thuky")
    assert auth.login("ThuKy ").status_code == 302


def test_login_failure_shows_vietnamese_error(client, auth, make_user) -> None:
    make_user("thuky")
    response = auth.login("thuky", "wrong-password")
    assert response.status_code == 200
    assert "Sai tên đăng nhập hoặc mật khẩu." in response.get_data(as_text=True)
    response = auth.login("nobody", "wrong-password")
    assert "Sai tên đăng nhập hoặc mật khẩu." in response.get_data(as_text=True)
    with client:
        client.get("/")
        assert not current_user.is_authenticated


def test_login_failure_in_english(client, auth, make_user) -> None:
    make_user("thuky")
    response = auth.login("thuky", "wrong-password", headers={"Accept-Language": "en"})
    assert "Wrong username or password." in response.get_data(as_text=True)


def test_inactive_account_cannot_log_in(client, auth, make_user) -> None:
    make_user("thuky", active=False)
    response = auth.login("thuky")
    assert response.status_code == 200
    assert "Sai tên đăng nhập hoặc mật khẩu." in response.get_data(as_text=True)


def test_session_is_cleared_on_login(client, auth, make_user) -> None:
    make_user("thuky")
    with client.session_transaction() as sess:
        sess["planted"] = "by an attacker"
    auth.login("thuky")
    with client.session_transaction() as sess:
        assert "planted" not in sess
        assert sess["_user_id"]


def test_login_redirects_to_local_next_only(client, make_user) -> None:
    make_user("thuky")
    for target, expected in (("/_t/staff", "/_t/staff"), ("//evil.example/", "/")):
        client.post("/account/logout")
        with client.session_transaction() as sess:
            sess.clear()
        page = client.get(f"/account/login?next={target}").get_data(as_text=True)
        response = client.post(
            f"/account/login?next={target}",
            data={
                "username": "thuky",
                "password": DEFAULT_PASSWORD,
                "csrf_token": extract_csrf(page),
            },
        )
        assert response.headers["Location"] == expected


def test_login_without_csrf_token_is_refused(client, make_user) -> None:
    make_user("thuky")
    response = client.post(
        "/account/login", data={"username": "thuky", "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 400
    assert "Biểu mẫu đã hết hạn" in response.get_data(as_text=True)
    with client:
        client.get("/")
        assert not current_user.is_authenticated


def test_login_rate_limit(app, client, auth, make_user) -> None:
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    make_user("thuky")
    for _ in range(3):
        assert auth.login("thuky", "wrong-password").status_code == 200
    response = auth.login("thuky")  # even the right password: the limit comes first
    assert response.status_code == 429
    html = response.get_data(as_text=True)
    assert "Bạn đã thử quá nhiều lần" in html
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert client.get("/account/login").status_code == 200  # GET is not limited


def test_anonymous_is_sent_to_login(client) -> None:
    for url in ("/_t/staff", "/_t/secretariat", "/_t/auditor"):
        response = client.get(url)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/account/login?next=")


def test_anonymous_json_gets_401(client) -> None:
    response = client.get("/_t/secretariat", headers={"Accept": "application/json"})
    assert response.status_code == 401
    assert response.json == {"error": "unauthorized", "message": "Vui lòng đăng nhập để tiếp tục."}


def test_wrong_role_gets_403(client, auth, make_user) -> None:
    make_user("kiemtra", role="auditor")
    auth.login("kiemtra")
    assert client.get("/_t/staff").status_code == 200
    assert client.get("/_t/auditor").status_code == 200
    response = client.get("/_t/secretariat")
    assert response.status_code == 403
    assert "Bạn không có quyền" in response.get_data(as_text=True)


def test_secretariat_role(client, auth, make_user) -> None:
    make_user("thuky", role="secretariat")
    auth.login("thuky")
    assert client.get("/_t/secretariat").get_data(as_text=True) == "secretariat ok"
    assert client.get("/_t/auditor").status_code == 403


def test_deactivated_account_loses_its_session(app, client, auth, make_user) -> None:
    make_user("thuky")
    auth.login("thuky")
    assert client.get("/_t/staff").status_code == 200
    with app.app_context():
        user = db.session.execute(db.select(User).filter_by(username="thuky")).scalar_one()
        user.active = False
        db.session.commit()
    assert client.get("/_t/staff").status_code == 302


def test_role_required_rejects_unknown_roles() -> None:
    with pytest.raises(ValueError):
        role_required("chair")
    with pytest.raises(ValueError):
        role_required()


def test_role_check_constraint(app) -> None:
    from sqlalchemy.exc import IntegrityError

    with app.app_context():
        db.session.add(User(username="x1", password_hash="x", role="chair"))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_password_is_hashed_with_scrypt(app, make_user) -> None:
    user = make_user("thuky")
    assert user.password_hash.startswith("scrypt:")
    assert DEFAULT_PASSWORD not in user.password_hash


def test_login_and_logout_are_in_the_action_log(app, auth, make_user) -> None:
    make_user("thuky")
    auth.login("thuky")
    auth.logout()
    with app.app_context():
        actions = db.session.scalars(db.select(ActionLogEntry.action).order_by(ActionLogEntry.id))
        assert list(actions) == ["account.create", "account.login", "account.logout"]


def test_logout_needs_post_with_token(client, auth, make_user) -> None:
    make_user("thuky")
    auth.login("thuky")
    assert client.get("/account/logout").status_code == 405
    assert client.post("/account/logout").status_code == 400  # no CSRF token
    with client:
        client.get("/")
        assert current_user.is_authenticated
        assert "_user_id" in session


def test_login_rate_limit_is_shared_through_redis(make_app, make_user) -> None:
    """With redis storage a fresh app (another worker) still sees the earlier attempts."""
    import secrets

    redis = pytest.importorskip("redis")
    server = redis.Redis.from_url("redis://127.0.0.1:6379")
    try:
        server.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis at 127.0.0.1:6379")
    prefix = f"phieu-test-{secrets.token_hex(4)}"
    settings = {
        "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379",
        "RATELIMIT_KEY_PREFIX": prefix,
        "LOGIN_RATE_LIMIT": "2 per minute",
    }
    make_user("thuky")
    try:
        for expected in (200, 200, 429):
            worker = make_app(**settings).test_client()
            page = worker.get("/account/login").get_data(as_text=True)
            response = worker.post(
                "/account/login",
                data={
                    "username": "thuky",
                    "password": "wrong-password",
                    "csrf_token": extract_csrf(page),
                },
            )
            assert response.status_code == expected
    finally:
        for key in server.scan_iter(f"*{prefix}*"):
            server.delete(key)
        server.close()
