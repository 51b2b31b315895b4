"""The polls area of the web layer."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the secretariat's pages of a vote (``/polls/…``)."""
    # live and ceremony_views add their routes to views.bp
    from ballot.polls import ceremony_views, live, views  # noqa: F401

    app.register_blueprint(views.bp)
