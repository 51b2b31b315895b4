"""A vote (poll) and its officials.

States (docs/architecture.md): draft → ready (keys made, manifest frozen) → open → closed →
tallied → published. Each move is written to the action log. A frozen manifest never
changes: the columns it was built from are refused once ``manifest_hash`` is set.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
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
from ballot.states import State
from ballot.vocab import check_in
from tally.vocab import Denominator, Kind


class Poll(db.Model):  # type: ignore[name-defined]
    """One vote of a meeting; also the lock row that serializes its ballot chain."""

    __tablename__ = "polls"
    __table_args__ = (
        CheckConstraint(check_in("state", State), name="state"),
        CheckConstraint(check_in("kind", Kind), name="kind"),
        CheckConstraint(check_in("denominator", Denominator), name="denominator"),
        CheckConstraint("summoned >= 1", name="summoned"),
        CheckConstraint("present >= 0", name="present"),
        CheckConstraint("threshold >= 1 AND threshold <= trustees", name="threshold"),
        CheckConstraint("ballot_count >= 0", name="ballot_count"),
        CheckConstraint("ceremony_round >= 0", name="ceremony_round"),
        CheckConstraint(
            f"{check_in('state', [State.DRAFT])} OR manifest_hash IS NOT NULL",
            name="frozen_after_draft",
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
    #: A tally.vocab.Kind: rating (lấy phiếu, 3 levels) or confidence (bỏ phiếu, 2 levels).
    kind: Mapped[str] = mapped_column(String(16))
    #: Number of people summoned (triệu tập).
    summoned: Mapped[int] = mapped_column(Integer)
    #: Total number of members, for the NQ 85/2014 denominator.
    members_total: Mapped[int | None] = mapped_column(Integer)
    #: Denominator of percentages and thresholds.
    #: (a tally.vocab.Denominator)
    denominator: Mapped[str] = mapped_column(String(16), default=Denominator.RETURNED)
    #: Thresholds (tally.rules.Threshold JSON list).
    thresholds: Mapped[list[Any]] = mapped_column(JSON)
    #: Names of the counting committee (trustees), in index order.
    trustee_names: Mapped[list[str]] = mapped_column(JSON)
    #: n, the number of trustees.
    trustees: Mapped[int] = mapped_column(Integer)
    #: k, the number of trustees needed to decrypt.
    threshold: Mapped[int] = mapped_column(Integer)
    #: Public election key (keys.shamir.ElectionKey JSON), fixed by the ceremony's board.
    election_key: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    #: Round of the dealer-free ceremony (0 = not started; each restart adds one).
    ceremony_round: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: The manifest's ``trustees.ceremony`` object (keys.dkg.ceremony_json) once fixed.
    ceremony: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    #: State of the vote (a ballot.states.State).
    state: Mapped[str] = mapped_column(String(16), default=State.DRAFT)
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


class Official(db.Model):  # type: ignore[name-defined]
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


class MessageKind(StrEnum):
    """The kinds of message on the ceremony board, in the order a trustee posts them."""

    COMMIT = "commit"
    SHARES = "shares"
    DONE = "done"
    COMPLAINT = "complaint"
    CONFIRM = "confirm"


#: A trustee link's step: issued, then the last kind of message it posted.
LINK_STEPS = ("issued", *MessageKind)


class TrusteeLink(db.Model):  # type: ignore[name-defined]
    """A trustee's link to the ceremony board: only the SHA-256 of its random token.

    The token itself lives in the link's URL fragment (never sent to the server except
    as the ``X-Trustee-Token`` header of a post) and is shown once to the secretariat.
    """

    __tablename__ = "trustee_links"
    __table_args__ = (
        UniqueConstraint("poll_id", "trustee", name="uq_trustee_links_trustee"),
        CheckConstraint("trustee >= 1", name="trustee_positive"),
        CheckConstraint(check_in("step", LINK_STEPS), name="step"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id", ondelete="CASCADE"), index=True)
    #: 1-based trustee index.
    trustee: Mapped[int] = mapped_column(Integer)
    #: SHA-256 of the 128-bit token (the token is never stored).
    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    #: The last message kind this trustee posted (see LINK_STEPS).
    step: Mapped[str] = mapped_column(String(16), default=LINK_STEPS[0])


class CeremonyMessage(db.Model):  # type: ignore[name-defined]
    """One public message of the ceremony board (canonical JSON, checked on arrival)."""

    __tablename__ = "ceremony_messages"
    __table_args__ = (
        UniqueConstraint("poll_id", "round", "trustee", "kind", name="uq_ceremony_message"),
        CheckConstraint("trustee >= 1", name="trustee_positive"),
        CheckConstraint("round >= 1", name="round_positive"),
        CheckConstraint(check_in("kind", MessageKind), name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id", ondelete="CASCADE"), index=True)
    #: Ceremony round the message belongs to.
    round: Mapped[int] = mapped_column(Integer)
    #: Sender (1-based trustee index).
    trustee: Mapped[int] = mapped_column(Integer)
    #: A MessageKind: commit | shares | done | complaint | confirm.
    kind: Mapped[str] = mapped_column(String(16))
    #: The message as canonical JSON.
    body: Mapped[str] = mapped_column(Text)
