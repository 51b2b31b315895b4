"""The record's words (tally.vocab) with their labels on the pages, once each.

Labels are lazy English msgids, translated per request (Vietnamese in the catalog);
forms take their choices from :func:`choices`, models their CHECK constraints from
:func:`check_in`, so that adding a value to an enum is the only change to make (plus a
migration if the CHECK constraint's text changes).

The Vietnamese names of levels and denominators that the minutes print (and that the
manifest freezes) are plain strings in tally.vocab; these are the web layer's labels.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Final

from flask import Flask
from flask_babel import lazy_gettext as _l

from ballot.states import Action, State, may
from tally.vocab import Denominator, Kind, Level

#: The kinds of vote as the creation form offers them (docs/rules.md).
KIND_CHOICES: Final[dict[str, Any]] = {
    Kind.RATING: _l("Rating (lấy phiếu tín nhiệm): high confidence, confidence, low"),
    Kind.CONFIDENCE: _l("Confidence (bỏ phiếu tín nhiệm): confidence, no confidence"),
}

#: The levels' names on the ballot and on the results (English msgids).
LEVEL_LABELS: Final[dict[str, Any]] = {
    Level.HIGH_CONFIDENCE: _l("High confidence"),
    Level.CONFIDENCE: _l("Confidence"),
    Level.LOW_CONFIDENCE: _l("Low confidence"),
    Level.NO_CONFIDENCE: _l("No confidence"),
}

#: The denominators as the creation form offers them.
DENOMINATOR_CHOICES: Final[dict[str, Any]] = {
    Denominator.RETURNED: _l("Ballots returned (NQ 96/2023/QH15, default)"),
    Denominator.MEMBERS_TOTAL: _l("Total number of members (NQ 85/2014/QH13)"),
    Denominator.SUMMONED: _l("Number summoned"),
    Denominator.ISSUED: _l("Cards issued"),
}

#: The denominators inside a sentence ("percentages are computed over …").
DENOMINATOR_NOUNS: Final[dict[str, Any]] = {
    Denominator.RETURNED: _l("the ballots returned"),
    Denominator.MEMBERS_TOTAL: _l("the total number of members"),
    Denominator.SUMMONED: _l("the number summoned"),
    Denominator.ISSUED: _l("the ballots issued"),
}


def choices(labels: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """A select field's (value, label) pairs, in the enum's order."""
    return [(str(value), label) for value, label in labels.items()]


def translated(labels: Mapping[str, Any]) -> dict[str, str]:
    """value → label in the request's language (for JSON and scripts)."""
    return {str(value): str(label) for value, label in labels.items()}


def check_in(column: str, values: Iterable[str], separator: str = ",") -> str:
    """The text of a CHECK constraint ``column IN ('a','b')`` over an enum's values.

    The separator is part of the text stored by the migrations (accounts' role has
    ``", "``); tests/test_vocab.py compares every generated text with them.
    """
    quoted = separator.join(f"'{v}'" for v in values)
    return f"{column} IN ({quoted})"


def init_templates(app: Flask) -> None:
    """Templates ask ``may(Action.PREPARE, poll.state)`` and compare with ``State.OPEN``
    or ``Kind.RATING`` instead of repeating the strings."""
    app.jinja_env.globals.update(State=State, Action=Action, may=may, Kind=Kind)
