"""The ballot box: a hash chain of accepted ballots, and the server's signed heads.

A ballot row carries no IP address, user agent or time: only its place in the chain.
"""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from ballot.db import db
from ballot.vocab import check_in


class HeadKind(StrEnum):
    """What a signed head is: a checkpoint while voting, or the close."""

    CHECKPOINT = "checkpoint"
    CLOSE = "close"


class BallotEntry(db.Model):  # type: ignore[name-defined]
    """One accepted ballot, linked to the previous one."""

    __tablename__ = "ballots"
    __table_args__ = (
        UniqueConstraint("poll_id", "seq", name="uq_ballots_seq"),
        # One ballot per card, enforced by the database too.
        UniqueConstraint("poll_id", "card_key", name="uq_ballots_card"),
        UniqueConstraint("poll_id", "prev_hash", name="uq_ballots_prev"),
        CheckConstraint("seq >= 1", name="seq_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The vote.
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id", ondelete="CASCADE"), index=True)
    #: Position in the chain, 1-based.
    seq: Mapped[int] = mapped_column(Integer)
    #: The card that cast it (public key), burned in the same transaction.
    card_key: Mapped[bytes] = mapped_column(LargeBinary(32))
    #: The receipt shown to the member.
    tracker: Mapped[bytes] = mapped_column(LargeBinary(32), index=True)
    #: Chain hash of the previous entry (the manifest hash for seq 1).
    prev_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    #: digest(TAG_CHAIN, prev_hash, seq, tracker).
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    #: The ballot JSON exactly as verified (canonical).
    body: Mapped[str] = mapped_column(Text)


class SignedHead(db.Model):  # type: ignore[name-defined]
    """A checkpoint or the close: the chain head at ``count`` signed by the server."""

    __tablename__ = "signed_heads"
    __table_args__ = (
        CheckConstraint(check_in("kind", HeadKind), name="kind"),
        UniqueConstraint("poll_id", "kind", "count", name="uq_signed_heads"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id", ondelete="CASCADE"), index=True)
    #: A HeadKind: checkpoint or close.
    kind: Mapped[str] = mapped_column(String(16))
    #: Number of ballots covered.
    count: Mapped[int] = mapped_column(Integer)
    #: Chain head after ``count`` ballots.
    head: Mapped[bytes] = mapped_column(LargeBinary(32))
    #: ISO-8601 time that was signed.
    at: Mapped[str] = mapped_column(String(40))
    #: The close only: length and head of the vote's own action chain (tally/actions.py).
    actions: Mapped[int | None] = mapped_column(Integer)
    actions_head: Mapped[bytes | None] = mapped_column(LargeBinary(32))
    #: Ed25519 signature (tally.record.head_message, or close_message for the close).
    signature: Mapped[bytes] = mapped_column(LargeBinary(64))


class AuditedEntry(db.Model):  # type: ignore[name-defined]
    """A checked (spoiled) ballot: its rows' choices and nonces, revealed (keys/audit.py).

    No card key, no signature, no time, no address: nothing links it to a card or a person.
    """

    __tablename__ = "audited_ballots"
    __table_args__ = (UniqueConstraint("poll_id", "tracker", name="uq_audited_tracker"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id", ondelete="CASCADE"), index=True)
    #: The audit tracker the phone showed before the reveal.
    tracker: Mapped[bytes] = mapped_column(LargeBinary(32))
    #: The audited ballot JSON exactly as verified (canonical).
    body: Mapped[str] = mapped_column(Text)


class SpoiledRow(db.Model):  # type: ignore[name-defined]
    """α of every revealed row: a cast ballot with such a row is refused (its choice is known)."""

    __tablename__ = "spoiled_rows"
    __table_args__ = (UniqueConstraint("poll_id", "alpha", name="uq_spoiled_alpha"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id", ondelete="CASCADE"), index=True)
    alpha: Mapped[bytes] = mapped_column(LargeBinary(33))
