"""Security headers everywhere, cookies, CSRF and its deliberate API exemption."""

from __future__ import annotations

import pytest
from flask import Flask, jsonify, request

from ballot.extensions import csrf_exempt_api

EXPECTED_CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "worker-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}


@pytest.fixture
def app(app: Flask) -> Flask:
    """Test views: a crash, a JSON API exempt from CSRF, and a plain POST."""

    @app.get("/_t/crash")
    def crash() -> str:
        raise RuntimeError("secret-internal-detail " + app.config["SECRET_KEY"])

    @app.post("/_t/api")
    @csrf_exempt_api
    def api() -> object:
        return jsonify(got=request.get_json())

    @app.post("/_t/form")
    def form() -> str:
        return "accepted"

    return app


def parse_csp(header: str) -> dict[str, str]:
    directives = {}
    for part in header.split(";"):
        name, _, value = part.strip().partition(" ")
        directives[name] = value
    return directives


def assert_security_headers(response) -> None:
    headers = response.headers
    csp = parse_csp(headers["Content-Security-Policy"])
    for name, value in EXPECTED_CSP.items():
        assert csp[name] == value, name
    assert "unsafe-inline" not in headers["Content-Security-Policy"]
    assert "unsafe-eval" not in headers["Content-Security-Policy"].replace("wasm-unsafe-eval", "")
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert "camera=()" in headers["Permissions-Policy"]
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize(
    ("method", "url", "status"),
    [
        ("GET", "/", 200),
        ("GET", "/account/login", 200),
        ("GET", "/static/css/app.css", 200),
        ("GET", "/healthz", 200),
        ("GET", "/lang/en", 302),
        ("GET", "/no-such-page", 404),
        ("PUT", "/", 405),
        ("POST", "/_t/form", 400),  # no CSRF token
        ("GET", "/_t/crash", 500),
    ],
)
def test_security_headers_on_every_response(app, client, method, url, status) -> None:
    app.config["PROPAGATE_EXCEPTIONS"] = False
    with client.open(url, method=method) as response:
        assert response.status_code == status
        assert_security_headers(response)


def test_error_pages_have_headers_413_and_429(app, client) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 10
    response = client.post("/_t/api", data=b"x" * 100, content_type="application/json")
    assert response.status_code == 413
    assert_security_headers(response)


def test_hsts_only_when_configured(client, make_app) -> None:
    assert "Strict-Transport-Security" not in client.get("/").headers
    other = make_app(HSTS_SECONDS=31536000)
    header = other.test_client().get("/healthz").headers["Strict-Transport-Security"]
    assert header == "max-age=31536000; includeSubDomains"


def test_pages_are_not_cached_but_static_files_may_be(client) -> None:
    assert client.get("/").headers["Cache-Control"] == "no-store"
    with client.get("/static/css/app.css") as response:
        assert response.headers.get("Cache-Control") != "no-store"


def test_no_inline_script_or_style_in_pages(client) -> None:
    for url in ("/", "/account/login", "/no-such-page"):
        html = client.get(url).get_data(as_text=True)
        assert "<script>" not in html and "<style" not in html and " style=" not in html
        assert "http://" not in html and "https://" not in html  # no CDN, no outside asset


def test_csrf_refuses_form_post_without_token(client) -> None:
    response = client.post("/_t/form", data={"a": "b"})
    assert response.status_code == 400
    assert "Biểu mẫu đã hết hạn" in response.get_data(as_text=True)


def test_csrf_error_as_json(client) -> None:
    response = client.post("/_t/form", data={"a": "b"}, headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert response.json["error"] == "bad_request"


def test_csrf_exempt_api_accepts_json_without_token(client) -> None:
    response = client.post("/_t/api", json={"x": 1})
    assert response.status_code == 200
    assert response.json == {"got": {"x": 1}}


def test_secure_cookie_flags_by_default(make_app, make_user) -> None:
    from tests.conftest import DEFAULT_PASSWORD, extract_csrf

    make_user("thuky")
    secure_app = make_app(SESSION_COOKIE_SECURE=True)
    client = secure_app.test_client()
    base = "https://localhost"
    token = extract_csrf(client.get(f"{base}/account/login").get_data(as_text=True))
    response = client.post(
        f"{base}/account/login",
        data={"username": "thuky", "password": DEFAULT_PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302
    cookies = response.headers.getlist("Set-Cookie")
    names = sorted(c.split("=", 1)[0] for c in cookies)
    assert names == ["phieu_device", "phieu_session"], cookies  # the login device too
    for cookie in cookies:
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_language_cookie_flags(client) -> None:
    cookie = client.get("/lang/en").headers["Set-Cookie"]
    assert "phieu_lang=en" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_only_the_verify_worker_may_run_webassembly(client) -> None:
    """'wasm-unsafe-eval' is in the CSP of the ballot-checking worker and nowhere else."""
    with client.get("/static/js/verify-worker.js") as response:
        assert response.status_code == 200
        csp = parse_csp(response.headers["Content-Security-Policy"])
        assert csp["script-src"] == "'self' 'wasm-unsafe-eval'"
        assert {k: v for k, v in csp.items() if k != "script-src"} == {
            k: v
            for k, v in parse_csp(client.get("/").headers["Content-Security-Policy"]).items()
            if k != "script-src"
        }
    for url in ("/", "/account/login", "/static/js/vote-page.js", "/static/js/trustee-check.js"):
        with client.get(url) as response:
            assert "wasm" not in response.headers["Content-Security-Policy"], url
