"""The cards area of the web layer."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the cards pages (print, revoke, spares, reconciliation)."""
    from ballot.cards.views import bp

    app.register_blueprint(bp)
