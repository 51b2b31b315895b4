"""Log records that cannot carry a database error's values.

``hide_parameters=True`` (ballot.db) keeps SQLAlchemy from printing bound parameters,
but the database's own message can still quote them: PostgreSQL's
``DETAIL: Key (card_key)=(\\x…) already exists`` or ``invalid input syntax …: "…"``.
:class:`DatabaseErrorScrubber` rewrites any record whose exception chain holds a
database error: the traceback is kept (file, line, code), each database exception
is reduced to its class, SQLSTATE, constraint name and the SQL text (no values).
"""

from __future__ import annotations

import logging
import traceback

from sqlalchemy.exc import StatementError


def _is_driver_error(exc: BaseException) -> bool:
    return type(exc).__module__.split(".")[0] in ("psycopg", "sqlite3", "psycopg2")


def _safe_message(exc: BaseException) -> str:
    if isinstance(exc, StatementError):
        return f"[SQL: {exc.statement}] [parameters and database message hidden]"
    if _is_driver_error(exc):
        diag = getattr(exc, "diag", None)
        return (
            f"sqlstate={getattr(exc, 'sqlstate', None) or getattr(exc, 'sqlite_errorname', '?')}"
            f" constraint={getattr(diag, 'constraint_name', None)} [message hidden]"
        )
    return str(exc)


def _chain(exc: BaseException) -> list[BaseException]:
    out: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and all(current is not e for e in out):
        out.append(current)
        current = current.__cause__ or (
            None if current.__suppress_context__ else current.__context__
        )
    return out[::-1]


def scrubbed_traceback(exc: BaseException) -> str:
    """The exception chain's traceback with every database message reduced."""
    parts = []
    for e in _chain(exc):
        frames = "".join(traceback.format_tb(e.__traceback__))
        name = f"{type(e).__module__}.{type(e).__qualname__}"
        parts.append(f"Traceback (most recent call last):\n{frames}{name}: {_safe_message(e)}")
    return "\n\nThe above exception led to the following exception:\n\n".join(parts)


class DatabaseErrorScrubber(logging.Filter):
    """A logger filter: records with a database error keep no value from it."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record's exception text when its chain holds a database error."""
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            if any(isinstance(e, StatementError) or _is_driver_error(e) for e in _chain(exc)):
                record.exc_text = scrubbed_traceback(exc)
                record.exc_info = None
        return True


def install(*loggers: logging.Logger) -> None:
    """Attach one scrubber to each logger (filters do not apply to propagated records)."""
    for logger in loggers:
        if not any(isinstance(f, DatabaseErrorScrubber) for f in logger.filters):
            logger.addFilter(DatabaseErrorScrubber())
