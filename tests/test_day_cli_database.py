"""Commands that need the database, on a fresh SQLite file: no traceback, ever."""

from __future__ import annotations

from pathlib import Path

from ballot import create_app
from ballot.migrate import current_revision, upgrade_database
from tests.conftest import base_test_config


def _app(tmp_path: Path, uri: str | None = None):
    return create_app(
        base_test_config()
        | {
            "SQLALCHEMY_DATABASE_URI": uri or f"sqlite:///{tmp_path / 'fresh.sqlite3'}",
            "SERVER_KEY_PATH": str(tmp_path / "server.pem"),
        }
    )


def test_rehearse_on_a_fresh_database_migrates_first(tmp_path):
    app = _app(tmp_path)
    out = tmp_path / "rehearsal.zip"
    result = app.test_cli_runner().invoke(
        args=["rehearse", "--members", "3", "--officials", "2", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output + result.stderr
    assert "fresh database: creating the tables" in result.stderr
    assert out.exists() and "Traceback" not in result.output + result.stderr
    assert current_revision(app) is not None
    result = app.test_cli_runner().invoke(args=["users", "list"])
    assert result.exit_code == 0 and "fresh database" not in result.stderr


def test_an_outdated_database_says_what_to_run(tmp_path):
    app = _app(tmp_path)
    upgrade_database(app, "0002")
    result = app.test_cli_runner().invoke(args=["users", "list"])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert "Lỗi:" in result.stderr and "Error:" in result.stderr
    assert "flask --app wsgi db-upgrade" in result.stderr and "0002" in result.stderr
    assert current_revision(app) == "0002"  # nothing was changed behind the user's back


def test_an_unreachable_database_is_named_not_a_traceback(tmp_path):
    app = _app(tmp_path, "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2")
    result = app.test_cli_runner().invoke(args=["users", "list"])
    assert result.exit_code == 1
    assert "không kết nối được cơ sở dữ liệu" in result.stderr
    assert "cannot reach the database" in result.stderr
