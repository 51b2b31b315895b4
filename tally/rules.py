"""The Vietnamese rules for results (docs/rules.md), in one readable place.

Sources: Nghị quyết 96/2023/QH15 (Art. 19(3): percentages over "tổng số phiếu thu
về", the ballots returned), Quy định 96-QĐ/TW (2023), and the legacy NQ 85/2014/QH13
(percentages over the total number of deputies).

* Every percentage and threshold uses the vote's *denominator*: ``returned`` (default),
  ``members_total``, ``summoned`` or ``issued``.
* Thresholds are compared with exact fractions, never floats.
* Percentages are shown with two decimals and a decimal comma, rounded half up:
  187 of 481 → "38,88".
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Final

from tally.vocab import DENOMINATOR_VALUES, Flag, Kind, Level
from tally.vocab import LEVEL_LABELS as LEVEL_LABELS  # re-exported: the level names


@dataclass(frozen=True)
class Threshold:
    """A flag raised when the share of ``level`` lies in (or at) [lower, upper)."""

    flag: str
    level: str
    lower: Fraction
    lower_strict: bool  # True: share > lower; False: share ≥ lower
    upper: Fraction | None = None  # share < upper (strict) when given
    label: str = ""

    def applies(self, share: Fraction) -> bool:
        """Whether the flag is raised for this exact share."""
        above = share > self.lower if self.lower_strict else share >= self.lower
        below = self.upper is None or share < self.upper
        return above and below

    def to_json(self) -> dict[str, Any]:
        """Manifest form: fractions as "p/q" strings."""
        return {
            "flag": self.flag,
            "level": self.level,
            "lower": f"{self.lower.numerator}/{self.lower.denominator}",
            "lower_strict": self.lower_strict,
            "upper": None
            if self.upper is None
            else f"{self.upper.numerator}/{self.upper.denominator}",
            "label": self.label,
        }

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> Threshold:
        """Parse the manifest form (raises ValueError on anything malformed)."""
        upper = obj.get("upper")
        return cls(
            flag=str(obj["flag"]),
            level=str(obj["level"]),
            lower=parse_fraction(obj["lower"]),
            lower_strict=bool(obj["lower_strict"]),
            upper=None if upper is None else parse_fraction(upper),
            label=str(obj.get("label", "")),
        )


def parse_fraction(text: object) -> Fraction:
    """ "p/q" with 0 ≤ p/q ≤ 1 → Fraction."""
    if not isinstance(text, str) or text.count("/") != 1:
        raise ValueError(f"fraction must be written p/q, got {text!r}")
    p, q = text.split("/")
    if not (p.isdigit() and q.isdigit()) or int(q) == 0:
        raise ValueError(f"bad fraction {text!r}")
    value = Fraction(int(p), int(q))
    if value > 1:
        raise ValueError(f"fraction {text!r} is more than 1")
    return value


#: The editable fraction of each kind's thresholds, with its default ("p/q").
EDITABLE: Final[dict[str, tuple[tuple[str, str], ...]]] = {
    Kind.RATING: ((Flag.LOW_OVER_HALF, "1/2"), (Flag.LOW_TWO_THIRDS, "2/3")),
    Kind.CONFIDENCE: ((Flag.NO_CONFIDENCE_OVER_HALF, "1/2"),),
}


def custom_thresholds(kind: str, fractions: dict[str, str]) -> tuple[Threshold, ...]:
    """The kind's thresholds with other fractions (flag → "p/q"); raises ValueError.

    For a rating vote the "more than a" band ends where "at least b" begins (a < b).
    """
    values = {
        flag: parse_fraction(fractions.get(flag, default)) for flag, default in EDITABLE[kind]
    }
    if any(not 0 < v < 1 for v in values.values()):
        raise ValueError("each threshold must lie strictly between 0 and 1")
    if kind == Kind.CONFIDENCE:
        a = values[Flag.NO_CONFIDENCE_OVER_HALF]
        return (
            Threshold(
                Flag.NO_CONFIDENCE_OVER_HALF,
                Level.NO_CONFIDENCE,
                a,
                True,
                None,
                f"Không tín nhiệm quá {_frac(a)}: trình miễn nhiệm, cách chức hoặc phê chuẩn "
                "miễn nhiệm, cách chức",
            ),
        )
    a, b = values[Flag.LOW_OVER_HALF], values[Flag.LOW_TWO_THIRDS]
    if not a < b:
        raise ValueError("the first threshold must be below the second")
    return (
        Threshold(
            Flag.LOW_OVER_HALF,
            Level.LOW_CONFIDENCE,
            a,
            True,
            b,
            f"Tín nhiệm thấp trên {_frac(a)} và dưới {_frac(b)}: có thể xin từ chức; "
            "nếu không, trình bỏ phiếu tín nhiệm",
        ),
        Threshold(
            Flag.LOW_TWO_THIRDS,
            Level.LOW_CONFIDENCE,
            b,
            False,
            None,
            f"Tín nhiệm thấp từ {_frac(b)} trở lên: trình miễn nhiệm, cách chức hoặc phê chuẩn "
            "miễn nhiệm, cách chức",
        ),
    )


def _frac(f: Fraction) -> str:
    return f"{f.numerator}/{f.denominator}"


#: Default thresholds per kind of vote (docs/rules.md; editable per vote, kept in the manifest).
DEFAULT_THRESHOLDS: Final[dict[str, tuple[Threshold, ...]]] = {
    kind: custom_thresholds(kind, {}) for kind in EDITABLE
}


def percent_text(part: int, whole: int) -> str:
    """Two decimals, decimal comma, half up: percent_text(187, 481) == "38,88"; "—" if whole = 0."""
    if whole <= 0:
        return "—"
    hundredths = (part * 20000 + whole) // (2 * whole)  # round(part·10000/whole), half up
    return f"{hundredths // 100},{hundredths % 100:02d}"


def quorum_needed(summoned: int) -> int:
    """QĐ 96: the fewest members present for a quorum, ⌈2/3 × summoned⌉."""
    return -(-2 * summoned // 3)


def quorum_met(present: int, summoned: int) -> bool:
    """QĐ 96: at least 2/3 of those summoned are present (exact, in integers)."""
    return summoned > 0 and present >= quorum_needed(summoned)


@dataclass(frozen=True)
class Figures:
    """The vote's figures (docs/rules.md)."""

    summoned: int
    present: int
    issued: int
    returned: int
    members_total: int | None = None

    def denominator(self, name: str) -> int:
        """The value of the named denominator."""
        if name not in DENOMINATOR_VALUES:
            raise ValueError(f"unknown denominator {name!r}")
        value = getattr(self, name)
        if value is None:
            raise ValueError(f"denominator {name!r} has no value for this vote")
        return int(value)


def official_result(
    levels: tuple[str, ...],
    counts: tuple[int, ...],
    returned: int,
    denominator: int,
    thresholds: tuple[Threshold, ...],
) -> dict[str, Any]:
    """One official's row of the results table: counts, blanks, percentages, flags.

    A blank row counts for the ballot (returned) but for no level of this official.
    With a zero denominator no percentage is defined and no flag is raised.
    """
    if len(levels) != len(counts):
        raise ValueError("one count per level")
    blank = returned - sum(counts)
    if blank < 0:
        raise ValueError("more marks than ballots returned")
    by_level = dict(zip(levels, counts, strict=True))
    flags = []
    if denominator > 0:
        for t in thresholds:
            if t.applies(Fraction(by_level[t.level], denominator)):
                flags.append(t.flag)
    return {
        "counts": by_level,
        "blank": blank,
        "percent": {lv: percent_text(n, denominator) for lv, n in by_level.items()},
        "blank_percent": percent_text(blank, denominator),
        "flags": flags,
    }
