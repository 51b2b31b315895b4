"""Alembic environment: the database and metadata come from the Flask app."""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context

config = context.config
flask_app = config.attributes.get("flask_app")

if flask_app is None:
    # Plain `alembic ...` command: build the app from the usual configuration.
    if config.config_file_name is not None:
        fileConfig(config.config_file_name, disable_existing_loggers=False)
    from ballot import create_app

    flask_app = create_app()

import ballot.models  # noqa: E402,F401 - every model registers on the metadata
from ballot.db import db  # noqa: E402

target_metadata = db.metadata


def run_migrations_offline() -> None:
    """Emit SQL to stdout (``alembic upgrade head --sql``)."""
    with flask_app.app_context():
        url = db.engine.url.render_as_string(hide_password=False)
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=url.startswith("sqlite"),
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Migrate through the app's engine (SQLite pragmas and explicit BEGIN included)."""
    with flask_app.app_context(), db.engine.connect() as connection:
        is_sqlite = connection.dialect.name == "sqlite"
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=is_sqlite,
            transactional_ddl=True,
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
