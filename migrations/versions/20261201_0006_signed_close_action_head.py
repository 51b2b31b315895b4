"""signed close covers the vote's action-log head

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 22:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("signed_heads") as batch:
        batch.add_column(sa.Column("actions", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("actions_head", sa.LargeBinary(length=32), nullable=True))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("signed_heads") as batch:
        batch.drop_column("actions_head")
        batch.drop_column("actions")
