"""Accounts: secretariat and auditor logins (members never have an account)."""

from __future__ import annotations

from flask import Flask

from ballot.accounts.cli import users_cli
from ballot.accounts.forms import LogoutForm
from ballot.accounts.models import User
from ballot.accounts.sessions import load_user
from ballot.accounts.views import bp
from ballot.extensions import login_manager


def init_app(app: Flask) -> None:
    """Register the blueprint, the ``users`` commands, the logout form of every page's
    header (template global ``logout_form``) and Flask-Login's user loader."""
    app.register_blueprint(bp)
    app.cli.add_command(users_cli)
    app.context_processor(lambda: {"logout_form": LogoutForm})
    # Registered by a call, not as a decorator: Flask-Login has no types, and mypy
    # (disallow_untyped_decorators) would take the decorated function as untyped.
    login_manager.user_loader(_load_user)


def _load_user(user_id: str) -> User | None:
    return load_user(user_id)
