"""Figures read from the whole stage history (medians per stage), cached under its version.

A median needs every duration it is taken over, so it cannot be kept up to date one
transition at a time; recomputing it on every page view made the analytics page's cost grow
with the history. Instead every writer of the history raises one version number in its own
transaction (``note_history_changed``) and each process keeps the figures it computed under
the version it read before computing them (``cached``). A page then costs one small read
while nothing changed, and one computation after a change.

The history here is what the cached figures read: ``StageTransition`` rows and which
products deals touched (``DealProduct``, the product filter). Writers: the incremental path
(``deals._write_deal``), ``rebuild_deals``, ``mark_lost`` and the erasure of an account.

Why this stays right:
- the version is read before the figures, and a reader only sees committed versions, so a
  cached figure is never older than its version (it may be newer: harmless);
- a transaction that changed the history itself computes without the cache (it may still
  roll back, and another transaction then commits the same version number with other rows);
- the cache is per application, so two databases never share it.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TypeVar

from flask import current_app
from sqlalchemy import Insert, event, select
from sqlalchemy.orm import Session

from portal.extensions import db
from portal.models import StageHistoryVersion
from portal.models.base import version_bump

T = TypeVar("T")
VERSION_ROW = 1
# Entries kept per application (figure × filter); past it the cache starts again.
MAX_ENTRIES = 512
_CHANGED = "pipeline.history_changed"
_VERSION = "pipeline.history_version"
_STORE = "pipeline.history_figures"
_table = StageHistoryVersion.__table__


def bump_statement(dialect: str) -> Insert:
    """Raise the version by one (the row made on first use)."""
    return version_bump(_table, dialect, VERSION_ROW)


def note_history_changed() -> None:
    """Raise the history's version in the caller's transaction (one statement)."""
    db.session.execute(bump_statement(db.session.get_bind().dialect.name))
    mark_history_changed()


def mark_history_changed() -> None:
    """For a writer that raised the version in a statement of its own (``_write_deal``)."""
    db.session.info[_CHANGED] = True
    db.session.info.pop(_VERSION, None)


def history_version() -> int:
    """The committed version this transaction sees (read once per transaction)."""
    info = db.session.info
    if _VERSION not in info:
        info[_VERSION] = (
            db.session.scalar(select(_table.c.version).where(_table.c.id == VERSION_ROW)) or 0
        )
    return info[_VERSION]


def cached(name: str, key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``, or what it returned under the current version for the same name and
    key. Callers must not change what they get back."""
    if db.session.info.get(_CHANGED):
        return compute()
    version = history_version()
    store: dict = current_app.extensions.setdefault(_STORE, {})
    entry = store.get((name, key))
    if entry is not None and entry[0] == version:
        return entry[1]
    value = compute()
    if len(store) >= MAX_ENTRIES:
        store.clear()
    store[(name, key)] = (version, value)
    return value


def forget_cached(app) -> None:
    """Drop ``app``'s cached figures (the benchmark times the page without them)."""
    app.extensions.pop(_STORE, None)


@event.listens_for(Session, "after_transaction_end")
def _transaction_ended(session: Session, transaction) -> None:
    if transaction.parent is None:  # the outermost transaction: committed or rolled back
        session.info.pop(_CHANGED, None)
        session.info.pop(_VERSION, None)
