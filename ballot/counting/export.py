"""The election record of a vote, built from the database through tally/ (docs/record.md)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from ballot.actionlog import ActionLogEntry, canonical_time
from ballot.cards.models import Card
from ballot.db import db
from ballot.polls.models import CeremonyMessage, Poll
from ballot.voting.models import BallotEntry, SignedHead
from tally.record import Record


def _signed(h: SignedHead) -> dict[str, Any]:
    return {
        "count": h.count,
        "head": bytes(h.head).hex(),
        "at": h.at,
        "signature": bytes(h.signature).hex(),
    }


def actions(upto: int | None = None) -> list[dict[str, Any]]:
    """The action log (one chain for the installation) from its start, up to ``upto``."""
    stmt = select(ActionLogEntry).order_by(ActionLogEntry.id)
    if upto is not None:
        stmt = stmt.where(ActionLogEntry.id <= upto)
    entries = db.session.scalars(stmt)
    return [
        {
            "id": e.id,
            "at": canonical_time(e.at),
            "actor": e.actor,
            "action": e.action,
            "details": e.details,
            "prev_hash": bytes(e.prev_hash).hex(),
            "hash": bytes(e.hash).hex(),
        }
        for e in entries
    ]


def confirmations(poll: Poll) -> list[dict[str, Any]]:
    """The n trustees' confirmations of the frozen manifest (ascending trustee)."""
    rows = db.session.scalars(
        select(CeremonyMessage)
        .where(
            CeremonyMessage.poll_id == poll.id,
            CeremonyMessage.round == poll.ceremony_round,
            CeremonyMessage.kind == "confirm",
        )
        .order_by(CeremonyMessage.trustee)
    )
    return [json.loads(m.body) for m in rows]


def build_record(poll: Poll) -> Record:
    """Every record file available for this vote's state (complete once counted)."""
    from ballot.counting.models import Count, PartialRecord

    record = Record()
    record.put("manifest.json", json.loads(poll.manifest or "{}"))
    cards = list(
        db.session.scalars(select(Card).where(Card.poll_id == poll.id).order_by(Card.serial))
    )
    record.put(
        "cards.json",
        {"cards": [{"serial": c.serial, "key": bytes(c.public_key).hex()} for c in cards]},
    )
    revoked = sorted(
        (c for c in cards if c.status == "revoked"), key=lambda c: c.revoked_order or 0
    )
    record.put(
        "revocations.json",
        {
            "revocations": [
                {"serial": c.serial, "key": bytes(c.public_key).hex(), "order": c.revoked_order}
                for c in revoked
            ]
        },
    )
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
    heads = list(
        db.session.scalars(
            select(SignedHead).where(SignedHead.poll_id == poll.id).order_by(SignedHead.count)
        )
    )
    close = next((h for h in heads if h.kind == "close"), None)
    record.put(
        "checkpoints.json",
        {
            "checkpoints": [_signed(h) for h in heads if h.kind == "checkpoint"],
            "close": _signed(close) if close else None,
        },
    )
    record.put("confirmations.json", confirmations(poll))
    count = db.session.scalar(select(Count).where(Count.poll_id == poll.id))
    upto = count.last_action_id if count is not None and count.results is not None else None
    record.put("actions.json", {"actions": actions(upto)})
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
