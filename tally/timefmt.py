"""Times as people read them: in the vote's time zone, day before month, four-digit year.

The one formatting module for every time shown to people (the minutes, the board, the
dashboard, the projector, the action log). Stored and signed times stay in UTC (ISO
8601); only their display goes through here.

* Vietnamese: ``15 giờ 10 phút, ngày 2 tháng 12 năm 2026`` (as on official forms);
* English: ``15:10, 2 December 2026`` (24-hour clock, day month year).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_TIMEZONE: Final = "Asia/Ho_Chi_Minh"
MONTHS_EN: Final = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def zone(name: str | None) -> ZoneInfo:
    """The named IANA time zone; ValueError with both languages when it does not exist."""
    try:
        return ZoneInfo(name or DEFAULT_TIMEZONE)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"Múi giờ không tồn tại: {name!r} (ví dụ: Asia/Ho_Chi_Minh)\n"
            f"Unknown time zone: {name!r} (e.g. Asia/Ho_Chi_Minh)"
        ) from None


def parse_time(value: datetime | str) -> datetime:
    """An aware datetime from a datetime or an ISO 8601 string; naive values are UTC."""
    if isinstance(value, str):
        text = value.strip()
        if text.endswith("Z"):
            text = text[:-1] + "+00:00"
        value = datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def local_time(value: datetime | str, tz: str | None = None) -> datetime:
    """The moment ``value`` on the clocks of time zone ``tz`` (default Asia/Ho_Chi_Minh)."""
    return parse_time(value).astimezone(zone(tz))


def format_date(value: datetime | str, lang: str = "vi", tz: str | None = None) -> str:
    """``ngày 2 tháng 12 năm 2026`` / ``2 December 2026``."""
    t = local_time(value, tz)
    if lang.startswith("en"):
        return f"{t.day} {MONTHS_EN[t.month - 1]} {t.year:04d}"
    return f"ngày {t.day} tháng {t.month} năm {t.year:04d}"


def format_clock(value: datetime | str, lang: str = "vi", tz: str | None = None) -> str:
    """``15 giờ 10 phút`` / ``15:10`` (24-hour)."""
    t = local_time(value, tz)
    if lang.startswith("en"):
        return f"{t.hour:02d}:{t.minute:02d}"
    return f"{t.hour} giờ {t.minute:02d} phút"


def format_time(
    value: datetime | str | None, lang: str = "vi", tz: str | None = None, empty: str = "—"
) -> str:
    """The full time: ``15 giờ 10 phút, ngày 2 tháng 12 năm 2026`` / ``15:10, 2 December 2026``.

    ``None`` or an empty string gives ``empty``.
    """
    if value is None or value == "":
        return empty
    return f"{format_clock(value, lang, tz)}, {format_date(value, lang, tz)}"
