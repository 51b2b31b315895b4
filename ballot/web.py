"""What every page of the web layer shares: who acts, the vote of the request, and the
one way to run an operation and commit.

Transactions (ballot/db.py): an operation changes the session and never commits; the
view commits once, before it builds its success answer, through :func:`commit` (JSON
endpoints: a refusal propagates to the ApiError handler, which rolls back and answers)
or :func:`attempt` (HTML forms: the refusal is rolled back and flashed, or shown next to
the form by the caller). A view that works outside the write lock first (the cast, a
checked ballot, an import of officials) says so with :func:`ballot.db.owns_transaction`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final, Generic, Literal, TypeVar

from flask import Response, flash, g
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ballot.db import db
from ballot.errors import ApiError, refuse
from ballot.permissions import has_role
from ballot.polls.models import Poll
from ballot.states import state_label

T = TypeVar("T")

#: What a vote offers to download.
Download = Literal[
    "cards",
    "definition",
    "results.json",
    "results.csv",
    "record",
    "minutes",
    "checkpoint",
    "close",
    "manifest",
]

#: The file name of each download of a vote (Vietnamese without diacritics, as the
#: secretariat files them); the pages that name a file (a command to type) use the same.
DOWNLOAD_NAMES: Final[dict[Download, str]] = {
    "cards": "the-{id}.pdf",
    "definition": "dinh-nghia-{id}.json",
    "results.json": "ket-qua-{id}.json",
    "results.csv": "ket-qua-{id}.csv",
    "record": "ho-so-{id}.zip",
    "minutes": "bien-ban-{id}.pdf",
    "checkpoint": "diem-kiem-{id}-{n}.json",
    "close": "dong-phieu-{id}.json",
    "manifest": "manifest-{id}.json",
}


def actor() -> str:
    """Who acts, for the action log: the logged-in account's name."""
    return str(current_user.username)


def get_poll(public_id: str) -> Poll:
    """The vote with this public id, or a 404 refusal; loaded once per request.

    Cached in ``g`` (one application context: one request, or one CLI command); a
    commit or rollback only expires it, so the next attribute read is fresh.
    """
    cache: dict[str, Poll] = g.setdefault("_phieu_polls", {})
    poll = cache.get(public_id)
    if poll is None or poll not in db.session:
        poll = db.session.scalar(select(Poll).where(Poll.public_id == public_id))
        if poll is None:
            raise refuse("unknown_vote", _l("There is no such vote."), 404)
        cache[public_id] = poll
    return poll


def poll_nav(poll: Poll) -> dict[str, Any]:
    """Template values shared by every staff page of one vote (its tab bar)."""
    return {
        "poll": poll,
        "state_label": state_label(poll.state),
        "can_act": has_role("secretariat"),
    }


def commit(action: Callable[[], T], conflict: Callable[[], ApiError] | None = None) -> T:
    """Run one operation and commit once; return its value.

    A refusal (:class:`ApiError`) rolls back and propagates. A unique constraint that
    fails at the commit (two requests raced) rolls back and becomes ``conflict()``
    when given, else propagates.
    """
    try:
        value = action()
        db.session.commit()
    except ApiError:
        db.session.rollback()
        raise
    except IntegrityError:
        db.session.rollback()
        if conflict is None:
            raise
        raise conflict() from None
    return value


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """What :func:`attempt` did: the operation's value, or the refusal (then nothing changed)."""

    value: T | None = None
    error: ApiError | None = None

    def __bool__(self) -> bool:
        return self.error is None

    @property
    def status(self) -> int:
        """The refusal's HTTP status (200 when the operation went through)."""
        return self.error.status if self.error is not None else 200


def attempt(
    action: Callable[[], T],
    success: str | Callable[[T], str] | None = None,
    *,
    flash_refusal: bool = True,
    conflict: Callable[[], ApiError] | None = None,
) -> Outcome[T]:
    """Run one operation for an HTML form and commit; flash its refusal instead.

    ``success`` (a message, or a function of the operation's value) is flashed once
    committed. With ``flash_refusal=False`` the caller shows ``outcome.error`` itself
    (next to a form field).
    """
    try:
        value = commit(action, conflict)
    except ApiError as err:
        if flash_refusal:
            flash(err.message, "error")
        return Outcome(error=err)
    if success is not None:
        flash(success(value) if callable(success) else success, "success")
    return Outcome(value=value)


def download_name(what: Download, public_id: str, n: int = 0) -> str:
    """The file name of the vote's download ``what`` (also ``download_name`` in templates);
    ``n`` numbers a checkpoint by its ballot count, so that each saved one keeps its file."""
    return DOWNLOAD_NAMES[what].format(id=public_id, n=n)


def download(
    data: bytes,
    mimetype: str,
    what: Download,
    public_id: str,
    *,
    store: bool = True,
    n: int = 0,
) -> Response:
    """The vote's download ``what`` as an attachment under its one name; ``store=False``
    for a file that must not stay in a cache (cards carry their secrets)."""
    response = Response(data, mimetype=mimetype)
    name = download_name(what, public_id, n)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    if not store:
        response.headers["Cache-Control"] = "no-store"
    return response
