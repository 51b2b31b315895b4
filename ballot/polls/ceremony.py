"""The dealer-free key ceremony's bulletin board (docs/operations.md, keys/dkg.py).

The server only stores and shows public messages: each trustee's commitments with their
proofs, the sub-shares encrypted from one trustee's device to another's, the "done"
messages, complaints and the confirmations of the manifest. It never sees a
passphrase, a share, a sub-share in clear or a key that opens one; the election key Y
and every X_j are computed here from the published commitments, exactly as the
verifier recomputes them from the manifest.

Each trustee is named by a link token (128 random bits, shown once to the secretariat
as a link whose fragment carries it); only its SHA-256 is stored. Functions check their
rule, change the session, log the action and never commit.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ballot.actionlog import ActionLogEntry, log_action
from ballot.db import db
from ballot.definition import require_unconfirmed
from ballot.errors import refuse
from ballot.polls.models import CeremonyMessage, MessageKind, Poll, TrusteeLink
from ballot.polls.operations import card_keys, manifest_for, require_no_cards
from ballot.states import Action, require_state
from keys import dkg

BOARD_FORMAT = "phieu-dkg-board/1"
#: Largest message body accepted (n = 64 trustees, k = 64 commitments fit well below).
MAX_MESSAGE_BYTES = 64 * 1024
FORMATS = {
    "phieu-dkg-commit/1": MessageKind.COMMIT,
    "phieu-dkg-shares/1": MessageKind.SHARES,
    "phieu-dkg-done/1": MessageKind.DONE,
    "phieu-dkg-complaint/1": MessageKind.COMPLAINT,
    "phieu-dkg-confirm/1": MessageKind.CONFIRM,
}


@dataclass(frozen=True)
class Link:
    """A trustee link to hand out: index, name and the token (shown once, never stored)."""

    index: int
    name: str
    token: str


def token_hash(token: str) -> bytes:
    """SHA-256 of a link token (what the database keeps)."""
    return hashlib.sha256(token.encode("utf-8")).digest()


def _issue_links(poll: Poll) -> list[Link]:
    db.session.execute(db.delete(TrusteeLink).where(TrusteeLink.poll_id == poll.id))
    db.session.flush()
    links = []
    for i, name in enumerate(poll.trustee_names, start=1):
        token = secrets.token_urlsafe(16)  # 128 bits
        db.session.add(TrusteeLink(poll_id=poll.id, trustee=i, token_hash=token_hash(token)))
        links.append(Link(i, name, token))
    db.session.flush()
    return links


def start(actor: str, poll: Poll) -> list[Link]:
    """Open round 1 of the ceremony (draft only); returns the n links, the only time
    their tokens exist outside the trustees' devices."""
    require_state(poll, Action.PREPARE)
    if poll.ceremony_round:
        raise refuse("ceremony_started", _l("The key ceremony has already started."))
    poll.ceremony_round = 1
    links = _issue_links(poll)
    log_action(
        actor, "poll.ceremony.start", {"poll": poll.public_id, "round": 1, "trustees": len(links)}
    )
    return links


def restart(actor: str, poll: Poll, reason: str) -> list[Link]:
    """Start a new round (r + 1) with new links; only in draft, before any confirmation
    and before cards are printed. The reason is logged and shown on the board."""
    require_state(poll, Action.PREPARE)
    if not poll.ceremony_round:
        raise refuse("no_ceremony", _l("The key ceremony has not started."))
    require_unconfirmed(poll)
    require_no_cards(poll)
    reason = reason.strip()
    if not reason:
        raise refuse("no_reason", _l("Give the reason for restarting the ceremony."), 400)
    old = poll.ceremony_round
    poll.ceremony_round = old + 1
    poll.election_key = None
    poll.ceremony = None
    links = _issue_links(poll)
    log_action(
        actor,
        "poll.ceremony.restart",
        {"poll": poll.public_id, "round": old, "new_round": old + 1, "reason": reason[:1000]},
    )
    return links


def restarts(poll: Poll) -> list[dict[str, Any]]:
    """Every restart of this vote's ceremony, from the action log: round and reason."""
    entries = db.session.scalars(
        select(ActionLogEntry)
        .where(
            ActionLogEntry.action == "poll.ceremony.restart",
            ActionLogEntry.details["poll"].as_string() == poll.public_id,
        )
        .order_by(ActionLogEntry.id)
    )
    return [{"round": e.details["round"], "reason": e.details["reason"]} for e in entries]


