"""The counting area: totals after close, trustees' partial decryptions, results, record."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the area's pages and commands."""
    from ballot.counting.rehearse import rehearse_command
    from ballot.counting.views import bp

    app.register_blueprint(bp)
    app.cli.add_command(rehearse_command)
