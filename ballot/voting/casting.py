"""The cast path's own transactions: the one place below the views that commits.

Every other writer runs inside the request's transaction (ballot.db: on SQLite it began
IMMEDIATE) and commits once in its view (ballot.web). A cast instead must check the
signature and every proof *without* holding the write lock, so its view is marked
:func:`ballot.db.owns_transaction` and calls :func:`cast`, which

1. checks in a plain read transaction (:func:`ballot.voting.operations.check`) and ends it;
2. begins the write (:func:`ballot.db.begin_write`), locks the vote's chain head and
   appends (:func:`ballot.voting.operations.append`), and commits;
3. answers the signed receipt only after that commit.

A checked (spoiled) ballot follows the same steps (:func:`audit`).
"""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from ballot.db import begin_write, db
from ballot.voting import audits, operations
from ballot.voting.limits import CastLimits
from ballot.voting.operations import Receipt


def cast(poll_id: int, body: bytes, limits: CastLimits | None = None) -> Receipt:
    """Accept one ballot for the vote (or return the earlier receipt of the same ballot),
    committed before the receipt is returned."""
    checked = operations.check(poll_id, body, limits)
    db.session.rollback()  # end the read transaction; the write starts clean
    if isinstance(checked, Receipt):
        return checked
    begin_write()
    try:
        earlier = operations.append(checked)
        if earlier is not None:
            db.session.rollback()  # nothing written: release the write lock now
            return earlier
        db.session.commit()
    except IntegrityError:
        # A concurrent cast of the same card won the race (the unique constraints hold).
        db.session.rollback()
        receipt = operations.receipt(checked, raced=True)
        if receipt is None:
            raise
        return receipt
    receipt = operations.receipt(checked)
    if receipt is None:  # committed just above
        raise RuntimeError("the cast ballot is missing after its commit")
    return receipt


def audit(poll_id: int, body: bytes, context: object) -> tuple[bytes, bool]:
    """Verify and keep one checked ballot, committed; (audit tracker, already posted)."""
    checked = audits.check_audit(poll_id, body, context)
    db.session.rollback()  # the reveal was verified outside any lock
    begin_write()
    try:
        if audits.keep_audit(checked):
            db.session.rollback()
            return checked.tracker, True
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        if not audits.already_kept(checked):
            raise
        return checked.tracker, True
    return checked.tracker, False
