"""The one grouping of the codes people read aloud and compare.

Hashes, fingerprints, trackers and heads are shown as lowercase hex in groups of four
characters separated by spaces, on every screen, card, minutes and command output, so
that what the projector shows, what the card prints, what the phone displays and what
the minutes carry look the same. tally/codes.py names the codes; the browser's twin is
``groupCode`` in phieu-crypto.js.
"""

from __future__ import annotations

from typing import Final

GROUP: Final = 4


def group_code(value: str, size: int = GROUP) -> str:
    """``ab12cd34…`` → ``ab12 cd34 …`` (white space in ``value`` is dropped first)."""
    text = "".join(value.split())
    return " ".join(text[i : i + size] for i in range(0, len(text), size))
