"""Phiếu tín nhiệm — the web layer (Flask)."""

from __future__ import annotations

from typing import Any

from flask import Flask


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Application factory: defaults, then instance config, then PHIEU_* environment."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_object("config.defaults")
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env("PHIEU")
    else:
        app.config.update(test_config)
    if app.config.get("ENV_NAME") == "production" and app.config["SECRET_KEY"].startswith("dev"):
        raise RuntimeError("refusing to start in production without a real SECRET_KEY")
    return app
