"""A vote (poll) and its officials.

States (docs/architecture.md): draft → ready (keys made, manifest frozen) → open → closed →
tallied → published. Each move is written to the action log. A frozen manifest never
changes: the columns it was built from are refused once ``manifest_hash`` is set.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from ballot.db import db

STATES = ("draft", "ready", "open", "closed", "tallied", "published")
KINDS = ("rating", "confidence")
DENOMINATORS = ("returned", "members_total", "summoned", "issued")


class Poll(db.Model):  # type: ignore[name-defined,misc]
    """One vote of a meeting; also the lock row that serializes its ballot chain."""

    __tablename__ = "polls"
    __table_args__ = (
        CheckConstraint(
            "state IN ('draft','ready','open','closed','tallied','published')", name="state"
        ),
        CheckConstraint("kind IN ('rating','confidence')", name="kind"),
        CheckConstraint(
            "denominator IN ('returned','members_total','summoned','issued')", name="denominator"
        ),
        CheckConstraint("summoned >= 1", name="summoned"),
        CheckConstraint("present >= 0", name="present"),
        CheckConstraint("threshold >= 1 AND threshold <= trustees", name="threshold"),
        CheckConstraint("ballot_count >= 0", name="ballot_count"),
        CheckConstraint(
            "state IN ('draft') OR manifest_hash IS NOT NULL", name="frozen_after_draft"
        ),
    )

    #: Surrogate key.
    id: Mapped[int] = mapped_column(primary_key=True)
    #: Public identifier in URLs and card keys (random, never reused).
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    #: Meeting name (kỳ họp / hội nghị).
    meeting: Mapped[str] = mapped_column(String(300))
    #: Title of the vote.
    title: Mapped[str] = mapped_column(String(300))
    #: "rating" (lấy phiếu, 3 levels) or "confidence" (bỏ phiếu, 2 levels).
    kind: Mapped[str] = mapped_column(String(16))
    #: Number of people summoned (triệu tập).
    summoned: Mapped[int] = mapped_column(Integer)
    #: Total number of members, for the NQ 85/2014 denominator.
    members_total: Mapped[int | None] = mapped_column(Integer)
    #: Denominator of percentages and thresholds.
    denominator: Mapped[str] = mapped_column(String(16), default="returned")
    #: Thresholds (tally.rules.Threshold JSON list).
    thresholds: Mapped[list[Any]] = mapped_column(JSON)
    #: Names of the counting committee (trustees), in index order.
    trustee_names: Mapped[list[str]] = mapped_column(JSON)
    #: n, the number of trustees.
    trustees: Mapped[int] = mapped_column(Integer)
    #: k, the number of trustees needed to decrypt.
    threshold: Mapped[int] = mapped_column(Integer)
    #: Public election key (keys.shamir.ElectionKey JSON) after the ceremony.
    election_key: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    #: State of the vote (see STATES).
    state: Mapped[str] = mapped_column(String(16), default="draft")
    #: Frozen manifest JSON (canonical text) and its hash.
    manifest: Mapped[str | None] = mapped_column(Text)
    manifest_hash: Mapped[bytes | None] = mapped_column(LargeBinary(32))
    #: Members checked in (a counter: it never names anyone or any card).
    present: Mapped[int] = mapped_column(Integer, default=0)
    #: Reason recorded when opening without quorum.
    quorum_override: Mapped[str | None] = mapped_column(Text)
    #: Optional countdown: planned closing time.
    closes_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    opened_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: Chain head (manifest hash before the first ballot) and length.
    chain_head: Mapped[bytes | None] = mapped_column(LargeBinary(32))
    ballot_count: Mapped[int] = mapped_column(Integer, default=0)


class Official(db.Model):  # type: ignore[name-defined,misc]
    """One row of the ballot."""

    __tablename__ = "officials"
    __table_args__ = (
        UniqueConstraint("poll_id", "position_order", name="uq_officials_order"),
        CheckConstraint("position_order >= 1", name="order_positive"),
        CheckConstraint("length(name) >= 1", name="name_present"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The vote.
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id", ondelete="CASCADE"), index=True)
    #: 1-based place on the ballot.
    position_order: Mapped[int] = mapped_column(Integer)
    #: Full name.
    name: Mapped[str] = mapped_column(String(200))
    #: Position (chức vụ).
    position: Mapped[str] = mapped_column(String(300))
