"""The election record of a vote, built from the database through tally/ (docs/record.md).

Every file is written through tally/records.py's definitions, the ones the verifier reads.
"""

from __future__ import annotations

import json

from sqlalchemy import select

from ballot.actionlog import vote_log
from ballot.board.operations import signed_json
from ballot.cards.models import Card
from ballot.db import db
from ballot.polls.models import Poll
from ballot.voting.audits import checked_ballots
from ballot.voting.models import BallotEntry, SignedHead
from tally.checked import audits_json
from tally.record import Record
from tally.records import Card as CardJson


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
        {"cards": [CardJson(c.serial, bytes(c.public_key)).to_json() for c in cards]},
    )
    revoked = sorted(
        (c for c in cards if c.status == "revoked"), key=lambda c: c.revoked_order or 0
    )
    record.put(
        "revocations.json",
        {"revocations": [CardJson(c.serial, bytes(c.public_key)).to_json() for c in revoked]},
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
    record.put("audits.json", audits_json(checked_ballots(poll)))
    heads = list(
        db.session.scalars(
            select(SignedHead).where(SignedHead.poll_id == poll.id).order_by(SignedHead.count)
        )
    )
    close = next((h for h in heads if h.kind == "close"), None)
    record.put(
        "checkpoints.json",
        {
            "checkpoints": [signed_json(h) for h in heads if h.kind == "checkpoint"],
            "close": signed_json(close) if close else None,
        },
    )
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
