"""The states of a vote, their names for people, and the guard every operation uses.

``draft → ready → open → closed → tallied → published`` (docs/architecture.md). Shared
by every area; the state strings are those stored in ``poll.state``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l

from ballot.errors import refuse

if TYPE_CHECKING:
    from ballot.polls.models import Poll


def state_label(state: str) -> str:
    """The state's name in the user's language."""
    labels = {
        "draft": _l("being prepared"),
        "ready": _l("ready (manifest frozen)"),
        "open": _l("open"),
        "closed": _l("closed"),
        "tallied": _l("counted"),
        "published": _l("published"),
    }
    return str(labels.get(state, state))


def require_state(poll: Poll, *states: str) -> None:
    """Refuse unless the vote is in one of ``states``."""
    if poll.state not in states:
        raise refuse(
            "wrong_state",
            _l("Not possible now: the vote is %(state)s.", state=state_label(poll.state)),
        )
