"""State changes of a vote. Each function checks its rule, changes the session, logs the
action, and never commits (the calling view commits once). Rules
(docs/rules.md, docs/architecture.md):

* officials, rules, keys and cards change only in ``draft``;
* the election key comes from the trustees' ceremony board (ballot.polls.ceremony);
* freezing needs officials, the key, the cards and every trustee's confirmation of the
  exact manifest; it builds the manifest;
* opening needs ``ready`` and a quorum (≥ 2/3 of summoned present) or a recorded reason;
* ballots are accepted only while ``open``; closing signs the final chain head.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm.attributes import set_committed_value

from ballot.actionlog import ActionLogEntry, log_action, vote_log
from ballot.cards.models import Card
from ballot.cards.operations import issued
from ballot.db import db
from ballot.definition import definition_for, officials
from ballot.errors import refuse
from ballot.polls.models import Official, Poll
from ballot.serverkey import server_key
from ballot.states import Action, State, after, allowed, require_state
from ballot.voting.models import SignedHead
from keys import signing
from keys.hashing import canonical_json, manifest_hash
from keys.shamir import check_parameters
from tally.manifest import parse_manifest, with_cards
from tally.record import close_message
from tally.records import record_time
from tally.rules import DEFAULT_THRESHOLDS, custom_thresholds, quorum_met

MAX_OFFICIALS = 200


def now() -> datetime:
    """The current time (UTC)."""
    return datetime.now(UTC)


def require_no_cards(poll: Poll) -> None:
    """Refuse while cards exist: they carry the fingerprint of the officials and keys."""
    printed = db.session.scalar(select(func.count()).where(Card.poll_id == poll.id))
    if printed:
        raise refuse(
            "cards_printed",
            _l("Cards are already printed for this list and keys. Discard them first."),
        )


#: Vote ids are typed from the card: the card code's alphabet, lower case (no i, l, o, u).
VOTE_ID_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
VOTE_ID_LENGTH = 12  # 60 bits


def new_vote_id() -> str:
    """A fresh random vote id (``VOTE_ID_LENGTH`` characters of ``VOTE_ID_ALPHABET``)."""
    return "".join(secrets.choice(VOTE_ID_ALPHABET) for _ in range(VOTE_ID_LENGTH))


def normalize_vote_id(typed: str) -> str:
    """A typed vote id as stored: lower case, spaces and dashes dropped, i/l → 1, o → 0."""
    text = "".join(ch for ch in typed.lower() if ch not in " -\t")
    return text.translate(str.maketrans("ilo", "110"))


def creation_times() -> dict[str, Any]:
    """When each vote was created (public id → time), from the action log."""
    rows = db.session.execute(
        select(ActionLogEntry.at, ActionLogEntry.details).where(
            ActionLogEntry.action == "poll.create"
        )
    ).all()
    return {d["poll"]: at for at, d in rows if isinstance(d, dict) and "poll" in d}


def create_poll(
    actor: str,
    *,
    meeting: str,
    title: str,
    kind: str,
    summoned: int,
    trustee_names: list[str],
    threshold: int,
    denominator: str = "returned",
    members_total: int | None = None,
    fractions: dict[str, str] | None = None,
) -> Poll:
    """A new vote in ``draft``; thresholds are the kind's defaults unless ``fractions``
    (flag → "p/q", see tally.rules.EDITABLE) says otherwise."""
    if kind not in DEFAULT_THRESHOLDS:
        raise refuse("bad_kind", _l("Unknown kind of vote."), 400)
    names = [n.strip() for n in trustee_names if n.strip()]
    if len(set(names)) != len(names):
        raise refuse("bad_trustees", _l("Trustee names must be different."), 400)
    try:
        check_parameters(threshold, len(names))
    except ValueError:
        raise refuse("bad_trustees", _l("Need 2 ≤ k ≤ n trustees."), 400) from None
    if threshold < 2:
        raise refuse(
            "bad_trustees",
            _l("At least 2 trustees must be needed to count: one alone would hold the key."),
            400,
        )
    if denominator == "members_total" and not members_total:
        raise refuse("bad_rules", _l("This denominator needs the total number of members."), 400)
    try:
        thresholds = custom_thresholds(kind, fractions or {})
    except ValueError:
        raise refuse(
            "bad_rules",
            _l("Thresholds are fractions p/q between 0 and 1, the first below the second."),
            400,
        ) from None
    poll = Poll(
        public_id=new_vote_id(),
        meeting=meeting.strip(),
        title=title.strip(),
        kind=kind,
        summoned=summoned,
        members_total=members_total,
        denominator=denominator,
        thresholds=[t.to_json() for t in thresholds],
        trustee_names=names,
        trustees=len(names),
        threshold=threshold,
        state=State.DRAFT,
    )
    db.session.add(poll)
    db.session.flush()
    log_action(actor, "poll.create", {"poll": poll.public_id, "title": poll.title, "kind": kind})
    return poll


def add_official(actor: str, poll: Poll, name: str, position: str) -> Official:
    """Append one official at the end of the ballot."""
    require_state(poll, Action.PREPARE)
    require_no_cards(poll)
    name, position = name.strip(), position.strip()
    if not name:
        raise refuse("bad_official", _l("The full name is required."), 400)
    count = db.session.scalar(select(func.count()).where(Official.poll_id == poll.id)) or 0
    if count >= MAX_OFFICIALS:
        raise refuse("too_many", _l("Too many officials on one ballot."), 400)
    official = Official(poll_id=poll.id, position_order=count + 1, name=name, position=position)
    db.session.add(official)
    log_action(actor, "poll.official.add", {"poll": poll.public_id, "name": name})
    return official


def _official(poll: Poll, official_id: int) -> Official:
    found = next((o for o in officials(poll) if o.id == official_id), None)
    if found is None:
        raise refuse("bad_order", _l("No such official or position."), 400)
    return found


def edit_official(actor: str, poll: Poll, official_id: int, name: str, position: str) -> None:
    """Correct one official's name or position (until cards are printed)."""
    require_state(poll, Action.PREPARE)
    require_no_cards(poll)
    name, position = name.strip(), position.strip()
    if not name:
        raise refuse("bad_official", _l("The full name is required."), 400)
    official = _official(poll, official_id)
    official.name, official.position = name, position
    log_action(actor, "poll.official.edit", {"poll": poll.public_id, "name": name})


