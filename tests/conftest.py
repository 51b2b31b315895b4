"""Shared fixtures: ``app``, ``client``, ``runner``, ``auth``, ``make_user``, ``csrf_token``.

The database is PostgreSQL when ``TEST_DATABASE_URL`` is set (for example
``postgresql+psycopg://postgres@127.0.0.1:5432/test``): each test session makes its own
schema ``phieu_test_<random>`` (so parallel runs never collide), migrates it with
Alembic, empties the tables after each test and drops the schema at the end.
Otherwise each test gets a copy of a SQLite file migrated once per session.
Either way the tables come from the real migrations, not from ``create_all``.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from ballot import create_app
from ballot.db import db
from ballot.migrate import upgrade_database

pytest_plugins = ["tests.secret_scan", "pytester"]  # pytester: the scan's own test

DEFAULT_PASSWORD = "mat-khau-thu-nghiem"  # test-only password (12+ characters)
_CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def base_test_config() -> dict[str, Any]:
    """Settings every test app starts from (plain http, in-memory rate limits)."""
    return {
        "TESTING": True,
        "SECRET_KEY": "test-" + secrets.token_hex(16),
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_SECURE": False,
        "RATELIMIT_STORAGE_URI": "memory://",
        "PASSWORD_MIN_LENGTH": 10,
        # Off so tests can type wrong passwords in a row; tests/test_login_backoff.py
        # turns it on and moves its clock.
        "LOGIN_BACKOFF_BASE": 0,
        # Cards printed by tests carry an address phones could reach (the cards page
        # refuses the test client's http://localhost without a confirmation).
        "BASE_URL": "https://phieu.example.vn",
    }


class _Database:
    """Where the tests' database lives and how to give each test a clean one."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.pg_url = os.environ.get("TEST_DATABASE_URL") or None
        self.schema = f"phieu_test_{secrets.token_hex(4)}"
        self.template = tmp / "template.sqlite3"

    @property
    def is_postgresql(self) -> bool:
        return self.pg_url is not None

    def config(self, path: Path | None = None) -> dict[str, Any]:
        if self.pg_url:
            return {
                "SQLALCHEMY_DATABASE_URI": self.pg_url,
                "SQLALCHEMY_ENGINE_OPTIONS": {
                    "connect_args": {"options": f"-csearch_path={self.schema}"},
                },
            }
        return {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path or self.template}"}

    def setup(self) -> None:
        if self.pg_url:
            engine = sa.create_engine(self.pg_url)
            with engine.begin() as conn:
                conn.execute(sa.text(f'CREATE SCHEMA "{self.schema}"'))
            engine.dispose()
        app = create_app({**base_test_config(), **self.config()})
        upgrade_database(app)
        with app.app_context():
            db.engine.dispose()

    def teardown(self) -> None:
        if self.pg_url:
            engine = sa.create_engine(self.pg_url)
            with engine.begin() as conn:
                conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE'))
            engine.dispose()

    def fresh(self, tmp_path: Path) -> dict[str, Any]:
        if self.pg_url:
            return self.config()
        path = tmp_path / "test.sqlite3"
        shutil.copyfile(self.template, path)
        return self.config(path)

    def clean(self, app: Flask) -> None:
        if not self.pg_url:
            return
        with app.app_context():
            names = [t.name for t in db.metadata.sorted_tables]
            with db.engine.begin() as conn:
                if names:
                    quoted = ", ".join(f'"{name}"' for name in names)
                    conn.execute(sa.text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))


@pytest.fixture(scope="session")
def database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[_Database]:
    """The session's migrated database (PostgreSQL schema or SQLite template)."""
    database = _Database(tmp_path_factory.mktemp("db"))
    try:
        database.setup()
        yield database
    finally:
        database.teardown()


@pytest.fixture
def app_config() -> dict[str, Any]:
    """Extra settings for this test's app; override the fixture or update the dict."""
    return {}


@pytest.fixture
def app(database: _Database, tmp_path: Path, app_config: dict[str, Any]) -> Iterator[Flask]:
    """A fresh app on a clean, migrated database."""
    config = {
        **base_test_config(),
        "SERVER_KEY_PATH": str(tmp_path / "server-ed25519.pem"),
        **database.fresh(tmp_path),
        **app_config,
    }
    app = create_app(config)
    yield app
    database.clean(app)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def make_app(app: Flask) -> Iterator[Callable[..., Flask]]:
    """Factory: another app on the same database with some settings changed."""
    made: list[Flask] = []

    def factory(**overrides: Any) -> Flask:
        other = create_app({**app.config, **overrides})
        made.append(other)
        return other

    yield factory
    for other in made:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client (plain http, cookies kept)."""
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    """Runs ``flask`` commands against the test app."""
    return app.test_cli_runner()


@pytest.fixture
def make_user(app: Flask) -> Callable[..., Any]:
    """Factory: ``make_user("thuky", role="secretariat", password=..., active=True)``."""
    from ballot.accounts.operations import create_user

    def factory(
        username: str = "thuky",
        *,
        role: str = "secretariat",
        password: str = DEFAULT_PASSWORD,
        active: bool = True,
    ) -> Any:
        with app.app_context():
            user = create_user(username, password, role, actor="tests")
            user.active = active
            db.session.commit()
            db.session.refresh(user)
            db.session.expunge(user)
            return user

    return factory


def extract_csrf(html: str) -> str:
    """The CSRF token from a rendered form."""
    match = _CSRF_RE.search(html)
    if not match:
        raise AssertionError("no csrf_token in the page")
    return match.group(1)


@pytest.fixture
def csrf_token(client: FlaskClient) -> Callable[[str], str]:
    """``csrf_token(url)``: GET the page and return its form's CSRF token."""

    def fetch(url: str) -> str:
        response = client.get(url)
        return extract_csrf(response.get_data(as_text=True))

    return fetch


class AuthActions:
    """Log in and out through the real forms (CSRF included)."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def login(self, username: str = "thuky", password: str = DEFAULT_PASSWORD, **kw: Any) -> Any:
        token = extract_csrf(self.client.get("/account/login").get_data(as_text=True))
        data = {"username": username, "password": password, "csrf_token": token}
        return self.client.post("/account/login", data=data, **kw)

    def logout(self) -> Any:
        token = extract_csrf(self.client.get("/").get_data(as_text=True))
        return self.client.post("/account/logout", data={"csrf_token": token})


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    """``auth.login(username, password)`` and ``auth.logout()``."""
    return AuthActions(client)
