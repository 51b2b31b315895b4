"""The count (docs/rules.md; docs/security.md, property 5): only after close, only
totals are decrypted.

1. ``start_count``: closed vote → the per-official encrypted totals and the figures;
2. ``submit_partial``: one trustee's partial decryption (made offline with
   ``python -m tally partial-decrypt`` or in the trustee's browser), checked on arrival:
   a bad proof, a duplicate trustee or another vote's data is refused and changes nothing;
3. with k valid ones the results are computed under the rules, the vote becomes
   ``tallied`` and the record hash is fixed; ``publish`` makes it ``published``.
"""

from __future__ import annotations

import json
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ballot.actionlog import ActionLogEntry, log_action, vote_log
from ballot.cards.operations import issued
from ballot.counting.export import (
    build_record,
    confirmations,
    put_ballots,
    put_cards,
    put_heads,
)
from ballot.counting.models import Count, PartialRecord
from ballot.db import db
from ballot.errors import refuse
from ballot.polls.models import Poll
from ballot.states import Action, after, may, require_state
from ballot.voting.models import BallotEntry, HeadKind, SignedHead
from keys.ballot import Ballot
from keys.decryption import PartialDecryption
from keys.errors import CryptoError
from keys.hashing import canonical_json
from tally.count import (
    accept_partial,
    aggregate_ballots,
    parse_totals,
    results,
    tally_json,
)
from tally.manifest import Manifest, parse_manifest
from tally.record import Record
from tally.records import FiguresFile, parse_figures_file
from tally.rules import Figures


def manifest_of(poll: Poll) -> Manifest:
    """The parsed frozen manifest."""
    return parse_manifest(json.loads(poll.manifest or "{}"))


def get_count(poll: Poll) -> Count | None:
    """The vote's count, if started."""
    return db.session.scalar(select(Count).where(Count.poll_id == poll.id))


def results_of(poll: Poll) -> dict[str, Any] | None:
    """The results (results.json) once the count is complete, else None."""
    count = get_count(poll)
    return json.loads(count.results) if count is not None and count.results else None


def start_count(actor: str, poll: Poll) -> Count:
    """Aggregate the chain's ballots into one encrypted total per official (closed only)."""
    require_state(poll, Action.COUNT)
    existing = get_count(poll)
    if existing is not None:
        return existing
    manifest = manifest_of(poll)
    bodies = db.session.scalars(
        select(BallotEntry.body).where(BallotEntry.poll_id == poll.id).order_by(BallotEntry.seq)
    )
    ballots = [Ballot.from_json(json.loads(b)) for b in bodies]
    figures = Figures(
        summoned=poll.summoned,
        present=poll.present,
        issued=issued(poll),
        returned=len(ballots),
        members_total=poll.members_total,
    )
    # The times the record signs: the open entry of the vote's log and the signed close.
    opened = next(e["at"] for e in vote_log(poll.public_id) if e["action"] == "poll.open")
    close = db.session.scalar(
        select(SignedHead).where(SignedHead.poll_id == poll.id, SignedHead.kind == HeadKind.CLOSE)
    )
    assert close is not None  # noqa: S101 - the vote is closed (require_state above)
    figures_file = FiguresFile(
        figures.summoned,
        figures.present,
        figures.issued,
        figures.returned,
        figures.members_total,
        opened,
        close.at,
    )
    count = Count(
        poll_id=poll.id,
        tally=canonical_json(
            tally_json(aggregate_ballots(manifest, ballots), len(ballots))
        ).decode(),
        figures=canonical_json(figures_file.to_json()).decode(),
    )
    db.session.add(count)
    log_action(actor, "count.start", {"poll": poll.public_id, "ballots": len(ballots)})
    return count


# The record files in count/ballots.json (the trustees' tools check the same ones).
CHECK_FILES = ("manifest", "cards", "revocations", "ballots", "checkpoints", "confirmations")


