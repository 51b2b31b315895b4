"""Known devices for the login limit: others' wrong passwords never lock out a correct
login made from a browser that logged in to that account before.

Login attempts count per account and address (``LOGIN_RATE_LIMIT``). A whole room
shares one NAT address, and the secretariat's laptop may be behind it too: ten wrong
passwords typed for the secretariat's account by anyone in the room would fill that
bucket and refuse the secretariat's correct password. So a successful login leaves a
signed *device cookie* (``phieu_device``: a hash of the account name and a random
nonce, signed with SECRET_KEY; nothing secret in it). A login attempt for the same
account carrying a valid device cookie counts in that device's own bucket instead: the
room's wrong passwords never reach it, and the device's own wrong passwords are still
limited. A browser without one (every guesser) stays in the account-and-address
bucket, so guessing stays as limited as before. (The pattern is OWASP's "device
cookies" against lock-out attacks.) The login backoff (ballot.accounts.backoff) uses
the same buckets, so the room's wrong passwords never make a known device wait.
"""

from __future__ import annotations

import hashlib
import secrets

from flask import current_app, request
from itsdangerous import BadData, URLSafeTimedSerializer
from werkzeug.wrappers import Response

DEVICE_COOKIE = "phieu_device"
_SALT = "phieu-login-device"
#: Longest cookie value read (a real one is ~100 characters).
_MAX_COOKIE = 512


def normal_username(value: object) -> str:
    """The account name as the limit counts it (case and spaces do not make a new one)."""
    return str(value or "").strip().lower()[:64]


def _account_tag(username: str) -> str:
    return hashlib.sha256(("phieu-device:" + username).encode()).hexdigest()[:32]


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(str(current_app.config["SECRET_KEY"]), salt=_SALT)


def known_device(username: str) -> str | None:
    """This browser's device nonce when its cookie was issued for ``username``, else None."""
    raw = request.cookies.get(DEVICE_COOKIE)
    if not raw or len(raw) > _MAX_COOKIE or not username:
        return None
    try:
        data = _serializer().loads(raw, max_age=int(current_app.config["LOGIN_DEVICE_MAX_AGE"]))
    except BadData:
        return None
    if not isinstance(data, dict) or data.get("a") != _account_tag(username):
        return None
    nonce = data.get("n")
    return nonce if isinstance(nonce, str) and len(nonce) == 32 else None


def remember_device(response: Response, username: str) -> None:
    """After a correct login: a new device cookie for this account on this browser."""
    value = _serializer().dumps({"a": _account_tag(username), "n": secrets.token_hex(16)})
    response.set_cookie(
        DEVICE_COOKIE,
        value,
        max_age=int(current_app.config["LOGIN_DEVICE_MAX_AGE"]),
        path="/account/",
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
        httponly=True,
        samesite="Lax",
    )
