"""The home page and the liveness check."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template
from flask.typing import ResponseReturnValue

bp = Blueprint("home", __name__)


@bp.get("/")
def index() -> ResponseReturnValue:
    """What the system is and where each kind of user goes."""
    return render_template("home.html")


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    """Liveness for load balancers and `make run`'s wait (no database access)."""
    return jsonify(status="ok")
