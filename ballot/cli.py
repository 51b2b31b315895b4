"""Database commands: ``flask --app wsgi db-upgrade`` (alias ``init-db``), and the guard
that every other command passes first (``guard_commands``).

A command that needs the database never ends in a traceback: on a fresh, empty database
it migrates it first (and says so); on a database at an older revision it says what to
run; when the database cannot be reached it says so. Each refusal exits 1 with
"Lỗi: …\nError: …".
"""

from __future__ import annotations

import functools
import sys
from typing import Any

import click
from alembic.script import ScriptDirectory
from flask import Flask
from flask.cli import ScriptInfo, with_appcontext
from sqlalchemy.exc import SQLAlchemyError

from ballot.migrate import alembic_config, current_revision, upgrade_database
from keys.errors import CryptoError

#: Commands that manage the database themselves.
UNGUARDED = {"db-upgrade", "init-db", "routes", "run", "shell"}
UPGRADE_HINT = "flask --app wsgi db-upgrade"


def _fail(vi: str, en: str) -> None:
    click.echo(f"Lỗi: {vi}\nError: {en}", err=True)
    sys.exit(1)


def head_revision() -> str | None:
    """The newest migration in ``migrations/``."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def database_refusal(app: Flask) -> tuple[str, str] | None:
    """Migrate a fresh database (saying so on stderr); why an outdated or absent one is
    refused, in Vietnamese and English; None when the database is ready."""
    try:
        current = current_revision(app)
    except SQLAlchemyError as err:
        return (
            f"không kết nối được cơ sở dữ liệu ({type(err).__name__}). Kiểm tra "
            "SQLALCHEMY_DATABASE_URI / DATABASE_URL.",
            f"cannot reach the database ({type(err).__name__}). Check "
            "SQLALCHEMY_DATABASE_URI / DATABASE_URL.",
        )
    head = head_revision()
    if current == head:
        return None
    if current is None:
        click.echo(
            "Cơ sở dữ liệu mới: đang tạo các bảng (db-upgrade)… / "
            "fresh database: creating the tables (db-upgrade)…",
            err=True,
        )
        try:
            upgrade_database(app)
        except SQLAlchemyError as err:  # e.g. another server migrating the same database
            return (
                f"không tạo được các bảng ({type(err).__name__}). Hãy chạy: {UPGRADE_HINT}",
                f"could not create the tables ({type(err).__name__}). Run: {UPGRADE_HINT}",
            )
        return None
    return (
        f"cơ sở dữ liệu đang ở phiên bản {current}, mã nguồn cần {head}. Hãy chạy: {UPGRADE_HINT}",
        f"the database is at revision {current}, the code needs {head}. Run: {UPGRADE_HINT}",
    )


def ensure_database(app: Flask) -> None:
    """Migrate a fresh database; refuse (exit 1, both languages) an outdated or absent one."""
    refusal = database_refusal(app)
    if refusal is not None:
        _fail(*refusal)


def check_database_before_serving(app: Flask) -> None:
    """gunicorn's start (config/gunicorn.conf.py): the same as every command, before any
    worker serves a page, so a fresh clone never answers with a "no such table" error."""
    from ballot.db import db

    try:
        refusal = database_refusal(app)
    finally:
        with app.app_context():
            db.engine.dispose()  # the workers open their own connections
    if refusal is not None:
        print(f"Lỗi: {refusal[0]}\nError: {refusal[1]}", file=sys.stderr)
        raise SystemExit(1)


def _guarded(command: click.Command) -> None:
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            _guarded(sub)
        return
    callback = command.callback
    if callback is None or getattr(callback, "_phieu_guarded", False):
        return

    @functools.wraps(callback)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        # The app of this invocation (command objects are shared by every app made).
        ensure_database(click.get_current_context().ensure_object(ScriptInfo).load_app())
        try:
            return callback(*args, **kwargs)
        except SQLAlchemyError as err:
            _fail(
                f"lỗi cơ sở dữ liệu ({type(err).__name__}); không có gì thay đổi.",
                f"database error ({type(err).__name__}); nothing was changed.",
            )
        except CryptoError as err:
            hint_vi = hint_en = ""
            if err.code == "bad_parameters":
                hint_vi = " Khóa ký của máy chủ (instance/) được mã hóa bằng SECRET_KEY khác."
                hint_en = (
                    " The server's signing key (instance/) is encrypted under another SECRET_KEY."
                )
            _fail(err.message("vi") + hint_vi, err.message("en") + hint_en)

    wrapped._phieu_guarded = True  # type: ignore[attr-defined]
    command.callback = wrapped


def guard_commands(app: Flask) -> None:
    """Put ``ensure_database`` in front of every CLI command except the database's own,
    and of flask's own ``run`` (its development server would otherwise answer every page
    of a fresh clone with a "no such table" error)."""
    from flask.cli import run_command

    for name, command in app.cli.commands.items():
        if name not in UNGUARDED:
            _guarded(command)
    # `flask run` loads the app inside its own callback: check the database right here.
    ctx = click.get_current_context(silent=True)
    if ctx is not None and ctx.command is run_command:
        ensure_database(app)


@click.command("db-upgrade")
@click.option("--revision", default="head", show_default=True, help="Target revision.")
@with_appcontext
def db_upgrade_command(revision: str) -> None:
    """Apply the Alembic migrations to the configured database."""
    from flask import current_app

    upgrade_database(current_app, revision)
    click.echo(f"Database at revision {current_revision(current_app)}.")


def init_cli(app: Flask) -> None:
    """Register the database commands."""
    app.cli.add_command(db_upgrade_command)
    app.cli.add_command(db_upgrade_command, "init-db")
