"""Database: Flask-SQLAlchemy with a typed declarative base, SQLite or PostgreSQL.

Transactions — one commit per request, explicit:

* functions in ``<area>/operations.py`` change the session (``db.session.add`` …) and
  never commit; they may ``flush`` to get ids or hit constraints early;
* the view that called them commits once, through ``ballot.web.commit`` or
  ``ballot.web.attempt`` (a CLI command, or ``ballot.polls.quick.quick_vote`` for the
  demo and tests: ``db.session.commit()``), *before* it builds
  the success response, so nothing is acknowledged before it is durably stored
  (docs/security.md, property 6); the cast path alone owns its transactions
  (``ballot/voting/casting.py``, see :func:`owns_transaction` below);
* on any exception nothing is committed: the error handlers roll back, and
  Flask-SQLAlchemy's teardown (``session.remove()``) rolls back whatever is left.

Engines are made with ``hide_parameters=True`` unless ``SQLALCHEMY_ENGINE_OPTIONS``
says otherwise: error messages and logs show the SQL, never the values bound to it.

SQLite connections get ``journal_mode=WAL``, ``synchronous=FULL``, ``foreign_keys=ON``
and a ``busy_timeout``; the driver's implicit transaction handling is replaced by an
explicit ``BEGIN`` so that savepoints and transactional DDL work. On SQLite every
POST/PUT/PATCH/DELETE request starts its transaction with ``BEGIN IMMEDIATE``
(``SQLITE_IMMEDIATE_WRITES``), so a request that reads then writes waits for the one
write lock (busy_timeout) instead of failing with SQLITE_BUSY when another writer
committed in between. The whole request body is read (within ``MAX_CONTENT_LENGTH``)
*before* that lock is taken: a client sending its body one byte at a time holds a
server thread (until the front door's read deadline), never the database.
Outside a request (CLI, a second transaction in a view) a writer
calls :func:`begin_write` first thing; on PostgreSQL that is a no-op and the caller
takes its own row or advisory lock.

A view that must work outside the write lock first (check a ballot's proofs, parse an
uploaded list) is marked :func:`owns_transaction`: the hook then does not begin it
IMMEDIATE, and the view ends its read transaction, calls :func:`begin_write` and
commits itself (the cast: ballot/voting/views.py). Views run operations and commit
through :mod:`ballot.web`.
"""

from __future__ import annotations

import os
import sqlite3
import warnings
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, current_app, request
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import Engine, MetaData, event, exc
from sqlalchemy.orm import DeclarativeBase
from werkzeug.exceptions import ClientDisconnected, RequestTimeout

#: Stable constraint names, so Alembic can alter them later (also on SQLite batch mode).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Typed declarative base for every model (``Mapped[...]`` + ``mapped_column``)."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)

SQLITE_FILENAME = "phieu.sqlite3"


def database_uri(app: Flask) -> str:
    """The configured database URL, or the default SQLite file in the instance folder."""
    uri = app.config["SQLALCHEMY_DATABASE_URI"] or os.environ.get("DATABASE_URL")
    if uri:
        if uri.startswith(("postgres://", "postgresql://")):
            # psycopg 3 is the driver we ship; plain URLs would ask for psycopg2.
            uri = "postgresql+psycopg://" + uri.split("://", 1)[1]
        return str(uri)
    os.makedirs(app.instance_path, exist_ok=True)
    return "sqlite:///" + os.path.join(app.instance_path, SQLITE_FILENAME)


def _setup_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    """Pragmas on every new connection, and explicit BEGIN (deferred or immediate)."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves (see _on_begin)
        cursor = dbapi_conn.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = FULL")
            cursor.execute("PRAGMA foreign_keys = ON")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        immediate = conn.get_execution_options().get("sqlite_immediate", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def init_db(app: Flask) -> None:
    """Configure the URL, bind Flask-SQLAlchemy to the app and set up SQLite pragmas."""
    app.config["SQLALCHEMY_DATABASE_URI"] = database_uri(app)
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    # A database error's message would otherwise carry the statement's parameters (a
    # card key, a tracker, a ballot, a password hash) into the log.
    options.setdefault("hide_parameters", True)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    db.init_app(app)
    with app.app_context():
        for engine in db.engines.values():
            if engine.dialect.name == "sqlite":
                _setup_sqlite(engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])


def init_write_hooks(app: Flask) -> None:
    """Read bodies first; on SQLite, writing requests begin IMMEDIATE.

    Register after CSRF and limits: refused requests take no lock.
    """
    app.before_request(_read_body_first)  # also on PostgreSQL: no pooled connection waits
    with app.app_context():
        sqlite = db.engine.dialect.name == "sqlite"
    if sqlite and app.config["SQLITE_IMMEDIATE_WRITES"]:
        app.before_request(_writes_begin_immediate)


def begin_write() -> None:
    """Start the current transaction as a writer (SQLite ``BEGIN IMMEDIATE``).

    Call it before any other statement of the transaction; on SQLite it waits (up to
    the busy timeout) for the single write lock instead of failing later when a read
    transaction tries to upgrade. On PostgreSQL it does nothing: take a row lock
    (``SELECT ... FOR UPDATE``) or an advisory lock for what you serialize.
    Calling it again in a transaction it already began is fine.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("error", exc.SAWarning)
        try:
            db.session.connection(execution_options={"sqlite_immediate": True})
            return
        except exc.SAWarning:  # the transaction already has its connection
            pass
    connection = db.session.connection()
    if connection.dialect.name == "sqlite" and not connection.get_execution_options().get(
        "sqlite_immediate"
    ):
        raise RuntimeError("begin_write() must come first in its transaction")


_WRITING = ("POST", "PUT", "PATCH", "DELETE")
_OWNS = "__phieu_owns_transaction__"
V = TypeVar("V", bound=Callable[..., Any])


def owns_transaction(view: V) -> V:
    """Mark a writing view that manages its own transactions (put it under the route).

    The before-request hook then takes no SQLite write lock for it: the view reads and
    verifies in a plain (deferred) transaction, ends it, and begins its write with
    :func:`begin_write` only for the short append, which it commits itself. The body
    is still read whole before any database work.
    """
    setattr(view, _OWNS, True)
    return view


def _owns_transaction() -> bool:
    view = current_app.view_functions.get(request.endpoint or "")
    return bool(getattr(view, _OWNS, False))


def _read_body_first() -> None:
    """before_request: wait for the client's whole body before any database work.

    Forms are parsed (uploads go to a temporary file), anything else is cached in
    memory; both are bounded by ``MAX_CONTENT_LENGTH`` (413 beyond it). A client too
    slow for the front door's read deadline (config/gunicorn_worker.py) gets a 408.
    """
    if request.method in _WRITING and request.endpoint != "static":
        try:
            if request.mimetype in ("multipart/form-data", "application/x-www-form-urlencoded"):
                request.form  # noqa: B018 - reads and parses the whole body now
            else:
                request.get_data(cache=True)
        except (OSError, ClientDisconnected):  # werkzeug turns a failed read into the latter
            raise RequestTimeout from None


def _writes_begin_immediate() -> None:
    """before_request on SQLite: POST/PUT/PATCH/DELETE start as writers."""
    if request.method in _WRITING and request.endpoint != "static" and not _owns_transaction():
        begin_write()


def dispose_engines(app: Flask) -> None:
    """Drop pooled connections inherited across a fork (gunicorn ``post_fork``)."""
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose(close=False)
