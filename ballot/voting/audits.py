"""Cast or check: checked (spoiled) ballots posted by phones (keys/audit.py).

A checked ballot is verified (each row encrypts its shown choice), stored with its
audit tracker, and its rows are remembered so that no ballot sharing one of them can be
cast (``refuse_if_spoiled``). Nothing about the request (card, address, time) is kept.
Nothing here commits: :func:`ballot.voting.casting.audit` owns the transactions
(:func:`check_audit` reads, then :func:`keep_audit` writes; it commits).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ballot.db import db
from ballot.errors import refuse
from ballot.polls.models import Poll
from ballot.states import Action, may
from ballot.voting.models import AuditedEntry, BallotEntry, SpoiledRow
from keys.audit import AuditedBallot, verify_audit
from keys.errors import CryptoError
from keys.hashing import canonical_json

#: A checked ballot of 500 rows is about 130 kB.
MAX_AUDIT_BYTES = 256 * 1024
#: Checked ballots kept per vote (a flood cannot fill the disk).
MAX_AUDITS_PER_VOTE = 5000


def _refusal(err: CryptoError) -> Exception:
    messages = {
        "wrong_election": _l("This checked ballot was made for another vote."),
        "bad_reveal": _l(
            "The checked ballot does not encrypt the choices it shows (wrong nonce or wrong "
            "choice): this page may not be honest."
        ),
    }
    message = messages.get(err.code, _l("The checked ballot is malformed."))
    return refuse(err.code if err.code in messages else "bad_audit", message, 400)


def parse_audit(body: bytes) -> AuditedBallot:
    """Size and structure of a posted checked ballot; every point validated."""
    if len(body) > MAX_AUDIT_BYTES:
        raise refuse("too_large", _l("The checked ballot is too large."), 413)
    try:
        obj = json.loads(body.decode("utf-8"))
    except (ValueError, RecursionError):
        raise refuse("bad_audit", _l("The checked ballot is not valid JSON."), 400) from None
    try:
        return AuditedBallot.from_json(obj)
    except CryptoError as err:
        raise _refusal(err) from None


@dataclass(frozen=True)
class CheckedAudit:
    """A checked ballot whose reveal verified (not yet kept)."""

    poll_id: int
    tracker: bytes
    text: str
    alphas: tuple[bytes, ...]


def check_audit(poll_id: int, body: bytes, context: object) -> CheckedAudit:
    """Parse and verify one checked ballot (reads only, outside any lock)."""
    audited = parse_audit(body)
    poll = db.session.get(Poll, poll_id)
    if poll is None:
        raise refuse("unknown_vote", _l("There is no such vote."), 404)
    if not may(Action.CAST, poll.state):
        raise refuse("closed", _l("Checked ballots are taken only while the vote is open."))
    try:
        verify_audit(context, audited)  # type: ignore[arg-type]
    except CryptoError as err:
        raise _refusal(err) from None
    tracker = audited.tracker()
    text = canonical_json(audited.to_json()).decode()
    return CheckedAudit(poll_id, tracker, text, tuple(row.alpha.to_bytes() for row in audited.rows))


def keep_audit(checked: CheckedAudit) -> bool:
    """Keep the checked ballot under the vote's lock (the caller began the write and
    commits); True when it was already kept (nothing added)."""
    poll_id, tracker = checked.poll_id, checked.tracker
    poll = db.session.scalar(select(Poll).where(Poll.id == poll_id).with_for_update())
    assert poll is not None  # noqa: S101 - it existed a moment ago
    if not may(Action.CAST, poll.state):
        raise refuse("closed", _l("Checked ballots are taken only while the vote is open."))
    if already_kept(checked):
        return True
    for alpha in checked.alphas:
        # A cast ballot's row revealed would show how its card voted: never accepted.
        if db.session.scalar(
            select(BallotEntry.id).where(
                BallotEntry.poll_id == poll_id, BallotEntry.body.contains(alpha.hex())
            )
        ):
            raise refuse("already_cast", _l("A row of this ballot has already been cast."), 409)
    count = db.session.query(AuditedEntry).filter_by(poll_id=poll_id).count()
    if count >= MAX_AUDITS_PER_VOTE:
        raise refuse("too_many", _l("This vote has taken as many checked ballots as it can."), 429)
    db.session.add(AuditedEntry(poll_id=poll_id, tracker=tracker, body=checked.text))
    for alpha in set(checked.alphas):
        if not db.session.scalar(
            select(SpoiledRow.id).where(SpoiledRow.poll_id == poll_id, SpoiledRow.alpha == alpha)
        ):
            db.session.add(SpoiledRow(poll_id=poll_id, alpha=alpha))
    return False


def already_kept(checked: CheckedAudit) -> bool:
    """Whether this checked ballot is on the board (also after a lost race at the commit)."""
    return (
        db.session.scalar(
            select(AuditedEntry.id).where(
                AuditedEntry.poll_id == checked.poll_id, AuditedEntry.tracker == checked.tracker
            )
        )
        is not None
    )


def refuse_if_spoiled(poll_id: int, alphas: list[bytes]) -> None:
    """Refuse a ballot (its rows' α) that shares a row with a checked one (choices public)."""
    hit = db.session.scalar(
        select(SpoiledRow.id)
        .where(SpoiledRow.poll_id == poll_id, SpoiledRow.alpha.in_(alphas))
        .limit(1)
    )
    if hit is not None:
        raise refuse(
            "spoiled",
            _l(
                "This ballot was checked (its encryption was revealed on the board) and can "
                "never be cast. Encrypt the ballot again on the phone."
            ),
            409,
        )


def checked_ballots(poll: Poll) -> list[AuditedBallot]:
    """Every checked ballot of the vote, in the order posted."""
    bodies = db.session.scalars(
        select(AuditedEntry.body).where(AuditedEntry.poll_id == poll.id).order_by(AuditedEntry.id)
    )
    return [AuditedBallot.from_json(json.loads(b)) for b in bodies]
