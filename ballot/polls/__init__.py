"""The polls area of the web layer."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the secretariat's pages of a vote (``/polls/…``)."""
    from ballot.polls import live, views  # noqa: F401 - live adds its routes to views.bp

    app.register_blueprint(views.bp)
