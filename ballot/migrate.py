"""Run the Alembic migrations in ``migrations/`` from the app (CLI, demo, tests).

``alembic.ini`` at the repository root also lets the plain ``alembic`` command work
(``.venv/bin/alembic upgrade head`` uses the app's configured database).
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from flask import Flask

from ballot.db import db

ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS = ROOT / "migrations"


def alembic_config() -> Config:
    """Alembic configuration pointing at ``migrations/`` (independent of the cwd)."""
    config = Config(str(ROOT / "alembic.ini")) if (ROOT / "alembic.ini").exists() else Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def upgrade_database(app: Flask, revision: str = "head") -> None:
    """Migrate the app's database up to ``revision`` (within an app context)."""
    with app.app_context():
        config = alembic_config()
        config.attributes["flask_app"] = app
        command.upgrade(config, revision)


def downgrade_database(app: Flask, revision: str) -> None:
    """Migrate the app's database down to ``revision`` (tests, emergencies)."""
    with app.app_context():
        config = alembic_config()
        config.attributes["flask_app"] = app
        command.downgrade(config, revision)


def current_revision(app: Flask) -> str | None:
    """The revision the database is at, or None when it has never been migrated."""
    with app.app_context(), db.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
