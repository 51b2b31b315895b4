"""Login sessions that end: revocation by version, idle and absolute timeouts.

The session cookie is signed, not stored, so a copy of it (a shared laptop, a proxy
log, a stolen cookie) would otherwise work until it expires and be refreshed by every
request. Each session therefore carries, next to Flask-Login's ``_user_id``:

* ``_sv`` — the account's ``session_version`` at login. Logout, a password change, a
  role change or (de)activation bump it, which ends *every* session of the account;
* ``_t0`` — the login time: refused after ``SESSION_ABSOLUTE_TIMEOUT`` seconds;
* ``_seen`` — the last request: refused after ``SESSION_IDLE_TIMEOUT`` seconds idle.

A refused session loses its login keys and the request is anonymous (login page, or a 401 JSON
error for API calls).
"""

from __future__ import annotations

import time

from flask import current_app, session

from ballot.accounts.models import User
from ballot.db import db

#: What a login puts in the session (Flask-Login's keys and ours).
LOGIN_KEYS = ("_user_id", "_fresh", "_id", "_sv", "_t0", "_seen")
#: Seconds between rewrites of ``_seen`` (every request would rewrite the cookie).
SEEN_GRANULARITY = 60


def start_session(user: User) -> None:
    """Record the account's session version and the login time (after ``login_user``)."""
    now = int(time.time())
    session["_sv"] = int(user.session_version or 0)
    session["_t0"] = now
    session["_seen"] = now


def session_is_current(user: User) -> bool:
    """Whether this request's session still belongs to ``user``; refreshes ``_seen``."""
    now = int(time.time())
    version, started, seen = session.get("_sv"), session.get("_t0"), session.get("_seen")
    if not (isinstance(version, int) and isinstance(started, int) and isinstance(seen, int)):
        return False
    if version != int(user.session_version or 0):
        return False
    idle = int(current_app.config["SESSION_IDLE_TIMEOUT"])
    absolute = int(current_app.config["SESSION_ABSOLUTE_TIMEOUT"])
    if now - started > absolute or now - seen > idle or seen > now + SEEN_GRANULARITY:
        return False
    if now - seen >= SEEN_GRANULARITY:
        session["_seen"] = now
    return True


def load_user(user_id: str) -> User | None:
    """Flask-Login's user loader: the account, only while its session is current."""
    try:
        user = db.session.get(User, int(user_id))
    except ValueError:
        user = None
    if user is None or not session_is_current(user):
        # Drop the login, not the rest: a form's CSRF token made earlier in this
        # request must stay valid (the login page itself).
        for key in LOGIN_KEYS:
            session.pop(key, None)
        return None
    return user
