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

from portal.extensions import db


def _is_sqlite() -> bool:
    return db.session.get_bind().dialect.name == "sqlite"


def lock_row(obj: Any) -> None:
    """Serialise writers on ``obj``'s row and reload it (and its collections) fresh."""
    model = type(obj)
    if _is_sqlite():
        db.session.execute(
            update(model).where(model.id == obj.id).values(id=model.id),
            execution_options={"synchronize_session": False},
        )
    db.session.refresh(obj, with_for_update=True)


def dialect_insert(model):
    return (sqlite_insert if _is_sqlite() else pg_insert)(model)
