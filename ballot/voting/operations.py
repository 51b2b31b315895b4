"""Casting a ballot: the one path by which a ballot enters the box.

Order (docs/security.md): structure → card known, unrevoked, unused (cheap, before any
expensive work) → signature and every proof (outside any lock) → one transaction
that locks the vote's chain head, re-checks the card and the state, burns the card
and appends the ballot. The receipt is returned only after the commit. The same card
with the same ballot again gets the same receipt, in every state of the vote (also
after the close); a different ballot is refused.

Nothing here commits: :mod:`ballot.voting.casting` owns the cast's transactions (it
runs :func:`check` in a read transaction, ends it, begins the write, runs :func:`append`,
commits, and only then asks :func:`receipt` for the answer).
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import CursorResult, select, update

from ballot.actionlog import log_action
from ballot.cards.models import Card, CardStatus
from ballot.cards.operations import issued
from ballot.db import db
from ballot.errors import ApiError, refuse
from ballot.polls.models import Poll
from ballot.serverkey import server_key
from ballot.states import Action, State, may
from ballot.voting.audits import refuse_if_spoiled
from ballot.voting.limits import CastLimits, NoLimits
from ballot.voting.models import BallotEntry, HeadKind, SignedHead
from keys import signing
from keys.ballot import Ballot, check_signature, verify_ballot
from keys.errors import CryptoError
from keys.hashing import canonical_json
from tally.actions import CHECKPOINT_ACTION, checkpoint_details, checkpoint_moment
from tally.manifest import parse_manifest
from tally.record import TAG_CHECKPOINT, chain_link, head_message, receipt_message
from tally.records import Receipt as SignedReceipt
from tally.records import SignedHead as SignedHeadJson
from tally.records import record_time

MAX_BALLOT_BYTES = 256 * 1024
_CONTEXTS: dict[bytes, Any] = {}
_VERIFY_SLOTS: list[threading.Semaphore] = []


def _verifying() -> threading.Semaphore:
    """At most ``CAST_VERIFY_THREADS`` (config/defaults.py) proof checks at once per process.

    Proof checks are CPU work under the interpreter lock: running many at once in one
    worker's threads only makes each slower (and a thread that holds the vote's row
    lock waits behind them). Queued here, ballots are checked one after another while
    the other threads keep reading requests and answering cheap ones.
    """
    if not _VERIFY_SLOTS:
        _VERIFY_SLOTS.append(threading.Semaphore(int(current_app.config["CAST_VERIFY_THREADS"])))
    return _VERIFY_SLOTS[0]


@dataclass(frozen=True)
class Receipt:
    """What the member keeps: tracker, position, and the server-signed receipt JSON."""

    tracker: bytes
    seq: int
    repeated: bool
    signed: dict[str, Any] | None = None


def sign_receipt(manifest_hash: bytes, seq: int, tracker: bytes, head: bytes) -> dict[str, Any]:
    """The receipt a member can show to prove ballot ``seq`` was accepted (record.md §7)."""
    signature = signing.sign(server_key(), receipt_message(manifest_hash, seq, tracker, head))
    return SignedReceipt(manifest_hash, seq, tracker, head, signature).to_json()


def _receipt(poll: Poll, entry: BallotEntry, repeated: bool) -> Receipt:
    manifest_hash = bytes(poll.manifest_hash or b"")
    signed = sign_receipt(manifest_hash, entry.seq, bytes(entry.tracker), bytes(entry.hash))
    return Receipt(bytes(entry.tracker), entry.seq, repeated, signed)


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


def load(body: bytes) -> Any:
    """Size of the request body and its JSON (no point parsed yet)."""
    if len(body) > MAX_BALLOT_BYTES:
        raise refuse("too_large", _l("The ballot is too large."), 413)
    try:
        obj = json.loads(body.decode("utf-8"))
    except (ValueError, RecursionError):
        raise refuse("bad_ballot", _l("The ballot is not valid JSON."), 400) from None
    if isinstance(obj, dict) and "ballot" in obj and len(obj) == 1:
        obj = obj["ballot"]
    return obj


def parse(body: bytes, ctx: Any = None) -> Ballot:
    """Size and structure of the request body; every point validated.

    With the vote's context, the row count and sizes are checked against the manifest
    before any point is parsed (keys.ballot.Ballot.from_json).
    """
    return _ballot(load(body), ctx)


def _ballot(obj: Any, ctx: Any) -> Ballot:
    try:
        return Ballot.from_json(obj, expect=ctx)
    except CryptoError as err:
        raise _crypto_refusal(err) from None


def _card(poll: Poll, key: bytes) -> Card | None:
    return db.session.scalar(select(Card).where(Card.poll_id == poll.id, Card.public_key == key))


def _existing(poll: Poll, card_key: bytes) -> BallotEntry | None:
    return db.session.scalar(
        select(BallotEntry).where(BallotEntry.poll_id == poll.id, BallotEntry.card_key == card_key)
    )


def _same_or_refuse(poll: Poll, entry: BallotEntry, tracker: bytes) -> Receipt:
    if bytes(entry.tracker) == tracker:
        return _receipt(poll, entry, repeated=True)
    raise refuse("card_used", _l("This card has already been used to vote."))


def card_status(poll: Poll, card_key: bytes) -> str:
    """'unknown', 'revoked', 'used' or 'unused' (what the phone checks before voting)."""
    card = _card(poll, card_key)
    return "unknown" if card is None else card.status


@dataclass(frozen=True)
class Checked:
    """A ballot whose structure, card, signature and proofs were checked (not yet cast)."""

    poll_id: int
    card: bytes
    tracker: bytes
    body_text: str


def check(poll_id: int, body: bytes, limits: CastLimits | None = None) -> Checked | Receipt:
    """Every check before the box (reads only): the checked ballot, or the earlier
    receipt when this very ballot was already accepted.

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
        with _verifying():
            verify_ballot(_context(poll), ballot)
    except CryptoError as err:
        limits.bad_ballot(ballot.card, body)  # its resend is refused unparsed
        raise _crypto_refusal(err) from None
    body_text = canonical_json(ballot.to_json()).decode()
    return Checked(poll_id, ballot.card, tracker, body_text)


