"""The words of the record: one ``StrEnum`` per concept, values exactly as written today.

A member is its string (``Denominator.RETURNED == "returned"``), so manifests, results,
minutes and database rows stay byte for byte what they were; a value read back from JSON
or a column (a plain ``str``) looks up the same tables. Test untrusted input against the
``*_VALUES`` tuples, never with ``text in Denominator`` (a TypeError before Python 3.12).

The kinds of vote and their levels live one layer down, in :mod:`keys.vocab` (the ballot
encoding needs them), and are re-exported here so that tally/ and ballot/ import every
word from one place. The Vietnamese texts below are those the minutes print and the
Vietnamese pages show unchanged; the web layer's translated labels are in ballot.vocab.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from keys.vocab import KIND_LEVELS, KIND_VALUES, Kind, Level

__all__ = [
    "DENOMINATOR_TEXT",
    "DENOMINATOR_VALUES",
    "KIND_LEVELS",
    "KIND_VALUES",
    "LEVEL_LABELS",
    "Denominator",
    "Flag",
    "Kind",
    "Level",
]


class Denominator(StrEnum):
    """What every percentage and threshold of a vote is computed over (docs/rules.md)."""

    #: Tổng số phiếu thu về (NQ 96/2023/QH15, the default).
    RETURNED = "returned"
    #: Tổng số đại biểu (the legacy NQ 85/2014/QH13).
    MEMBERS_TOTAL = "members_total"
    SUMMONED = "summoned"
    ISSUED = "issued"


class Flag(StrEnum):
    """A threshold's code, raised on an official's row of the results."""

    #: Rating: low confidence above a first share (1/2 by default).
    LOW_OVER_HALF = "thap_tren_mot_nua"
    #: Rating: low confidence at a second share or more (2/3 by default).
    LOW_TWO_THIRDS = "thap_tu_hai_phan_ba"
    #: Confidence: no confidence above a share (1/2 by default).
    NO_CONFIDENCE_OVER_HALF = "khong_tin_nhiem_tren_mot_nua"


#: The denominators' values, for testing untrusted input.
DENOMINATOR_VALUES: Final[tuple[str, ...]] = tuple(Denominator)

#: Names of the levels in Vietnamese, as the minutes print them.
LEVEL_LABELS: Final[dict[str, str]] = {
    Level.HIGH_CONFIDENCE: "Tín nhiệm cao",
    Level.CONFIDENCE: "Tín nhiệm",
    Level.LOW_CONFIDENCE: "Tín nhiệm thấp",
    Level.NO_CONFIDENCE: "Không tín nhiệm",
}

#: The denominators as the minutes' sentence names them ("Tỷ lệ phần trăm tính trên <text>").
DENOMINATOR_TEXT: Final[dict[str, str]] = {
    Denominator.RETURNED: "tổng số phiếu thu vào",
    Denominator.MEMBERS_TOTAL: "tổng số đại biểu",
    Denominator.SUMMONED: "tổng số đại biểu được triệu tập",
    Denominator.ISSUED: "tổng số phiếu phát ra",
}
