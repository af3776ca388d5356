"""Per-connection database settings.

SQLite: WAL, foreign keys and a bounded busy timeout (the ``timeout`` connect argument, so a
locked database fails after that many seconds instead of hanging a worker). PostgreSQL:
``statement_timeout`` and ``lock_timeout`` set as connection options, so a stuck query or a
lock held elsewhere ends the request with an error (503) rather than pinning the worker.

A connection the server dropped (``pg_terminate_backend``, a restart, a failover) must cost at
most the request that was using it: ``pool_pre_ping`` tests each connection as a request takes
it from the pool, an error in the request is a 503 (``portal.errors``), and ``end_session``
closes the request's session without letting a failed ROLLBACK on the dead connection escape
as a 500 after the response was already made.
"""

from __future__ import annotations

import logging
import sqlite3

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError

log = logging.getLogger(__name__)

# A request never waits longer than this for SQLite's write lock, whatever the setting says.
MAX_SQLITE_BUSY_MS = 30_000

_configured = False


def engine_options(config: dict) -> dict:
    """``SQLALCHEMY_ENGINE_OPTIONS`` with the timeouts for the configured database added."""
    options = dict(config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    # Whatever else is configured: a connection is tested before a request gets it.
    options.setdefault("pool_pre_ping", True)
    connect_args = dict(options.get("connect_args") or {})
    backend = make_url(config["SQLALCHEMY_DATABASE_URI"]).get_backend_name()
    if backend == "sqlite":
        busy_ms = min(max(int(config["SQLITE_BUSY_TIMEOUT_MS"]), 0), MAX_SQLITE_BUSY_MS)
        connect_args.setdefault("timeout", busy_ms / 1000)
    elif backend == "postgresql":
        settings = (
            f"-c statement_timeout={int(config['DATABASE_STATEMENT_TIMEOUT_MS'])}"
            f" -c lock_timeout={int(config['DATABASE_LOCK_TIMEOUT_MS'])}"
        )
        given = connect_args.get("options", "")
        connect_args["options"] = f"{given} {settings}".strip()
    options["connect_args"] = connect_args
    return options


def configure_engine_events() -> None:
    global _configured
    if _configured:
        return
    _configured = True

    @event.listens_for(Engine, "connect")
    def _sqlite_pragmas(dbapi_connection, _record):
        if isinstance(dbapi_connection, sqlite3.Connection):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()


def register_session_end(app: Flask, db) -> None:
    """Close each request's session ourselves, before Flask-SQLAlchemy's teardown would.

    Its ``session.remove()`` rolls back the open (read) transaction; when the connection died
    after the view had built its response, that ROLLBACK raises and the server answers 500
    for a page that was fine. Nothing is lost by going on: a view that wrote has committed,
    and the server ends the dead connection's transaction itself. The connection is dropped
    from the pool (``invalidate``), so the next request gets a fresh one.
    """

    @app.teardown_appcontext
    def end_session(_error: BaseException | None) -> None:
        try:
            db.session.remove()
        except DBAPIError as error:
            log.warning("database connection lost while closing the session: %s", error.orig)
            try:
                db.session().invalidate()
            finally:
                db.session.registry.clear()