def delete_official(actor: str, poll: Poll, official_id: int) -> None:
    """Remove one official; the ones after it move up (until cards are printed)."""
    require_state(poll, Action.PREPARE)
    require_no_cards(poll)
    official = _official(poll, official_id)
    name = official.name
    db.session.delete(official)
    db.session.flush()
    rest = officials(poll)
    for o in rest:  # two passes: the unique (poll, order) constraint holds throughout
        o.position_order += 10_000
    db.session.flush()
    for i, o in enumerate(rest, start=1):
        o.position_order = i
    log_action(actor, "poll.official.delete", {"poll": poll.public_id, "name": name})


def replace_officials(actor: str, poll: Poll, rows: list[tuple[str, str]]) -> None:
    """Replace the whole list (an import): all rows or none."""
    require_state(poll, Action.PREPARE)
    require_no_cards(poll)
    if not rows or len(rows) > MAX_OFFICIALS:
        raise refuse("bad_import", _l("The list must have between 1 and 200 officials."), 400)
    for o in officials(poll):
        db.session.delete(o)
    db.session.flush()
    for i, (name, position) in enumerate(rows, start=1):
        db.session.add(Official(poll_id=poll.id, position_order=i, name=name, position=position))
    log_action(actor, "poll.official.import", {"poll": poll.public_id, "count": len(rows)})


def move_official(actor: str, poll: Poll, official_id: int, new_order: int) -> None:
    """Move one official to ``new_order`` (1-based), shifting the others."""
    require_state(poll, Action.PREPARE)
    require_no_cards(poll)
    rows = officials(poll)
    moving = next((o for o in rows if o.id == official_id), None)
    if moving is None or not 1 <= new_order <= len(rows):
        raise refuse("bad_order", _l("No such official or position."), 400)
    rows.remove(moving)
    rows.insert(new_order - 1, moving)
    for o in rows:  # two passes: the unique (poll, order) constraint holds throughout
        o.position_order += 10_000
    db.session.flush()
    for i, o in enumerate(rows, start=1):
        o.position_order = i
    log_action(actor, "poll.official.move", {"poll": poll.public_id, "to": new_order})


def card_keys(poll: Poll) -> list[tuple[str, bytes]]:
    """(serial, public key) of every card of this vote (the manifest's card set)."""
    rows = db.session.execute(select(Card.serial, Card.public_key).where(Card.poll_id == poll.id))
    return [(serial, bytes(key)) for serial, key in rows.all()]


