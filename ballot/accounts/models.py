"""The account model: one row per secretariat or auditor login."""

from __future__ import annotations

from datetime import UTC, datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ballot.db import db
from ballot.permissions import ROLES, Role
from ballot.vocab import check_in

__all__ = ["ROLES", "Role", "User", "utcnow"]


def utcnow() -> datetime:
    """The current time in UTC (timezone-aware)."""
    return datetime.now(UTC)


class User(UserMixin, db.Model):  # type: ignore[name-defined]
    """A login for the secretariat (runs votes) or an auditor (reads, verifies)."""

    __tablename__ = "accounts"
    __table_args__ = (CheckConstraint(check_in("role", Role, separator=", "), name="role"),)

    #: Surrogate key; Flask-Login stores it in the session.
    id: Mapped[int] = mapped_column(primary_key=True)
    #: Login name, unique, compared as typed (lower-cased on creation).
    username: Mapped[str] = mapped_column(String(64), unique=True)
    #: werkzeug scrypt hash (``scrypt:32768:8:1$salt$hash``); never the password.
    password_hash: Mapped[str] = mapped_column(String(256))
    #: "secretariat" or "auditor" (CheckConstraint ``ck_accounts_role``).
    role: Mapped[str] = mapped_column(String(16))
    #: Inactive accounts cannot log in and their sessions stop working.
    active: Mapped[bool] = mapped_column(default=True)
    #: When the account was created (UTC).
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    #: Last successful login (UTC), or None.
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: Copied into each login session; bumped on logout, password, role or activation
    #: change, which ends every session of the account at its next request.
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    @property
    def is_active(self) -> bool:  # Flask-Login
        """Flask-Login refuses inactive accounts."""
        return bool(self.active)

    def __repr__(self) -> str:
        return f"<User {self.username!r} {self.role}>"
