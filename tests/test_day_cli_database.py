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


# The README's commands as a person types them on a fresh clone: the real ``flask`` and
# ``gunicorn`` executables, a database file that does not exist yet.


def _env(tmp_path: Path, db_name: str = "phieu.sqlite3") -> dict[str, str]:
    import os
    import secrets

    env = {k: v for k, v in os.environ.items() if not k.startswith(("PHIEU_", "GUNICORN_"))}
    return env | {
        "PHIEU_SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / db_name}",
        "PHIEU_SERVER_KEY_PATH": str(tmp_path / "server-ed25519.pem"),
        "PHIEU_SECRET_KEY": secrets.token_hex(32),
        "PHIEU_RATELIMIT_STORAGE_URI": "memory://",
        "GUNICORN_WORKERS": "1",
        "DATABASE_URL": "",
    }


def _flask(env: dict[str, str], *args: str, stdin: str = ""):
    import subprocess
    import sys

    from tests.gunicorn_helpers import ROOT

    flask = Path(sys.executable).parent / "flask"
    return subprocess.run(  # our own flask, fixed arguments
        [str(flask), "--app", "wsgi", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=240,
    )


def test_the_readme_commands_on_a_fresh_clone_never_end_in_a_traceback(tmp_path):
    env = _env(tmp_path)
    password = "Mat-khau-hoi-nghi-2026-rat-dai\n" * 2
    made = _flask(env, "users", "create", "thuky", "--role", "secretariat", stdin=password)
    assert made.returncode == 0, made.stderr
    assert "fresh database: creating the tables" in made.stderr and "Traceback" not in made.stderr
    out = tmp_path / "rehearsal.zip"
    rehearsed = _flask(env, "rehearse", "--members", "3", "--officials", "2", "--out", str(out))
    assert rehearsed.returncode == 0 and out.exists(), rehearsed.stderr[-2000:]
    listed = _flask(env, "users", "list")
    assert listed.returncode == 0 and "thuky" in listed.stdout
    for result in (made, rehearsed, listed):
        assert "Traceback" not in result.stdout + result.stderr


def test_gunicorn_on_a_fresh_database_migrates_first_and_refuses_an_old_one(tmp_path):
    import subprocess
    import time
    import urllib.error
    import urllib.request

    from tests.gunicorn_helpers import GUNICORN, ROOT, free_port

    env = _env(tmp_path) | {"PORT": str(free_port())}
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as sink:
        proc = subprocess.Popen(  # our own gunicorn, fixed arguments
            [str(GUNICORN), "-c", "config/gunicorn.conf.py", "wsgi:app"],
            cwd=ROOT,
            env=env,
            stdout=sink,
            stderr=sink,
        )
    try:
        base = f"http://127.0.0.1:{env['PORT']}"
        status = None
        deadline = time.time() + 60
        while time.time() < deadline and status is None:
            try:
                status = urllib.request.urlopen(base + "/board/abcdefghjkmn", timeout=2).status  # noqa: S310
            except urllib.error.HTTPError as err:
                status = err.code
            except OSError:
                time.sleep(0.3)
        assert status == 404, (status, log.read_text()[-2000:])  # no such vote, not a 500
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    text = log.read_text()
    assert "fresh database: creating the tables" in text and "Traceback" not in text
    # A database left at an older revision: gunicorn does not start and says what to run.
    old = _env(tmp_path, "old.sqlite3") | {"PORT": str(free_port())}
    app = create_app(
        base_test_config()
        | {
            "SQLALCHEMY_DATABASE_URI": old["PHIEU_SQLALCHEMY_DATABASE_URI"],
            "SERVER_KEY_PATH": str(tmp_path / "server.pem"),
        }
    )
    upgrade_database(app, "0002")
    refused = subprocess.run(  # our own gunicorn, fixed arguments
        [str(GUNICORN), "-c", "config/gunicorn.conf.py", "wsgi:app"],
        cwd=ROOT,
        env=old,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert refused.returncode != 0
    assert "Lỗi: cơ sở dữ liệu đang ở phiên bản 0002" in refused.stderr
    assert "flask --app wsgi db-upgrade" in refused.stderr
    assert "Traceback" not in refused.stderr + refused.stdout
    assert current_revision(app) == "0002"


def test_flask_run_on_a_fresh_database_migrates_first_and_refuses_an_old_one(tmp_path):
    import subprocess
    import sys
    import time
    import urllib.error
    import urllib.request

    from tests.gunicorn_helpers import ROOT, free_port

    flask = str(Path(sys.executable).parent / "flask")
    port = str(free_port())
    env = _env(tmp_path)
    log = tmp_path / "run.log"
    with log.open("wb") as sink:
        proc = subprocess.Popen(  # our own flask, fixed arguments
            [flask, "--app", "wsgi", "run", "-p", port], cwd=ROOT, env=env, stdout=sink, stderr=sink
        )
    try:
        status = None
        deadline = time.time() + 60
        while time.time() < deadline and status is None:
            try:
                url = f"http://127.0.0.1:{port}/board/abcdefghjkmn"
                status = urllib.request.urlopen(url, timeout=2).status  # noqa: S310
            except urllib.error.HTTPError as err:
                status = err.code
            except OSError:
                time.sleep(0.3)
        assert status == 404, (status, log.read_text()[-2000:])
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    text = log.read_text()
    assert "fresh database: creating the tables" in text and "Traceback" not in text
    old = _env(tmp_path, "old.sqlite3")
    app = create_app(
        base_test_config()
        | {
            "SQLALCHEMY_DATABASE_URI": old["PHIEU_SQLALCHEMY_DATABASE_URI"],
            "SERVER_KEY_PATH": str(tmp_path / "server.pem"),
        }
    )
    upgrade_database(app, "0002")
    refused = _flask(old, "run", "-p", str(free_port()))
    assert refused.returncode == 1, refused.stderr[-2000:]
    assert "Lỗi: cơ sở dữ liệu đang ở phiên bản 0002" in refused.stderr
    assert "Traceback" not in refused.stderr + refused.stdout


def test_tables_made_without_migrations_are_named_not_a_traceback(tmp_path):
    """A database with tables but no migration record (made by hand, or by another server
    migrating at the same moment): the migration fails, and the command says what to run."""
    import sqlite3

    path = tmp_path / "fresh.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE accounts (id INTEGER PRIMARY KEY)")
    app = _app(tmp_path)
    result = app.test_cli_runner().invoke(args=["users", "list"])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert "Lỗi: không tạo được các bảng (OperationalError)" in result.stderr
    assert "flask --app wsgi db-upgrade" in result.stderr and "Traceback" not in result.output