def manifest_for(poll: Poll, cards: list[tuple[str, bytes]]) -> dict[str, Any]:
    """The manifest of this vote over these cards (``card_keys(poll)``)."""
    return with_cards(definition_for(poll), cards)


def freeze(actor: str, poll: Poll) -> bytes:
    """Build and freeze the manifest (draft → ready); return its hash. Needs every
    trustee's verified confirmation of this exact manifest (keys/dkg.py)."""
    from ballot.polls.ceremony_post import require_confirmed

    require_state(poll, Action.FREEZE)
    keys = card_keys(poll)
    raw = manifest_for(poll, keys)
    if not keys:
        raise refuse("not_ready", _l("Print the cards first."))
    parse_manifest(raw)  # the verifier's own checks, before anything is frozen
    require_confirmed(poll, raw)
    poll.manifest = canonical_json(raw).decode()
    poll.manifest_hash = manifest_hash(raw)
    poll.chain_head = poll.manifest_hash
    poll.state = after(Action.FREEZE, poll.state)
    log_action(actor, "poll.freeze", {"poll": poll.public_id, "manifest": poll.manifest_hash.hex()})
    return poll.manifest_hash


def check_in(actor: str, poll: Poll, delta: int) -> int:
    """Count members in (+1) or correct a mistake (−1). Names no one and no card."""
    require_state(poll, Action.CHECK_IN)
    bad = refuse("bad_count", _l("The count must stay between 0 and the number summoned."))
    if delta not in (1, -1):
        raise bad
    if delta < 0 and poll.state == State.OPEN:
        if issued(poll) - 1 < poll.ballot_count:
            # issued (check-ins + spares) never falls below the ballots returned.
            raise refuse(
                "bad_count",
                _l("Cannot uncount: more ballots have been cast than cards would be issued."),
            )
    # One UPDATE computed by the database: parallel check-ins on PostgreSQL each add
    # their own 1 (a read-then-write in Python lost some). The WHERE keeps the bounds
    # and the state under the row lock the UPDATE takes; CHECK present >= 0 backs it.
    new = db.session.execute(
        update(Poll)
        .where(
            Poll.id == poll.id,
            Poll.state.in_(allowed(Action.CHECK_IN)),
            Poll.present + delta >= 0,
            Poll.present + delta <= Poll.summoned,
        )
        .values(present=Poll.present + delta)
        .returning(Poll.present)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    if new is None:
        raise bad
    set_committed_value(poll, "present", int(new))
    log_action(actor, "poll.checkin", {"poll": poll.public_id, "present": poll.present})
    return poll.present


def open_poll(
    actor: str, poll: Poll, override_reason: str | None = None, closes_at: datetime | None = None
) -> None:
    """ready → open, with quorum or a recorded reason."""
    require_state(poll, Action.OPEN)
    reason = (override_reason or "").strip()
    if not quorum_met(poll.present, poll.summoned) and not reason:
        raise refuse(
            "no_quorum",
            _l("No quorum: fewer than 2/3 of those summoned are present. Give a reason to open."),
        )
    poll.quorum_override = reason or None
    poll.state = after(Action.OPEN, poll.state)
    poll.opened_at = now()
    poll.closes_at = closes_at
    log_action(
        actor,
        "poll.open",
        {"poll": poll.public_id, "present": poll.present, "override": poll.quorum_override},
    )


def close_poll(actor: str, poll: Poll) -> None:
    """open → closed; the server signs the final chain head."""
    db.session.refresh(poll, with_for_update=True)  # wait for casts in progress
    require_state(poll, Action.CLOSE)
    poll.state = after(Action.CLOSE, poll.state)
    poll.closed_at = now()
    at = record_time(poll.closed_at)
    head = bytes(poll.chain_head or b"")
    entry = log_action(
        actor,
        "poll.close",
        {"poll": poll.public_id, "ballots": poll.ballot_count, "head": head.hex()},
    )
    # The close signs the vote's own action chain up to this entry: the record's log
    # (check-ins, spares, revocations, the open) cannot be rewritten afterwards.
    actions = vote_log(poll.public_id, upto=entry.id)
    actions_head = bytes.fromhex(actions[-1]["hash"])
    message = close_message(
        bytes(poll.manifest_hash or b""), poll.ballot_count, head, at, len(actions), actions_head
    )
    db.session.add(
        SignedHead(
            poll_id=poll.id,
            kind="close",
            count=poll.ballot_count,
            head=head,
            at=at,
            actions=len(actions),
            actions_head=actions_head,
            signature=signing.sign(server_key(), message),
        )
    )
