"""What /healthz checks: the database takes a write (not only a read), and Redis answers
when the app is configured to use it. Each check returns None when fine, else a reason."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from portal.extensions import db

REDIS_SETTINGS = ("QUEUE_URL", "RATELIMIT_STORAGE_URI")


def database_problem(timeout_ms: int) -> str | None:
    """Open a write transaction and roll it back, waiting at most ``timeout_ms`` for a lock.

    SQLite: ``BEGIN IMMEDIATE`` takes the write lock another connection may hold (a plain
    ``SELECT 1`` succeeds on a database that refuses every write). PostgreSQL: a transaction
    id is assigned (what every write needs; refused on a read-only server)."""
    try:
        with db.engine.connect() as conn:
            if conn.dialect.name == "sqlite":
                return _sqlite_write_lock(conn, timeout_ms)
            with conn.begin() as transaction:
                conn.execute(text(f"SET LOCAL lock_timeout = {int(timeout_ms)}"))
                conn.execute(text(f"SET LOCAL statement_timeout = {int(timeout_ms) * 2}"))
                if conn.scalar(text("SELECT current_setting('transaction_read_only')")) == "on":
                    return "read-only"
                conn.execute(text("SELECT pg_current_xact_id()"))
                transaction.rollback()
    except SQLAlchemyError as error:
        return _reason(error)
    return None


def _sqlite_write_lock(conn, timeout_ms: int) -> str | None:
    raw = conn.connection.dbapi_connection
    busy = raw.execute("PRAGMA busy_timeout").fetchone()[0]
    raw.execute(f"PRAGMA busy_timeout = {int(timeout_ms)}")
    try:
        raw.execute("BEGIN IMMEDIATE")
        raw.execute("ROLLBACK")
    except Exception as error:  # sqlite3.OperationalError: database is locked, disk I/O...
        return _reason(error)
    finally:
        raw.execute(f"PRAGMA busy_timeout = {int(busy)}")
    return None


def _reason(error: Exception) -> str:
    message = str(getattr(error, "orig", None) or error).lower()
    if "locked" in message or "lock timeout" in message:
        return "locked"
    if "read-only" in message or "readonly" in message:
        return "read-only"
    return "unreachable"


def redis_status(timeout_seconds: float) -> dict[str, str]:
    """``{setting: "ok" or the reason}`` for each setting that points at Redis."""
    status = {}
    for name in REDIS_SETTINGS:
        url = current_app.config.get(name) or ""
        if not url.startswith(("redis://", "rediss://", "unix://")):
            continue
        import redis  # only deployments that use Redis have it installed

        client = redis.Redis.from_url(
            url, socket_timeout=timeout_seconds, socket_connect_timeout=timeout_seconds
        )
        try:
            client.ping()
            status[name] = "ok"
        except redis.RedisError as error:
            status[name] = "unreachable" if isinstance(error, redis.ConnectionError) else "error"
        finally:
            client.close()
    return status
