"""Row locks and race-free inserts, the same on SQLite and PostgreSQL.

Whatever must not happen twice is guarded by the database, not only by checks in Python.
``lock_row`` serialises writers on one row (``SELECT … FOR UPDATE`` on PostgreSQL; on SQLite,
which has one writer at a time, a no-op UPDATE takes the write lock *before* anything is read,
so the reads that follow see the latest commit). Unique keys back it up: ``Order.cart_key``
(one order per checkout of a cart), ``Payment(provider, reference)``,
``ProcessedWebhookEvent.event_id`` and ``CreditNote.order_id``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import OperationalError

from portal.extensions import db

LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL: FOR UPDATE NOWAIT found the row locked


def _is_sqlite() -> bool:
    return db.session.get_bind().dialect.name == "sqlite"


class RowBusy(Exception):
    """``lock_row(..., nowait=True)``: another transaction holds the row right now."""


def lock_row(obj: Any, *, nowait: bool = False) -> None:
    """Serialise writers on ``obj``'s row and reload it (and its collections) fresh.

    ``nowait``: on PostgreSQL, raise ``RowBusy`` at once instead of queueing behind the
    holder (SQLite, one writer at a time, waits its bounded busy timeout either way)."""
    model = type(obj)
    if _is_sqlite():
        db.session.execute(
            update(model).where(model.id == obj.id).values(id=model.id),
            execution_options={"synchronize_session": False},
        )
        db.session.refresh(obj, with_for_update=True)
        return
    try:
        db.session.refresh(obj, with_for_update={"nowait": True} if nowait else True)
    except OperationalError as error:
        if nowait and getattr(error.orig, "sqlstate", None) == LOCK_NOT_AVAILABLE:
            raise RowBusy(str(error.orig)) from error
        raise


def dialect_insert(model):
    return (sqlite_insert if _is_sqlite() else pg_insert)(model)
