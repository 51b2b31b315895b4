"""What the count stores: the encrypted totals, each trustee's partial decryption, the results.

Nothing here is secret: shares never reach the server, only partial decryptions with
their proofs, checked on arrival.
"""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, Integer, LargeBinary, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ballot.db import db


class Count(db.Model):  # type: ignore[name-defined]
    """One vote's count: totals at close, then results and the record hash."""

    __tablename__ = "counts"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The vote (one count per vote).
    poll_id: Mapped[int] = mapped_column(
        ForeignKey("polls.id", ondelete="CASCADE"), unique=True, index=True
    )
    #: tally.json: the per-official encrypted totals over the whole chain.
    tally: Mapped[str] = mapped_column(Text)
    #: figures.json: summoned, present, issued, returned, times.
    figures: Mapped[str] = mapped_column(Text)
    #: results.json once k partial decryptions combined, else None.
    results: Mapped[str | None] = mapped_column(Text)
    #: The action log up to this entry is part of the record (later actions are not).
    last_action_id: Mapped[int | None] = mapped_column(Integer)
    #: The record hash printed in the minutes, once counted.
    record_hash: Mapped[bytes | None] = mapped_column(LargeBinary(32))


class PartialRecord(db.Model):  # type: ignore[name-defined]
    """A trustee's verified partial decryption of the totals."""

    __tablename__ = "partial_decryptions"
    __table_args__ = (
        UniqueConstraint("poll_id", "trustee", name="uq_partial_trustee"),
        CheckConstraint("trustee >= 1", name="trustee_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id", ondelete="CASCADE"), index=True)
    #: 1-based trustee index (one partial decryption per trustee).
    trustee: Mapped[int] = mapped_column(Integer)
    #: keys.decryption.PartialDecryption JSON, proofs checked before insert.
    body: Mapped[str] = mapped_column(Text)
