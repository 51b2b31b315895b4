"""The states of a vote, their names, and the one table of what each action may do.

``draft → ready → open → closed → tallied → published`` (docs/architecture.md). Every
operation that depends on the state names its :class:`Action`; :data:`TRANSITIONS` says
from which states that action is allowed and which state it leaves the vote in. The
table is walked by tests/test_vocab_states.py against the operations themselves, so it
cannot drift from what they really allow.

``State`` values are the strings stored in ``polls.state`` (CHECK ``ck_polls_state`` is
generated from this enum with the same text as migration 0002).
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any, Final

from flask_babel import lazy_gettext as _l

from ballot.errors import refuse

if TYPE_CHECKING:
    from ballot.polls.models import Poll


class State(StrEnum):
    """Where a vote stands."""

    #: Officials, rules, the key ceremony and the cards are prepared.
    DRAFT = "draft"
    #: The manifest is frozen (keys made, cards printed, every trustee confirmed).
    READY = "ready"
    #: Ballots are accepted.
    OPEN = "open"
    #: No more ballots; the final chain head is signed; the trustees decrypt.
    CLOSED = "closed"
    #: The count is complete (results computed, record sealed).
    TALLIED = "tallied"
    #: The results are public.
    PUBLISHED = "published"


class Action(StrEnum):
    """What an operation does to a vote, as far as its state is concerned."""

    #: Officials, rules, the ceremony and the cards (draft only).
    PREPARE = "prepare"
    #: Freeze the manifest.
    FREEZE = "freeze"
    #: Count members in (and out) at the door.
    CHECK_IN = "check_in"
    #: Revoke a lost card or hand out a spare.
    MANAGE_CARDS = "manage_cards"
    OPEN = "open"
    #: Cast a ballot or post a checked (spoiled) ballot.
    CAST = "cast"
    CLOSE = "close"
    #: Start the count and take the trustees' partial decryptions.
    COUNT = "count"
    #: The last partial decryption completes the count.
    TALLY = "tally"
    PUBLISH = "publish"
    #: Read the election record and its check data (they exist from the close on).
    READ_RECORD = "read_record"
    #: Read the results.
    READ_RESULTS = "read_results"


_D, _R, _O, _C, _T, _P = State  # short names for the table only

#: action → {state it is allowed in: state it leaves the vote in}.
TRANSITIONS: Final[dict[Action, dict[State, State]]] = {
    Action.PREPARE: {_D: _D},
    Action.FREEZE: {_D: _R},
    Action.CHECK_IN: {_D: _D, _R: _R, _O: _O},
    Action.MANAGE_CARDS: {_R: _R, _O: _O},
    Action.OPEN: {_R: _O},
    Action.CAST: {_O: _O},
    Action.CLOSE: {_O: _C},
    Action.COUNT: {_C: _C},
    Action.TALLY: {_C: _T},
    Action.PUBLISH: {_T: _P},
    Action.READ_RECORD: {_C: _C, _T: _T, _P: _P},
    Action.READ_RESULTS: {_T: _T, _P: _P},
}


def allowed(action: Action) -> tuple[State, ...]:
    """The states in which ``action`` is allowed, in the order of :class:`State`."""
    return tuple(s for s in State if s in TRANSITIONS[action])


def may(action: Action, state: str) -> bool:
    """Whether ``action`` is allowed in ``state`` (a stored value or a State)."""
    return state in allowed(action)


def after(action: Action, state: str) -> State:
    """The state ``action`` leaves a vote in that is in ``state``; ValueError if refused."""
    for s, to in TRANSITIONS[action].items():
        if s == state:
            return to
    raise ValueError(f"{action} is not allowed in state {state!r}")


#: Each state's name on the pages (English msgids; Vietnamese in the catalog).
STATE_LABELS: Final[dict[str, Any]] = {
    State.DRAFT: _l("being prepared"),
    State.READY: _l("ready (manifest frozen)"),
    State.OPEN: _l("open"),
    State.CLOSED: _l("closed"),
    State.TALLIED: _l("counted"),
    State.PUBLISHED: _l("published"),
}


def state_label(state: str) -> str:
    """The state's name in the user's language (an unknown value as it is)."""
    label = STATE_LABELS.get(state)
    return state if label is None else str(label)


def require_state(poll: Poll, action: Action) -> None:
    """Refuse unless ``action`` is allowed in the vote's state (:data:`TRANSITIONS`)."""
    if not may(action, poll.state):
        raise refuse(
            "wrong_state",
            _l("Not possible now: the vote is %(state)s.", state=state_label(poll.state)),
        )
