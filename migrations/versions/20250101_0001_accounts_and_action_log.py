"""Accounts and the hash-chained action log.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APPEND_ONLY = {
    "sqlite": [
        "CREATE TRIGGER action_log_no_update BEFORE UPDATE ON action_log "
        "BEGIN SELECT RAISE(ABORT, 'action_log is append-only'); END",
        "CREATE TRIGGER action_log_no_delete BEFORE DELETE ON action_log "
        "BEGIN SELECT RAISE(ABORT, 'action_log is append-only'); END",
    ],
    "postgresql": [
        "CREATE OR REPLACE FUNCTION action_log_append_only() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN "
        "RAISE EXCEPTION 'action_log is append-only'; END $$",
        "CREATE TRIGGER action_log_no_change BEFORE UPDATE OR DELETE ON action_log "
        "FOR EACH ROW EXECUTE FUNCTION action_log_append_only()",
    ],
}


def upgrade() -> None:
    """Create ``accounts`` and ``action_log`` (with its append-only triggers)."""
    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("password_hash", sa.String(length=256), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("role IN ('secretariat', 'auditor')", name=op.f("ck_accounts_role")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts")),
        sa.UniqueConstraint("username", name=op.f("uq_accounts_username")),
    )
    op.create_table(
        "action_log",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("hash", sa.LargeBinary(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_log")),
        sa.UniqueConstraint("hash", name=op.f("uq_action_log_hash")),
        sa.UniqueConstraint("prev_hash", name=op.f("uq_action_log_prev_hash")),
    )
    op.create_index(op.f("ix_action_log_action"), "action_log", ["action"], unique=False)
    for statement in APPEND_ONLY.get(op.get_bind().dialect.name, []):
        op.execute(statement)


def downgrade() -> None:
    """Drop both tables (and the PostgreSQL trigger function)."""
    op.drop_index(op.f("ix_action_log_action"), table_name="action_log")
    op.drop_table("action_log")
    op.drop_table("accounts")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS action_log_append_only()")
