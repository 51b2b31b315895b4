"""checked (spoiled) ballots and their rows

Revision ID: 0010
Revises: 0006
Create Date: 2026-12-01 23:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "audited_ballots",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "poll_id", sa.Integer(), sa.ForeignKey("polls.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("tracker", sa.LargeBinary(length=32), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.UniqueConstraint("poll_id", "tracker", name="uq_audited_tracker"),
    )
    op.create_index("ix_audited_ballots_poll_id", "audited_ballots", ["poll_id"])
    op.create_table(
        "spoiled_rows",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "poll_id", sa.Integer(), sa.ForeignKey("polls.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("alpha", sa.LargeBinary(length=33), nullable=False),
        sa.UniqueConstraint("poll_id", "alpha", name="uq_spoiled_alpha"),
    )
    op.create_index("ix_spoiled_rows_poll_id", "spoiled_rows", ["poll_id"])


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("spoiled_rows")
    op.drop_table("audited_ballots")
