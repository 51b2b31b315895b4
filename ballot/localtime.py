"""The ``localtime`` template filter: every time shown to people, in the vote's time zone.

The formatting itself is :mod:`tally.timefmt` (shared with the minutes); the zone is the
``TIMEZONE`` setting (default Asia/Ho_Chi_Minh) and the language the page's.
"""

from __future__ import annotations

from datetime import datetime

from flask import Flask, current_app
from flask_babel import get_locale

from tally import timefmt


def localtime(value: datetime | str | None, part: str = "full") -> str:
    """``15 giờ 10 phút, ngày 2 tháng 12 năm 2026`` / ``15:10, 2 December 2026``.

    ``part`` is ``"full"``, ``"date"`` or ``"clock"``.
    """
    if value is None or value == "":
        return "—"
    lang = str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])
    tz = current_app.config["TIMEZONE"]
    if part == "date":
        return timefmt.format_date(value, lang, tz)
    if part == "clock":
        return timefmt.format_clock(value, lang, tz)
    return timefmt.format_time(value, lang, tz)


def init_localtime(app: Flask) -> None:
    """Check the TIMEZONE setting (a clear error at start-up) and register the filter."""
    timefmt.zone(app.config["TIMEZONE"])
    app.config["BABEL_DEFAULT_TIMEZONE"] = app.config["TIMEZONE"]
    app.add_template_filter(localtime, "localtime")
