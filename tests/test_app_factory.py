"""The application factory: configuration order, database choice, production refusal."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest
from sqlalchemy import text

from ballot import ConfigurationError, create_app
from ballot.db import db


def test_defaults_without_test_config(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setattr("flask.Flask.auto_find_instance_path", lambda self: str(tmp_path))
    monkeypatch.setenv("PHIEU_LOGIN_RATE_LIMIT", "2 per minute")
    monkeypatch.setenv("PHIEU_SESSION_COOKIE_SECURE", "false")
    app = create_app()
    assert not app.testing
    assert app.config["BABEL_DEFAULT_LOCALE"] == "vi"
    assert app.config["LOGIN_RATE_LIMIT"] == "2 per minute"  # environment wins
    assert app.config["SESSION_COOKIE_SECURE"] is False  # JSON-parsed
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/phieu.sqlite3"


def test_secure_defaults() -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] in ("Lax", "Strict")
    assert app.config["REMEMBER_COOKIE_SECURE"] is True
    assert app.config["WTF_CSRF_ENABLED"] is True
    assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"


def test_test_config_overrides(app) -> None:
    assert app.testing
    assert app.config["SESSION_COOKIE_SECURE"] is False


def test_instance_config_then_environment(monkeypatch, tmp_path: Path) -> None:
    (tmp_path / "config.py").write_text('LOGIN_RATE_LIMIT = "7 per minute"\nHSTS_SECONDS = 60\n')
    monkeypatch.setattr("flask.Flask.auto_find_instance_path", lambda self: str(tmp_path))
    monkeypatch.setenv("PHIEU_HSTS_SECONDS", "120")
    monkeypatch.setenv("PHIEU_SQLALCHEMY_DATABASE_URI", "sqlite://")
    app = create_app()
    assert app.config["LOGIN_RATE_LIMIT"] == "7 per minute"
    assert app.config["HSTS_SECONDS"] == 120


@pytest.mark.parametrize(
    "secret", [None, "", "dev-only-insecure-key", "REPLACE-ME", "short-but-not-dev"]
)
def test_production_refuses_weak_secret(secret) -> None:
    config = {"ENV_NAME": "production", "SQLALCHEMY_DATABASE_URI": "sqlite://"}
    config["SECRET_KEY"] = secret
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        create_app(config)


def test_production_refuses_weak_secret_from_environment(monkeypatch) -> None:
    monkeypatch.setenv("PHIEU_ENV_NAME", "production")
    monkeypatch.setenv("PHIEU_SQLALCHEMY_DATABASE_URI", "sqlite://")
    monkeypatch.delenv("PHIEU_SECRET_KEY", raising=False)
    with pytest.raises(ConfigurationError):
        create_app()


def test_production_refuses_insecure_cookies() -> None:
    with pytest.raises(ConfigurationError, match="secure cookies"):
        create_app(
            {
                "ENV_NAME": "production",
                "SECRET_KEY": secrets.token_hex(32),
                "SESSION_COOKIE_SECURE": False,
                "SQLALCHEMY_DATABASE_URI": "sqlite://",
            }
        )


def test_production_starts_with_real_secret(tmp_path: Path) -> None:
    app = create_app(
        {
            "ENV_NAME": "production",
            "SECRET_KEY": secrets.token_hex(32),
            "SQLALCHEMY_DATABASE_URI": "sqlite://",
            "SERVER_KEY_PATH": str(tmp_path / "server.pem"),
        }
    )
    assert app.config["ENV_NAME"] == "production"


def test_database_url_environment(monkeypatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://someone@db.example/phieu")
    app = create_app({"SQLALCHEMY_DATABASE_URI": None})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://someone@db.example/phieu"


def test_sqlite_pragmas(app) -> None:
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite only")
        with db.engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 10_000


def test_begin_write_takes_the_write_lock(app) -> None:
    from ballot.db import begin_write

    with app.app_context():
        begin_write()
        begin_write()  # idempotent within its transaction
        db.session.execute(text("SELECT 1"))
        sqlite = db.engine.dialect.name == "sqlite"
        if sqlite:
            raw = db.session.connection().connection.dbapi_connection
            assert raw.in_transaction  # BEGIN IMMEDIATE ran before the SELECT
        db.session.commit()
        db.session.execute(text("SELECT 1"))  # a new, deferred transaction
        if sqlite:
            with pytest.raises(RuntimeError):
                begin_write()  # too late: the transaction has begun
        db.session.rollback()


def test_writing_requests_take_the_sqlite_write_lock(app, client) -> None:
    """Two connections: while a POST holds the lock, another writer must wait."""
    from tests.voting_helpers import other_writer_gets_lock

    seen = {}

    @app.post("/_t/lock")
    def lock_probe() -> str:
        seen["other_got_lock"] = other_writer_gets_lock(app.config["SQLALCHEMY_DATABASE_URI"])
        return "ok"

    from ballot.extensions import csrf

    csrf.exempt(lock_probe)
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite only")
    assert client.post("/_t/lock").status_code == 200
    assert seen["other_got_lock"] is False


def test_wsgi_module_builds_the_app(monkeypatch) -> None:
    import importlib
    import sys

    monkeypatch.setenv("PHIEU_SQLALCHEMY_DATABASE_URI", "sqlite://")
    sys.modules.pop("wsgi", None)
    wsgi = importlib.import_module("wsgi")
    assert wsgi.app.name == "ballot"
    sys.modules.pop("wsgi", None)


def test_gunicorn_config(monkeypatch) -> None:
    import runpy

    monkeypatch.setenv("PORT", "8123")
    monkeypatch.setenv("GUNICORN_WORKERS", "3")
    settings = runpy.run_path(str(Path(__file__).parent.parent / "config" / "gunicorn.conf.py"))
    assert settings["bind"] == "127.0.0.1:8123"
    assert settings["workers"] == 3
    assert settings["timeout"] > 0
    assert "%(h)s" not in settings["access_log_format"]  # no client address in logs
    assert "%(r)s" not in settings["access_log_format"]  # no query string in logs


def test_production_example_config(monkeypatch, tmp_path: Path) -> None:
    """The example file, with its placeholder secret, is refused; with a real one it starts."""
    example = Path(__file__).parent.parent / "config" / "production.example.py"
    (tmp_path / "config.py").write_text(example.read_text())
    monkeypatch.setattr("flask.Flask.auto_find_instance_path", lambda self: str(tmp_path))
    with pytest.raises(ConfigurationError):
        create_app()
    monkeypatch.setenv("PHIEU_SECRET_KEY", secrets.token_hex(32))
    app = create_app()
    assert app.config["ENV_NAME"] == "production"
    assert app.config["RATELIMIT_STORAGE_URI"].startswith("redis://")
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg://")
    assert app.config["HSTS_SECONDS"] > 0
    with app.app_context():
        db.engine.dispose()
