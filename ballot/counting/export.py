"""The election record of a vote, built from the database through tally/ (docs/record.md).

Every file is written through tally/records.py's definitions, the ones the verifier reads.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from ballot.actionlog import vote_log
from ballot.cards.models import Card, CardStatus
from ballot.counting.models import Count, PartialRecord
from ballot.db import db
from ballot.polls.models import CeremonyMessage, MessageKind, Poll
from ballot.voting.audits import checked_ballots
from ballot.voting.models import BallotEntry, HeadKind, SignedHead
from ballot.voting.operations import signed_json
from tally.checked import audits_json
from tally.record import Record
from tally.records import Card as CardJson


def confirmations(poll: Poll) -> list[dict[str, Any]]:
    """The n trustees' confirmations of the frozen manifest (ascending trustee)."""
    rows = db.session.scalars(
        select(CeremonyMessage)
        .where(
            CeremonyMessage.poll_id == poll.id,
            CeremonyMessage.round == poll.ceremony_round,
            CeremonyMessage.kind == MessageKind.CONFIRM,
        )
        .order_by(CeremonyMessage.trustee)
    )
    return [json.loads(m.body) for m in rows]


def build_record(poll: Poll) -> Record:
    """Every record file available for this vote's state (complete once counted)."""
    record = Record()
    put_cards(record, poll)
    put_ballots(record, poll)
    put_heads(record, poll)
    record.put("confirmations.json", confirmations(poll))
    count = db.session.scalar(select(Count).where(Count.poll_id == poll.id))
    upto = count.last_action_id if count is not None and count.results is not None else None
    # Only this vote's own chain, never the installation's log (accounts, other votes).
    record.put("actions.json", {"actions": vote_log(poll.public_id, upto)})
    if count is not None:
        record.put("figures.json", json.loads(count.figures))
        record.put("tally.json", json.loads(count.tally))
        parts = db.session.scalars(
            select(PartialRecord)
            .where(PartialRecord.poll_id == poll.id)
            .order_by(PartialRecord.trustee)
        )
        record.put("decryptions.json", {"decryptions": [json.loads(p.body) for p in parts]})
        if count.results is not None:
            record.put("results.json", json.loads(count.results))
    return record


def put_cards(record: Record, poll: Poll) -> None:
    """manifest.json, cards.json and revocations.json."""
    record.put("manifest.json", json.loads(poll.manifest or "{}"))
    cards = list(
        db.session.scalars(select(Card).where(Card.poll_id == poll.id).order_by(Card.serial))
    )
    record.put(
        "cards.json",
        {"cards": [CardJson(c.serial, bytes(c.public_key)).to_json() for c in cards]},
    )
    revoked = sorted(
        (c for c in cards if c.status == CardStatus.REVOKED), key=lambda c: c.revoked_order or 0
    )
    record.put(
        "revocations.json",
        {"revocations": [CardJson(c.serial, bytes(c.public_key)).to_json() for c in revoked]},
    )


def put_ballots(record: Record, poll: Poll) -> None:
    """ballots.json: the chain in order."""
    entries = db.session.scalars(
        select(BallotEntry).where(BallotEntry.poll_id == poll.id).order_by(BallotEntry.seq)
    )
    record.put(
        "ballots.json",
        {
            "ballots": [
                {
                    "seq": e.seq,
                    "prev": bytes(e.prev_hash).hex(),
                    "hash": bytes(e.hash).hex(),
                    "tracker": bytes(e.tracker).hex(),
                    "ballot": json.loads(e.body),
                }
                for e in entries
            ]
        },
    )
    record.put("audits.json", audits_json(checked_ballots(poll)))


def put_heads(record: Record, poll: Poll) -> None:
    """checkpoints.json: the signed checkpoints and the signed close."""
    heads = list(
        db.session.scalars(
            select(SignedHead).where(SignedHead.poll_id == poll.id).order_by(SignedHead.count)
        )
    )
    close = next((h for h in heads if h.kind == HeadKind.CLOSE), None)
    record.put(
        "checkpoints.json",
        {
            "checkpoints": [signed_json(h) for h in heads if h.kind == HeadKind.CHECKPOINT],
            "close": signed_json(close) if close else None,
        },
    )
