"""The voting area of the web layer: the member's page and the cast endpoint."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the member's blueprint (/v/...)."""
    from ballot.voting.views import bp

    app.register_blueprint(bp)