def _before_card_known(poll_id: int, body: bytes) -> tuple[Ballot, Poll, bytes, Receipt | None]:
    """Every check up to the card's signature (cheap); a receipt if already accepted."""
    obj = load(body)  # size and JSON first: junk costs no database query
    poll = db.session.get(Poll, poll_id)
    if poll is None:
        raise refuse("unknown_vote", _l("There is no such vote."), 404)
    if poll.manifest is None:
        raise refuse("not_open", _l("Voting has not opened yet."))
    ballot = _ballot(obj, _context(poll))
    tracker = ballot.tracker()
    # An accepted ballot sent again (the phone never saw the answer) gets its receipt in
    # every state, also after the close: the same tracker means the same bytes.
    entry = _existing(poll, ballot.card)
    if entry is not None:
        return ballot, poll, tracker, _same_or_refuse(poll, entry, tracker)
    if not may(Action.CAST, poll.state):
        if poll.state in (State.DRAFT, State.READY):
            raise refuse("not_open", _l("Voting has not opened yet."))
        raise refuse("closed", _l("Voting is closed."))
    card = _card(poll, ballot.card)
    if card is None:
        raise refuse("unknown_card", _l("This card does not belong to this vote."), 403)
    if card.status == CardStatus.REVOKED:
        raise refuse("card_revoked", _l("This card has been revoked."), 403)
    refuse_if_spoiled(poll.id, [row.ct.alpha.to_bytes() for row in ballot.rows])
    try:
        check_signature(_context(poll), ballot)
    except CryptoError as err:
        raise _crypto_refusal(err) from None
    return ballot, poll, tracker, None


