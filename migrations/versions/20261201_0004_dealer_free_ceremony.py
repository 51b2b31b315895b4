"""dealer-free ceremony: round on the poll, trustee links, ceremony messages

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 22:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("polls", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("ceremony_round", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("ceremony", sa.JSON(), nullable=True))
        batch_op.create_check_constraint("ceremony_round", "ceremony_round >= 0")

    op.create_table(
        "trustee_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("poll_id", sa.Integer(), nullable=False),
        sa.Column("trustee", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("step", sa.String(length=16), nullable=False),
        sa.CheckConstraint("trustee >= 1", name=op.f("ck_trustee_links_trustee_positive")),
        sa.CheckConstraint(
            "step IN ('issued','commit','shares','done','complaint','confirm')",
            name=op.f("ck_trustee_links_step"),
        ),
        sa.ForeignKeyConstraint(
            ["poll_id"],
            ["polls.id"],
            name=op.f("fk_trustee_links_poll_id_polls"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trustee_links")),
        sa.UniqueConstraint("poll_id", "trustee", name="uq_trustee_links_trustee"),
        sa.UniqueConstraint("token_hash", name=op.f("uq_trustee_links_token_hash")),
    )
    with op.batch_alter_table("trustee_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_trustee_links_poll_id"), ["poll_id"], unique=False)

    op.create_table(
        "ceremony_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("poll_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("trustee", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.CheckConstraint("trustee >= 1", name=op.f("ck_ceremony_messages_trustee_positive")),
        sa.CheckConstraint("round >= 1", name=op.f("ck_ceremony_messages_round_positive")),
        sa.CheckConstraint(
            "kind IN ('commit','shares','done','complaint','confirm')",
            name=op.f("ck_ceremony_messages_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["poll_id"],
            ["polls.id"],
            name=op.f("fk_ceremony_messages_poll_id_polls"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ceremony_messages")),
        sa.UniqueConstraint("poll_id", "round", "trustee", "kind", name="uq_ceremony_message"),
    )
    with op.batch_alter_table("ceremony_messages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ceremony_messages_poll_id"), ["poll_id"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("ceremony_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ceremony_messages_poll_id"))
    op.drop_table("ceremony_messages")
    with op.batch_alter_table("trustee_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_trustee_links_poll_id"))
    op.drop_table("trustee_links")
    with op.batch_alter_table("polls", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_polls_ceremony_round"), type_="check")
        batch_op.drop_column("ceremony")
        batch_op.drop_column("ceremony_round")
