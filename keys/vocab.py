"""The words the ballot itself is made of: kinds of vote and their levels.

They are ``StrEnum``s so that a member *is* its string: it goes into the manifest, the
ballot encoding and the database unchanged (``Kind.RATING == "rating"``,
``json.dumps(Kind.RATING) == '"rating"'``), and a value read back from JSON or a
database column (a plain ``str``) looks up the same tables. The other words of the
record (denominators, flags) are in :mod:`tally.vocab`; their labels in any language
belong to whoever shows them (the minutes in tally/, the web pages in ballot/).

Membership of untrusted input is tested against a tuple (``text in KIND_VALUES``), never
with ``text in Kind``: before Python 3.12 that raises TypeError for a plain string.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final


class Kind(StrEnum):
    """The kind of vote (docs/rules.md)."""

    #: Lấy phiếu tín nhiệm: three levels.
    RATING = "rating"
    #: Bỏ phiếu tín nhiệm: two levels.
    CONFIDENCE = "confidence"


class Level(StrEnum):
    """A choice on a ballot row; its code is frozen in every manifest."""

    HIGH_CONFIDENCE = "tin_nhiem_cao"
    CONFIDENCE = "tin_nhiem"
    LOW_CONFIDENCE = "tin_nhiem_thap"
    NO_CONFIDENCE = "khong_tin_nhiem"


#: The kinds' values, for testing untrusted input.
KIND_VALUES: Final[tuple[str, ...]] = tuple(Kind)

#: Levels of each kind of vote, in ballot order (level i encrypts B^(i−1)).
KIND_LEVELS: Final[dict[str, tuple[str, ...]]] = {
    Kind.RATING: (Level.HIGH_CONFIDENCE, Level.CONFIDENCE, Level.LOW_CONFIDENCE),
    Kind.CONFIDENCE: (Level.CONFIDENCE, Level.NO_CONFIDENCE),
}