def append(checked: Checked) -> Receipt | None:
    """Burn the card and append the ballot under the vote's lock (the caller began the
    write and commits); ``None`` once added, or the earlier receipt of this ballot."""
    poll_id, card_key, tracker, body_text = (
        checked.poll_id,
        checked.card,
        checked.tracker,
        checked.body_text,
    )
    poll = db.session.scalar(select(Poll).where(Poll.id == poll_id).with_for_update())
    assert poll is not None  # noqa: S101 - it existed a moment ago and polls are never deleted
    entry = _existing(poll, card_key)
    if entry is not None:
        return _same_or_refuse(poll, entry, tracker)
    if not may(Action.CAST, poll.state):
        raise refuse("closed", _l("Voting is closed."))
    # Again under the vote's lock: a checked ballot posted meanwhile still wins.
    refuse_if_spoiled(poll.id, [bytes.fromhex(r["alpha"]) for r in json.loads(body_text)["rows"]])
    if poll.ballot_count + 1 > issued(poll):
        # returned ≤ issued (check-ins + spares handed out): a ballot from a card nobody
        # was handed is refused here, and a record claiming one is INVALID (tally verify).
        raise refuse(
            "not_issued",
            _l(
                "Refused: every issued card has voted (%(issued)s). Check the member in "
                "or hand out a spare card first.",
                issued=issued(poll),
            ),
        )
    burned = cast(
        "CursorResult[Any]",
        db.session.execute(
            update(Card)
            .where(
                Card.poll_id == poll.id,
                Card.public_key == card_key,
                Card.status == CardStatus.UNUSED,
            )
            .values(status=CardStatus.USED)
        ),
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
    _maybe_checkpoint(poll, seq, link)
    return None


def receipt(checked: Checked, *, raced: bool = False) -> Receipt | None:
    """The signed receipt of the card's ballot in the box, once committed.

    ``raced``: the commit failed on a unique constraint because a concurrent cast of
    the same card won; then the same ballot gets that receipt, another is refused, and
    ``None`` means the card has no ballot (the failure was something else).
    """
    poll = db.session.get(Poll, checked.poll_id)
    entry = _existing(poll, checked.card) if poll is not None else None
    if poll is None or entry is None:
        return None
    if raced:
        return _same_or_refuse(poll, entry, checked.tracker)
    return _receipt(poll, entry, repeated=False)


def signed_record(h: SignedHead) -> SignedHeadJson:
    """A signed head as the record types it (tally/records.py)."""
    close = h.kind == "close" and h.actions_head is not None
    return SignedHeadJson(
        h.count,
        bytes(h.head),
        h.at,
        bytes(h.signature),
        h.actions if close else None,
        bytes(h.actions_head) if close and h.actions_head else None,
    )


def signed_json(h: SignedHead) -> dict[str, Any]:
    """A signed head as in the record's checkpoints.json (tally/records.py)."""
    return signed_record(h).to_json()


def _maybe_checkpoint(poll: Poll, seq: int, head: bytes) -> None:
    """Sign the head every CHECKPOINT_BALLOTS ballots or after CHECKPOINT_SECONDS."""
    every = int(current_app.config["CHECKPOINT_BALLOTS"])
    seconds = int(current_app.config["CHECKPOINT_SECONDS"])
    last = db.session.scalar(
        select(SignedHead)
        .where(SignedHead.poll_id == poll.id, SignedHead.kind == HeadKind.CHECKPOINT)
        .order_by(SignedHead.count.desc())
        .limit(1)
    )
    now = datetime.now(UTC)
    due = seq % max(1, every) == 0
    if last is not None and not due:
        due = (now - datetime.fromisoformat(last.at)).total_seconds() >= seconds
    elif last is None and poll.opened_at is not None and not due:
        opened = poll.opened_at if poll.opened_at.tzinfo else poll.opened_at.replace(tzinfo=UTC)
        due = (now - opened).total_seconds() >= seconds
    if not due:
        return
    # Only the minute is kept (signed, logged and stored): the exact time of this cast
    # would link a moment to ballot #seq's card, which ballots.json makes public.
    moment = checkpoint_moment(now)
    at = record_time(moment)
    message = head_message(TAG_CHECKPOINT, bytes(poll.manifest_hash or b""), seq, head, at)
    signature = signing.sign(server_key(), message)
    db.session.add(
        SignedHead(
            poll_id=poll.id,
            kind=HeadKind.CHECKPOINT,
            count=seq,
            head=head,
            at=at,
            signature=signature,
        )
    )
    # Logged in the vote's own chain, whose head the close signs: a record that leaves
    # this checkpoint out of checkpoints.json is then INVALID, unless the server itself
    # re-signs the close over a trimmed log (caught by a saved close; docs/record.md §3).
    log_action(
        "system",
        CHECKPOINT_ACTION,
        checkpoint_details(poll.public_id, seq, head, at, signature),
        at=moment,
    )


def board(poll: Poll, after: int = 0, limit: int = 500) -> list[tuple[int, bytes]]:
    """(seq, tracker) in chain order, for the public board."""
    rows = db.session.execute(
        select(BallotEntry.seq, BallotEntry.tracker)
        .where(BallotEntry.poll_id == poll.id, BallotEntry.seq > after)
        .order_by(BallotEntry.seq)
        .limit(limit)
    ).all()
    return [(int(s), bytes(t)) for s, t in rows]
