"""A vote's ballot definition, and when it is fixed: what the cards and the vote share.

The ballot definition is the manifest without its cards (``tally.manifest.build_definition``);
its hash is the ballot fingerprint printed on the cards. The cards area prints it and
the polls area freezes it with the cards, so it lives below both (docs/architecture.md,
"Inside ballot/"). Once a trustee confirmed a candidate manifest, its keys and cards
can no longer change: both areas ask :func:`require_unconfirmed`. Reads only: nothing
here changes the session.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ballot.db import db
from ballot.errors import refuse
from ballot.polls.models import CeremonyMessage, MessageKind, Official, Poll
from ballot.serverkey import server_public_key
from tally.manifest import build_definition
from tally.rules import Threshold


def officials(poll: Poll) -> list[Official]:
    """The officials in ballot order."""
    stmt = select(Official).where(Official.poll_id == poll.id).order_by(Official.position_order)
    return list(db.session.scalars(stmt))


def definition_for(poll: Poll) -> dict[str, Any]:
    """This vote's ballot definition: its manifest without cards (needs officials and
    keys). Its hash is the ballot fingerprint the cards carry."""
    rows = officials(poll)
    if not rows:
        raise refuse("not_ready", _l("Add the officials first."))
    if poll.election_key is None or poll.ceremony is None:
        raise refuse("not_ready", _l("Run the key ceremony first."))
    return build_definition(
        election_id=poll.public_id,
        meeting=poll.meeting,
        title=poll.title,
        kind=poll.kind,
        officials=[(o.name, o.position) for o in rows],
        summoned=poll.summoned,
        trustee_names=list(poll.trustee_names),
        ceremony=poll.ceremony,  # public transcript: Y and every X_j are recomputed from it
        server_key=server_public_key(),
        denominator=poll.denominator,
        members_total=poll.members_total,
        thresholds=tuple(Threshold.from_json(t) for t in poll.thresholds),
    )


def confirmations_exist(poll: Poll) -> bool:
    """Whether any trustee confirmed a manifest (then keys and cards are fixed)."""
    return bool(
        db.session.scalar(
            select(func.count()).where(
                CeremonyMessage.poll_id == poll.id, CeremonyMessage.kind == MessageKind.CONFIRM
            )
        )
    )


def require_unconfirmed(poll: Poll) -> None:
    """Refuse once a trustee has confirmed the candidate manifest."""
    if confirmations_exist(poll):
        raise refuse(
            "confirmed",
            _l("A trustee has confirmed the manifest: the keys and cards can no longer change."),
        )
