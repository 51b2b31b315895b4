"""The counting area: totals after close, trustees' partial decryptions, results, record."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the area's commands (and, later, its pages)."""
    from ballot.counting.rehearse import rehearse_command

    app.cli.add_command(rehearse_command)
