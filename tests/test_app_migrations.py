"""Alembic migrations: they apply, match the models, go down and up again."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from ballot.db import db
from ballot.migrate import alembic_config, current_revision, downgrade_database, upgrade_database


def head_revision() -> str:
    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    assert len(heads) == 1, f"several migration heads: {heads}"
    return heads[0]


def test_database_is_at_head(app) -> None:
    assert current_revision(app) == head_revision()


def test_models_match_migrations(app) -> None:
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == [], f"models and migrations differ; write a migration: {diff}"


def test_downgrade_to_base_and_upgrade_again(app) -> None:
    upgrade_database(app)  # idempotent at head
    downgrade_database(app, "base")
    with app.app_context():
        tables = set(sa.inspect(db.engine).get_table_names())
        assert "accounts" not in tables and "action_log" not in tables
    upgrade_database(app)
    assert current_revision(app) == head_revision()
    with app.app_context():
        tables = set(sa.inspect(db.engine).get_table_names())
        assert {"accounts", "action_log"} <= tables


def test_db_upgrade_command(app, runner) -> None:
    downgrade_database(app, "base")
    result = runner.invoke(args=["db-upgrade"])
    assert result.exit_code == 0, result.output
    assert head_revision() in result.output
    result = runner.invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
