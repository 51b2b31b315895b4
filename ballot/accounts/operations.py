"""Account operations. They change the session and never commit (see ballot.db)."""

from __future__ import annotations

import re

from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from ballot.accounts.models import ROLES, User, utcnow
from ballot.actionlog import log_action
from ballot.db import db
from config.defaults import PASSWORD_MIN_LENGTH

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,62}$")
#: Checked against when the username is unknown, so both paths cost one scrypt.
_DUMMY_HASH = generate_password_hash("phieu-dummy-password", method="scrypt")


class AccountError(ValueError):
    """A refused account change; ``str(err)`` is safe to show to the operator, in
    Vietnamese then English ("Lỗi: …\nError: …", as every command's refusal)."""

    def __init__(self, vi: str, en: str) -> None:
        super().__init__(f"Lỗi: {vi}\nError: {en}")


def hash_password(password: str) -> str:
    """werkzeug's scrypt hash of ``password``."""
    return generate_password_hash(password, method="scrypt")


def find_user(username: str) -> User | None:
    """The account with this username (case-insensitive input), or None."""
    return db.session.scalars(
        select(User).where(User.username == username.strip().lower())
    ).one_or_none()


def list_users() -> list[User]:
    """All accounts, by username."""
    return list(db.session.scalars(select(User).order_by(User.username)))


def _check_password(password: str, min_length: int) -> None:
    if len(password) < min_length:
        raise AccountError(
            f"mật khẩu phải có ít nhất {min_length} ký tự",
            f"password must have at least {min_length} characters",
        )


def create_user(
    username: str,
    password: str,
    role: str,
    *,
    actor: str = "cli",
    min_length: int = PASSWORD_MIN_LENGTH,
) -> User:
    """Add an account (not committed) and record it in the action log."""
    username = username.strip().lower()
    if not USERNAME_RE.match(username):
        raise AccountError(
            "tên đăng nhập: 2-63 ký tự a-z 0-9 . _ -, bắt đầu bằng chữ hoặc số",
            "username: 2-63 characters, a-z 0-9 . _ -, starting with a letter/digit",
        )
    if role not in ROLES:
        raise AccountError(
            f"vai trò phải là một trong: {', '.join(ROLES)}",
            f"role must be one of: {', '.join(ROLES)}",
        )
    _check_password(password, min_length)
    if find_user(username) is not None:
        raise AccountError(
            f"tên đăng nhập {username!r} đã có", f"username {username!r} already exists"
        )
    user = User(username=username, password_hash=hash_password(password), role=role)
    db.session.add(user)
    db.session.flush()
    log_action(actor, "account.create", {"username": username, "role": role})
    return user


def set_password(
    user: User, password: str, *, actor: str = "cli", min_length: int = PASSWORD_MIN_LENGTH
) -> None:
    """Replace an account's password (not committed); ``min_length``: the installation's
    PASSWORD_MIN_LENGTH (the CLI passes its setting; config/defaults.py otherwise)."""
    _check_password(password, min_length)
    user.password_hash = hash_password(password)
    end_sessions(user)
    log_action(actor, "account.password", {"username": user.username})


def set_role(user: User, role: str, *, actor: str = "cli") -> None:
    """Change an account's role (not committed); its sessions end."""
    if role not in ROLES:
        raise AccountError(
            f"vai trò phải là một trong: {', '.join(ROLES)}",
            f"role must be one of: {', '.join(ROLES)}",
        )
    user.role = role
    end_sessions(user)
    log_action(actor, "account.role", {"username": user.username, "role": role})


def end_sessions(user: User) -> None:
    """Make every existing login session of ``user`` invalid (not committed)."""
    user.session_version = (user.session_version or 0) + 1


def set_active(user: User, active: bool, *, actor: str = "cli") -> None:
    """Enable or disable an account (not committed)."""
    user.active = active
    end_sessions(user)
    log_action(
        actor, "account.activate" if active else "account.deactivate", {"username": user.username}
    )


def authenticate(username: str, password: str) -> User | None:
    """The active account matching these credentials, or None (same cost either way)."""
    user = find_user(username)
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.active:
        return None
    user.last_login_at = utcnow()
    return user
