"""Permission decorators — every access rule for views lives in this one module.

* ``@login_required`` — any active account; browsers are sent to the login page,
  JSON clients get a 401 JSON error.
* ``@role_required("secretariat")`` — a logged-in account with one of the roles,
  otherwise 403 (or the login redirect / 401 when not logged in).
* ``@secretariat_required`` / ``@auditor_required`` — shorthands. The auditor role is
  read-only; ``@staff_required`` admits both roles (read-only staff pages).

Member pages need no account: a member is authenticated by the card's signature in
the cast endpoint, never by a login.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from enum import StrEnum
from typing import Any, TypeVar

from flask import abort, redirect, request, url_for
from flask_login import current_user

from ballot.errors import wants_json

F = TypeVar("F", bound=Callable[..., Any])


class Role(StrEnum):
    """What an account may do: run votes, or read and verify them (ballot.accounts)."""

    SECRETARIAT = "secretariat"
    AUDITOR = "auditor"


#: Roles an account can hold; the database enforces the same list.
ROLES = tuple(r.value for r in Role)  # plain strings: click.Choice shows an enum by name


def _refuse_anonymous() -> Any:
    if wants_json():
        abort(401)
    return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))


def has_role(*roles: str) -> bool:
    """True when the current user is logged in, active and holds one of ``roles``."""
    return bool(current_user.is_authenticated and current_user.role in roles)


def login_required(view: F) -> F:
    """Any logged-in, active account."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return _refuse_anonymous()
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def role_required(*roles: str) -> Callable[[F], F]:
    """A logged-in account holding one of ``roles`` (else login redirect/401, or 403)."""
    unknown = set(roles) - set(ROLES)
    if not roles or unknown:
        raise ValueError(f"unknown roles: {sorted(unknown) or 'none given'}")

    def decorator(view: F) -> F:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return _refuse_anonymous()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


secretariat_required = role_required("secretariat")
auditor_required = role_required("auditor")
staff_required = role_required("secretariat", "auditor")