def messages(poll: Poll, kind: str | None = None) -> list[CeremonyMessage]:
    """This round's messages (one kind or all), ascending trustee."""
    stmt = select(CeremonyMessage).where(
        CeremonyMessage.poll_id == poll.id, CeremonyMessage.round == poll.ceremony_round
    )
    if kind is not None:
        stmt = stmt.where(CeremonyMessage.kind == kind)
    return list(db.session.scalars(stmt.order_by(CeremonyMessage.trustee, CeremonyMessage.id)))


def _bodies(poll: Poll, kind: str) -> list[dict[str, Any]]:
    return [json.loads(m.body) for m in messages(poll, kind)]


def contributions(poll: Poll) -> list[Any]:
    """The verified contributions of this round (all n commit messages), ascending."""
    names, k, r = list(poll.trustee_names), poll.threshold, poll.ceremony_round
    return [
        dkg.verify_commit(body, poll.public_id, r, names, k, body["trustee"])
        for body in _bodies(poll, MessageKind.COMMIT)
    ]


def candidate(poll: Poll) -> dict[str, Any] | None:
    """The manifest the trustees confirm (cards included), once keys and cards exist."""
    if poll.election_key is None or poll.manifest is not None:
        return None
    cards = card_keys(poll)
    if not cards:
        return None
    return manifest_for(poll, cards)


def state(poll: Poll) -> str:
    """commit | shares | finish | done | failed | confirm | frozen (see the spec)."""
    if poll.manifest_hash is not None:
        return "frozen"
    n = poll.trustees
    counts: dict[str, int] = {
        kind: int(count)
        for kind, count in db.session.execute(
            select(CeremonyMessage.kind, func.count())
            .where(
                CeremonyMessage.poll_id == poll.id,
                CeremonyMessage.round == poll.ceremony_round,
            )
            .group_by(CeremonyMessage.kind)
        ).all()
    }
    if counts.get(MessageKind.COMPLAINT):
        return "failed"
    if counts.get(MessageKind.COMMIT, 0) < n:
        return "commit"
    if counts.get(MessageKind.SHARES, 0) < n:
        return "shares"
    if counts.get(MessageKind.DONE, 0) < n or poll.election_key is None:
        return "finish"
    if candidate(poll) is None:
        return "done"
    return "confirm"


def board(poll: Poll) -> dict[str, Any]:
    """The public board JSON (phieu-dkg-board/1)."""
    from keys.hashing import manifest_hash

    if not poll.ceremony_round:
        raise refuse("no_ceremony", _l("The key ceremony has not started."), 404)
    raw = candidate(poll)
    if poll.manifest_hash is not None:  # frozen: the manifest that was confirmed
        shown: str | None = bytes(poll.manifest_hash).hex()
    else:
        shown = manifest_hash(raw).hex() if raw is not None else None
    return {
        "format": BOARD_FORMAT,
        "election_id": poll.public_id,
        "ceremony": poll.ceremony_round,
        "threshold": poll.threshold,
        "names": list(poll.trustee_names),
        "state": state(poll),
        "commits": _bodies(poll, MessageKind.COMMIT),
        "shares": _bodies(poll, MessageKind.SHARES),
        "done": _bodies(poll, MessageKind.DONE),
        "complaints": _bodies(poll, MessageKind.COMPLAINT),
        "confirmations": _bodies(poll, MessageKind.CONFIRM),
        "restarts": restarts(poll),
        "candidate_manifest": shown,
    }


def link_for(poll: Poll, token: str) -> TrusteeLink:
    """The link named by a token, or a 403 error (same answer for every wrong token)."""
    link = None
    if token and len(token) <= 64:
        link = db.session.scalar(
            select(TrusteeLink).where(
                TrusteeLink.poll_id == poll.id, TrusteeLink.token_hash == token_hash(token)
            )
        )
    if link is None:
        raise refuse(
            "bad_token", _l("This trustee link is not valid for this vote (or was replaced)."), 403
        )
    return link