def check_data(poll: Poll) -> bytes:
    """GET count/ballots.json: what a trustee's browser verifies before decrypting (all public).

    ``{"manifest", "cards", "revocations", "ballots", "checkpoints", "confirmations",
    "tally"}``: the bytes of the record files manifest.json, cards.json, revocations.json,
    ballots.json, checkpoints.json, confirmations.json exactly as in record.zip
    (docs/record.md), and the server's tally.json
    once the count has started (else null), which the page only compares with its own sums.
    """
    record = Record()
    put_cards(record, poll)
    put_heads(record, poll)
    if not may(Action.READ_RECORD, poll.state) or not record.json("checkpoints.json").get(
        "close"  # the record's field, not the head kind
    ):
        raise refuse("not_closed", _l("Voting is not closed yet."), 409)
    put_ballots(record, poll)
    record.put("confirmations.json", confirmations(poll))
    count = get_count(poll)
    tally = count.tally.encode() if count is not None else b"null"
    parts = [b'"' + name.encode() + b'":' + record.files[f"{name}.json"] for name in CHECK_FILES]
    return b"{" + b",".join([*parts, b'"tally":' + tally]) + b"}"


def partials(poll: Poll) -> list[PartialDecryption]:
    """The accepted partial decryptions, by trustee index."""
    rows = db.session.scalars(
        select(PartialRecord.body)
        .where(PartialRecord.poll_id == poll.id)
        .order_by(PartialRecord.trustee)
    )
    return [PartialDecryption.from_json(json.loads(b)) for b in rows]


def submit_partial(actor: str, poll: Poll, upload: Any) -> int:
    """Check and store one trustee's partial decryption; complete the count at k.

    ``upload`` is the JSON object written by ``tally partial-decrypt`` (or the browser).
    Returns the trustee index. Raises ApiError naming the trustee on any problem.
    """
    require_state(poll, Action.COUNT)
    count = get_count(poll) or start_count(actor, poll)
    manifest = manifest_of(poll)
    if isinstance(upload, dict):
        if upload.get("manifest", manifest.hash.hex()) != manifest.hash.hex():
            raise refuse("wrong_vote", _l("This partial decryption is for another vote."), 400)
        upload = {k: upload.get(k) for k in ("trustee", "shares", "proofs")}
    totals, _ = parse_totals(json.loads(count.tally), manifest)
    accepted = partials(poll)
    try:
        part = accept_partial(manifest, totals, accepted, upload)
    except CryptoError as err:
        trustee = upload.get("trustee") if isinstance(upload, dict) else "?"
        if err.code == "duplicate_trustee":
            message = _l("Trustee %(n)s has already taken part.", n=trustee)
        elif err.code == "bad_encoding":
            message = _l("The file is not a partial decryption.")
        else:
            message = _l("The partial decryption of trustee %(n)s does not verify.", n=trustee)
        raise refuse(err.code, message, 400) from None
    db.session.add(
        PartialRecord(
            poll_id=poll.id, trustee=part.trustee, body=canonical_json(part.to_json()).decode()
        )
    )
    log_action(actor, "count.partial", {"poll": poll.public_id, "trustee": part.trustee})
    if len(accepted) + 1 >= manifest.key.threshold:
        _complete(actor, poll, count, manifest, totals, [*accepted, part])
    return part.trustee


def _complete(
    actor: str, poll: Poll, count: Count, manifest: Manifest, totals: Any, parts: list[Any]
) -> None:
    figures = parse_figures_file(json.loads(count.figures)).figures()
    try:
        res = results(manifest, figures, totals, parts)
    except CryptoError as err:
        raise refuse(err.code, _l("The totals could not be decrypted."), 400) from None
    count.results = canonical_json(res).decode()
    poll.state = after(Action.TALLY, poll.state)
    log_action(actor, "poll.tallied", {"poll": poll.public_id, "trustees": res["trustees"]})
    db.session.flush()
    count.last_action_id = db.session.scalar(select(func.max(ActionLogEntry.id)))
    count.record_hash = build_record(poll).hash()


def publish(actor: str, poll: Poll) -> None:
    """tallied → published (the record and results become public)."""
    require_state(poll, Action.PUBLISH)
    poll.state = after(Action.PUBLISH, poll.state)
    log_action(actor, "poll.publish", {"poll": poll.public_id})
