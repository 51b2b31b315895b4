"""Error pages in Vietnamese and English, JSON errors, no stack trace, no secrets."""

from __future__ import annotations

import pytest
from flask import Flask, abort

from ballot.errors import ApiError


@pytest.fixture
def app(app: Flask) -> Flask:
    """Views that fail in each way."""
    app.config["PROPAGATE_EXCEPTIONS"] = False
    app.config["MAX_CONTENT_LENGTH"] = 1000

    @app.get("/_t/abort/<int:code>")
    def abort_with(code: int) -> str:
        abort(code)

    @app.route("/_t/upload", methods=["POST"])
    def upload() -> str:
        from flask import request

        return str(len(request.get_data()))

    @app.get("/_t/crash")
    def crash() -> str:
        raise RuntimeError("boom " + app.config["SECRET_KEY"])

    @app.get("/_t/api-error")
    def api_error() -> str:
        raise ApiError(409, "card_used", "Thẻ này đã được dùng.")

    return app


VI_TITLES = {
    400: "Yêu cầu không hợp lệ",
    403: "Không có quyền truy cập",
    404: "Không tìm thấy trang",
    405: "Phương thức không được phép",
    413: "Dữ liệu gửi lên quá lớn",
    429: "Quá nhiều lần thử",
    500: "Lỗi máy chủ",
}
EN_TITLES = {
    400: "Bad request",
    403: "Access denied",
    404: "Page not found",
    405: "Method not allowed",
    413: "Request too large",
    429: "Too many attempts",
    500: "Server error",
}


@pytest.mark.parametrize("code", sorted(VI_TITLES))
def test_error_pages_vietnamese_and_english(client, code) -> None:
    response = client.get(f"/_t/abort/{code}")
    assert response.status_code == code
    html = response.get_data(as_text=True)
    assert VI_TITLES[code] in html and '<html lang="vi">' in html
    response = client.get(f"/_t/abort/{code}", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert EN_TITLES[code] in response.get_data(as_text=True)


@pytest.mark.parametrize("code", sorted(VI_TITLES))
def test_json_errors(client, code) -> None:
    response = client.get(f"/_t/abort/{code}", headers={"Accept": "application/json"})
    assert response.status_code == code
    assert response.mimetype == "application/json"
    body = response.json
    assert set(body) == {"error", "message"}
    assert isinstance(body["error"], str) and body["message"]


def test_real_404_405_413(client) -> None:
    assert client.get("/nowhere").status_code == 404
    assert client.delete("/").status_code == 405
    response = client.post("/_t/upload", data=b"x" * 5000, content_type="application/json")
    assert response.status_code == 413
    assert response.json["error"] == "too_large"


def test_405_keeps_allow_header(client) -> None:
    response = client.delete("/")
    assert "GET" in response.headers["Allow"]


def test_500_shows_no_trace_and_no_secret(app, client) -> None:
    response = client.get("/_t/crash")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "Lỗi máy chủ" in html
    assert "Traceback" not in html and "boom" not in html
    assert app.config["SECRET_KEY"] not in html
    response = client.get("/_t/crash", headers={"Accept": "application/json"})
    assert response.json["error"] == "server_error"
    assert app.config["SECRET_KEY"] not in response.get_data(as_text=True)


def test_api_error(client) -> None:
    response = client.get("/_t/api-error", headers={"Accept": "application/json"})
    assert response.status_code == 409
    assert response.json == {"error": "card_used", "message": "Thẻ này đã được dùng."}
    response = client.get("/_t/api-error")
    assert response.status_code == 409
    assert "Thẻ này đã được dùng." in response.get_data(as_text=True)


def test_json_body_gets_json_error(client) -> None:
    response = client.post("/", json={"a": 1})
    assert response.status_code == 405
    assert response.json["error"] == "method_not_allowed"
