"""Public pages without login: the ballot board and the projector's turnout screen."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the board (/board/...) and projector (/projector/...) blueprint."""
    from ballot.board.views import bp

    app.register_blueprint(bp)
