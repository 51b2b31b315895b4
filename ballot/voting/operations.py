"""Casting a ballot: the one path by which a ballot enters the box.

Order (DESIGN §3): structure → card known, unrevoked, unused (cheap, before any
expensive work) → signature and every proof (outside any lock) → one transaction
that locks the vote's chain head, re-checks the card and the state, burns the card
and appends the ballot. The receipt is returned only after the commit. The same card
with the same ballot again gets the same receipt, in every state of the vote (also
after the close); a different ballot is refused.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from ballot.cards.models import Card
from ballot.db import begin_write, db
from ballot.errors import ApiError
from ballot.polls.models import Poll
from ballot.polls.operations import refuse
from ballot.voting.limits import CastLimits, NoLimits
from ballot.voting.models import BallotEntry
from keys.ballot import Ballot, check_signature, verify_ballot
from keys.errors import CryptoError
from keys.hashing import canonical_json
from tally.manifest import parse_manifest
from tally.record import chain_link

MAX_BALLOT_BYTES = 256 * 1024
_CONTEXTS: dict[bytes, Any] = {}


@dataclass(frozen=True)
class Receipt:
    """What the member keeps."""

    tracker: bytes
    seq: int
    repeated: bool


def _context(poll: Poll) -> Any:
    h = bytes(poll.manifest_hash or b"")
    ctx = _CONTEXTS.get(h)
    if ctx is None:
        ctx = parse_manifest(json.loads(poll.manifest or "{}")).context()
        _CONTEXTS[h] = ctx
    return ctx


def _crypto_refusal(err: CryptoError) -> Exception:
    messages = {
        "wrong_election": _l("This ballot was made for another vote."),
        "bad_signature": _l("The card's signature on this ballot is not valid."),
        "bad_proof": _l("The ballot's encryption proof is not valid."),
    }
    message = messages.get(err.code, _l("The ballot is malformed."))
    return refuse(err.code if err.code in messages else "bad_ballot", message, 400)


def parse(body: bytes) -> Ballot:
    """Size and structure of the request body; every point validated."""
    if len(body) > MAX_BALLOT_BYTES:
        raise refuse("too_large", _l("The ballot is too large."), 413)
    try:
        obj = json.loads(body.decode("utf-8"))
    except (ValueError, RecursionError):
        raise refuse("bad_ballot", _l("The ballot is not valid JSON."), 400) from None
    if isinstance(obj, dict) and "ballot" in obj and len(obj) == 1:
        obj = obj["ballot"]
    try:
        return Ballot.from_json(obj)
    except CryptoError as err:
        raise _crypto_refusal(err) from None


def _card(poll: Poll, key: bytes) -> Card | None:
    return db.session.scalar(select(Card).where(Card.poll_id == poll.id, Card.public_key == key))


def _existing(poll: Poll, card_key: bytes) -> BallotEntry | None:
    return db.session.scalar(
        select(BallotEntry).where(BallotEntry.poll_id == poll.id, BallotEntry.card_key == card_key)
    )


def _same_or_refuse(entry: BallotEntry, tracker: bytes) -> Receipt:
    if bytes(entry.tracker) == tracker:
        return Receipt(tracker, entry.seq, repeated=True)
    raise refuse("card_used", _l("This card has already been used to vote."))


def card_status(poll: Poll, card_key: bytes) -> str:
    """'unknown', 'revoked', 'used' or 'unused' (what the phone checks before voting)."""
    card = _card(poll, card_key)
    return "unknown" if card is None else card.status


def cast(poll_id: int, body: bytes, limits: CastLimits | None = None) -> Receipt:
    """Accept one ballot for the vote (or return the earlier receipt of the same ballot).

    ``limits`` (ballot.voting.limits) counts a request against its card once the card's
    signature verified, and against the client address when it fails before that.
    """
    limits = limits or NoLimits()
    try:
        ballot, poll, tracker, receipt = _before_card_known(poll_id, body)
    except ApiError:
        limits.failed()  # raises a 429 instead when the address is flooding
        raise
    if receipt is not None:
        return receipt
    limits.card_known(ballot.card)
    try:
        verify_ballot(_context(poll), ballot)
    except CryptoError as err:
        raise _crypto_refusal(err) from None
    body_text = canonical_json(ballot.to_json()).decode()
    db.session.rollback()  # end the read transaction; the write starts clean
    return _append(poll_id, ballot.card, tracker, body_text)


def _before_card_known(poll_id: int, body: bytes) -> tuple[Ballot, Poll, bytes, Receipt | None]:
    """Every check up to the card's signature (cheap); a receipt if already accepted."""
    ballot = parse(body)
    poll = db.session.get(Poll, poll_id)
    if poll is None:
        raise refuse("unknown_vote", _l("There is no such vote."), 404)
    tracker = ballot.tracker()
    # An accepted ballot sent again (the phone never saw the answer) gets its receipt in
    # every state, also after the close: the same tracker means the same bytes.
    entry = _existing(poll, ballot.card)
    if entry is not None:
        return ballot, poll, tracker, _same_or_refuse(entry, tracker)
    if poll.state != "open":
        if poll.state in ("draft", "ready"):
            raise refuse("not_open", _l("Voting has not opened yet."))
        raise refuse("closed", _l("Voting is closed."))
    card = _card(poll, ballot.card)
    if card is None:
        raise refuse("unknown_card", _l("This card does not belong to this vote."), 403)
    if card.status == "revoked":
        raise refuse("card_revoked", _l("This card has been revoked."), 403)
    try:
        check_signature(_context(poll), ballot)
    except CryptoError as err:
        raise _crypto_refusal(err) from None
    return ballot, poll, tracker, None


def _append(poll_id: int, card_key: bytes, tracker: bytes, body_text: str) -> Receipt:
    begin_write()
    poll = db.session.scalar(select(Poll).where(Poll.id == poll_id).with_for_update())
    assert poll is not None  # noqa: S101 - it existed a moment ago and polls are never deleted
    entry = _existing(poll, card_key)
    if entry is not None:
        return _same_or_refuse(entry, tracker)
    if poll.state != "open":
        raise refuse("closed", _l("Voting is closed."))
    burned = db.session.execute(
        update(Card)
        .where(Card.poll_id == poll.id, Card.public_key == card_key, Card.status == "unused")
        .values(status="used")
    ).rowcount
    if burned != 1:
        raise refuse("card_revoked", _l("This card cannot vote any more."), 403)
    seq = poll.ballot_count + 1
    prev = bytes(poll.chain_head or b"")
    link = chain_link(prev, seq, tracker)
    db.session.add(
        BallotEntry(
            poll_id=poll.id,
            seq=seq,
            card_key=card_key,
            tracker=tracker,
            prev_hash=prev,
            hash=link,
            body=body_text,
        )
    )
    poll.ballot_count = seq
    poll.chain_head = link
    try:
        db.session.commit()
    except IntegrityError:
        # A concurrent cast of the same card won the race (the unique constraints hold).
        db.session.rollback()
        entry = _existing(poll, card_key)
        if entry is None:
            raise
        return _same_or_refuse(entry, tracker)
    return Receipt(tracker, seq, repeated=False)


def board(poll: Poll, after: int = 0, limit: int = 500) -> list[tuple[int, bytes]]:
    """(seq, tracker) in chain order, for the public board."""
    rows = db.session.execute(
        select(BallotEntry.seq, BallotEntry.tracker)
        .where(BallotEntry.poll_id == poll.id, BallotEntry.seq > after)
        .order_by(BallotEntry.seq)
        .limit(limit)
    ).all()
    return [(int(s), bytes(t)) for s, t in rows]
