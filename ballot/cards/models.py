"""Voting cards: the server keeps only each card's public key, never its secret."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ballot.db import db
from ballot.vocab import check_in


class CardStatus(StrEnum):
    """unused → used (burned by its ballot) or revoked (lost; by serial)."""

    UNUSED = "unused"
    USED = "used"
    REVOKED = "revoked"


class Card(db.Model):  # type: ignore[name-defined]
    """A printed one-time card."""

    __tablename__ = "cards"
    __table_args__ = (
        UniqueConstraint("poll_id", "serial", name="uq_cards_serial"),
        UniqueConstraint("poll_id", "public_key", name="uq_cards_key"),
        CheckConstraint(check_in("status", CardStatus), name="status"),
        CheckConstraint("length(public_key) = 32", name="key_size"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The vote.
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id", ondelete="CASCADE"), index=True)
    #: Printed serial, on the tear-off stub ("0001").
    serial: Mapped[str] = mapped_column(String(16))
    #: BIP340 x-only public key derived from the card secret (32 bytes).
    public_key: Mapped[bytes] = mapped_column(LargeBinary(32))
    #: A spare, printed beyond the number summoned, issued against a revoked card.
    spare: Mapped[bool] = mapped_column(default=False)
    #: Spare handed out (counts towards cards issued).
    spare_issued: Mapped[bool] = mapped_column(default=False)
    #: A CardStatus.
    status: Mapped[str] = mapped_column(String(8), default=CardStatus.UNUSED)
    #: Position of the revocation in the record's revocations list.
    revoked_order: Mapped[int | None] = mapped_column(Integer)
