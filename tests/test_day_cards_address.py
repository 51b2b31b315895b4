"""The cards carry an address phones can open, and the cards page shows it first."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

from flask.testing import FlaskClient
from pypdf import PdfReader

from ballot.demo import public_url
from tests.polls_web_helpers import login, post
from tests.voting_helpers import make_vote

ROOT = Path(__file__).resolve().parent.parent


def _ready_for_cards(app) -> str:
    """A draft vote with its keys and no cards yet (cards may be printed, and printed again
    until a trustee confirms)."""
    with app.app_context():
        return make_vote(members=3, state="keys").public_id


class _HostClient(FlaskClient):
    """A test client whose every request goes to one host (as a browser at that address)."""

    host = "localhost"

    def open(self, *args, **kwargs):
        kwargs.setdefault("base_url", f"http://{self.host}")
        return super().open(*args, **kwargs)


def _client(app, host):
    app.test_client_class = _HostClient
    client = app.test_client()
    client.host = host
    login(client, "thuky")
    return client


def _pdf_text(data: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


def test_cards_page_shows_the_printed_address_and_refuses_loopback(make_app, make_user):
    make_user("thuky")
    app = make_app(BASE_URL="")  # the address the page is opened at
    pid = _ready_for_cards(app)
    client = _client(app, "192.168.1.10:8000")
    # Opened at a LAN address: that address is shown and printed.
    lan: dict = {}
    html = client.get(f"/polls/{pid}/cards", **lan).get_data(as_text=True)
    assert f"http://192.168.1.10:8000/v/{pid}" in html and 'id="card-address-problem"' not in html
    r = post(client, f"/polls/{pid}/cards/print", {"spares": "0"}, **lan)
    assert r.mimetype == "application/pdf"
    assert f"http://192.168.1.10:8000\n/v/{pid}" in _pdf_text(r.data)  # the address to type
    # Opened at 127.0.0.1: shown with a warning; printing needs the box ticked.
    client = _client(app, "127.0.0.1:8000")
    loop: dict = {}
    html = client.get(f"/polls/{pid}/cards", **loop).get_data(as_text=True)
    assert f"http://127.0.0.1:8000/v/{pid}" in html and 'id="card-address-problem"' in html
    assert "phones cannot open it" in html or "điện thoại không mở được" in html
    r = post(client, f"/polls/{pid}/cards/print", {"spares": "0"}, **loop)
    assert r.status_code == 400 and r.mimetype == "text/html"
    assert 'id="confirm_address-error"' in r.get_data(as_text=True)
    r = post(client, f"/polls/{pid}/cards/print", {"spares": "0", "confirm_address": "y"}, **loop)
    assert r.mimetype == "application/pdf"
    assert f"http://127.0.0.1:8000\n/v/{pid}" in _pdf_text(r.data)


def test_base_url_setting_wins_over_the_page_address(make_app, make_user):
    make_user("thuky")
    app = make_app(BASE_URL="https://phieu.hdnd.example.vn/")
    client = app.test_client()
    login(client, "thuky")
    pid = _ready_for_cards(app)
    html = client.get(f"/polls/{pid}/cards").get_data(as_text=True)
    assert f"https://phieu.hdnd.example.vn/v/{pid}" in html


def test_demo_public_url_follows_the_bound_host(monkeypatch):
    monkeypatch.delenv("PUBLIC_URL", raising=False)
    assert public_url("127.0.0.1", 8123) == "http://127.0.0.1:8123"
    assert public_url("192.168.5.7", 9000) == "http://192.168.5.7:9000"
    every = "0.0.0.0"  # noqa: S104 - the demo's bind, described
    lan = public_url(every, 8000)
    assert lan.endswith(":8000") and every not in lan
    monkeypatch.setenv("PUBLIC_URL", "http://phieu.lan:8080/")
    assert public_url(every, 8000) == "http://phieu.lan:8080"


def test_make_run_prints_cards_for_the_address_it_serves(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PHIEU_")}
    env.pop("DATABASE_URL", None)
    env.pop("PUBLIC_URL", None)
    env.update(
        PORT="8765", HOST="127.0.0.1",
        PHIEU_SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'demo.sqlite3'}",
    )  # fmt: skip
    out = subprocess.run(
        [sys.executable, "-m", "ballot.demo", "--no-serve"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True,
    ).stdout  # fmt: skip
    assert "Các cuộc bỏ phiếu / votes: http://127.0.0.1:8765/polls/" in out  # Vietnamese first
    assert "Tài khoản thư ký / secretariat account: thuky" in out
    assert "http://127.0.0.1:8765/v/" in out and "8000" not in out
    assert "make run HOST=0.0.0.0" in out
