"""Database commands: ``flask --app wsgi db-upgrade`` (alias ``init-db``)."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext

from ballot.migrate import current_revision, upgrade_database


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
