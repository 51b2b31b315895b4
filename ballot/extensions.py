"""Flask extensions, created unbound here and bound in :func:`ballot.create_app`.

* ``csrf`` — every POST/PUT/PATCH/DELETE needs a CSRF token. A JSON endpoint that is
  authenticated otherwise (the member's cast endpoint is authenticated by the card's
  signature) opts out deliberately with ``@csrf_exempt_api`` — see its docstring.
* ``limiter`` — rate limits, storage from ``RATELIMIT_STORAGE_URI``; decorate views
  with ``@limiter.limit(config_limit("CARD_RATE_LIMIT"))`` and the like.
* ``login_manager`` — Flask-Login; the user loader lives in ``ballot.accounts``.
* ``babel`` — Flask-Babel; the locale selector lives in ``ballot.i18n``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

from flask import current_app
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

F = TypeVar("F", bound=Callable[..., Any])

csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address)
login_manager = LoginManager()
babel = Babel()


def csrf_exempt_api(view: F) -> F:
    """Exempt a JSON API view from CSRF, on purpose and visibly.

    Use it only for endpoints that (a) accept only ``application/json`` bodies — which
    a cross-site HTML form cannot send without a CORS preflight — and (b) authenticate
    every request by something other than the session cookie (a card signature). The
    view must still refuse non-JSON bodies itself.
    """
    view.__phieu_csrf_exempt__ = True  # type: ignore[attr-defined]
    return cast("F", csrf.exempt(view))


def config_limit(name: str) -> Callable[[], str]:
    """A rate-limit string read from the app config at request time (e.g. LOGIN_RATE_LIMIT)."""

    def _limit() -> str:
        return str(current_app.config[name])

    return _limit
