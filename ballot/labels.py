"""Level and threshold names in the page's language.

The manifest freezes Vietnamese labels (they are part of what the minutes print); an
English page names the same levels and thresholds in English, built from the
threshold's own figures so that it can never say something else than the rule.
"""

from __future__ import annotations

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from ballot.vocab import LEVEL_LABELS as TRANSLATED
from tally.rules import Threshold
from tally.vocab import LEVEL_LABELS


def _vietnamese() -> bool:
    return str(get_locale() or "vi").startswith("vi")


def level_labels() -> dict[str, str]:
    """Level code → name (Vietnamese exactly as in the manifest on Vietnamese pages)."""
    if _vietnamese():
        return dict(LEVEL_LABELS)
    return {code: str(TRANSLATED.get(code, code)) for code in LEVEL_LABELS}


def threshold_text(t: Threshold) -> str:
    """The threshold as frozen (Vietnamese), or the same rule in English."""
    if _vietnamese():
        return t.label
    level = level_labels().get(t.level, t.level)
    low = f"{t.lower.numerator}/{t.lower.denominator}"
    text = str(
        _l("%(level)s more than %(low)s", level=level, low=low)
        if t.lower_strict
        else _l("%(level)s at least %(low)s", level=level, low=low)
    )
    if t.upper is not None:
        high = f"{t.upper.numerator}/{t.upper.denominator}"
        text += str(_l(" and less than %(high)s", high=high))
    return text
