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


def ensure_database(app: Flask) -> None:
    """Migrate a fresh database; refuse (exit 1, both languages) an outdated or absent one."""
    try:
        current = current_revision(app)
    except SQLAlchemyError as err:
        _fail(
            f"không kết nối được cơ sở dữ liệu ({type(err).__name__}). Kiểm tra "
            "SQLALCHEMY_DATABASE_URI / DATABASE_URL.",
            f"cannot reach the database ({type(err).__name__}). Check "
            "SQLALCHEMY_DATABASE_URI / DATABASE_URL.",
        )
        return
    head = head_revision()
    if current == head:
        return
    if current is None:
        click.echo(
            "Cơ sở dữ liệu mới: đang tạo các bảng (db-upgrade)… / "
            "fresh database: creating the tables (db-upgrade)…",
            err=True,
        )
        upgrade_database(app)
        return
    _fail(
        f"cơ sở dữ liệu đang ở phiên bản {current}, mã nguồn cần {head}. Hãy chạy: {UPGRADE_HINT}",
        f"the database is at revision {current}, the code needs {head}. Run: {UPGRADE_HINT}",
    )


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
    """Put ``ensure_database`` in front of every CLI command except the database's own."""
    for name, command in app.cli.commands.items():
        if name not in UNGUARDED:
            _guarded(command)


@click.command("db-upgrade")
@click.option("--revision", default="head", show_default=True, help="Target revision.")
@with_appcontext
def db_upgrade_command(revision: str) -> None:
    """Apply the Alembic migrations to the configured database."""
    from flask import current_app

    upgrade_database(current_app, revision)
    click.echo(f"Database at revision {current_revision(current_app)}.")


def init_cli(app: Flask) -> None:
    """Register the database commands and ``server-key``."""
    from ballot.serverkey_cli import server_key_cli

    app.cli.add_command(db_upgrade_command)
    app.cli.add_command(db_upgrade_command, "init-db")
    app.cli.add_command(server_key_cli)
