"""The portal's handle on the sandbox engine: one store, one run queue and one quota counter
per app, created lazily on first use (``create_app`` does no I/O) and closed at exit.
"""

from __future__ import annotations

import atexit
import threading
import weakref

from flask import Flask, current_app
from limits import RateLimitItemPerHour
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

from sandbox import DatasetStore, Limits, RunQueue, make_queue

_lock = threading.Lock()
# Queues still open, closed at interpreter exit. Weak references: an app that is gone (a test's)
# must not keep its queue and idle worker threads alive.
_open_queues: weakref.WeakSet[RunQueue] = weakref.WeakSet()


@atexit.register
def _close_open_queues() -> None:
    for queue in list(_open_queues):
        queue.close()


def sandbox_limits(app: Flask | None = None) -> Limits:
    """Engine limits from the app's configuration."""
    config = (app or current_app).config
    return Limits(
        max_file_bytes=config["SANDBOX_MAX_UPLOAD_BYTES"],
        max_columns=config["SANDBOX_MAX_COLUMNS"],
        max_rows=config["SANDBOX_MAX_ROWS"],
        wall_seconds=config["SANDBOX_RUN_SECONDS"],
        cpu_seconds=config["SANDBOX_CPU_SECONDS"],
        memory_bytes=config["SANDBOX_MEMORY_MB"] * 1024 * 1024,
        ttl_hours=config["SANDBOX_TTL_HOURS"],
    )


def is_rq(queue_url: str | None) -> bool:
    """True when runs go to RQ workers rather than the in-process pool."""
    return bool(queue_url) and queue_url.startswith(("redis://", "rediss://", "unix://"))


def _once(app: Flask, key: str, make):
    """``app.extensions[key]``, made by ``make(app)`` on first use (once, across threads)."""
    value = app.extensions.get(key)
    if value is None:
        with _lock:
            value = app.extensions.get(key)
            if value is None:
                value = app.extensions[key] = make(app)
    return value


def get_store(app: Flask | None = None) -> DatasetStore:
    app = app or current_app._get_current_object()
    return _once(app, "sandbox_store", lambda a: DatasetStore(a.config["SANDBOX_STORE"]))


def get_queue(app: Flask | None = None) -> RunQueue:
    """The app's run queue: an in-process pool, or RQ when ``QUEUE_URL`` is redis://."""
    app = app or current_app._get_current_object()
    store = get_store(app)
    return _once(app, "sandbox_queue", lambda a: _make_queue(a, store))


def _make_queue(app: Flask, store: DatasetStore) -> RunQueue:
    queue_url = app.config["QUEUE_URL"] or None
    extra = {"queue_name": app.config["SANDBOX_QUEUE_NAME"]} if is_rq(queue_url) else {}
    queue = make_queue(
        queue_url=queue_url,
        store=store,
        limits=sandbox_limits(app),
        max_workers=app.config["SANDBOX_WORKERS"],
        **extra,
    )
    # The in-process pool must finish its runs before the interpreter exits.
    _open_queues.add(queue)
    return queue


def close_queue(app: Flask) -> None:
    """Wait for in-process runs and drop the queue (tests call this after each app)."""
    with _lock:
        queue = app.extensions.pop("sandbox_queue", None)
    if queue is not None:
        _open_queues.discard(queue)
        queue.close()


def upload_counter(app: Flask | None = None) -> FixedWindowRateLimiter:
    """Counts uploads per owner per hour in the rate-limit storage (shared at scale)."""
    app = app or current_app._get_current_object()
    return _once(
        app,
        "trial_upload_counter",
        lambda a: FixedWindowRateLimiter(storage_from_string(a.config["RATELIMIT_STORAGE_URI"])),
    )


def uploads_per_hour(app: Flask | None = None) -> RateLimitItemPerHour:
    return RateLimitItemPerHour((app or current_app).config["TRIAL_UPLOADS_PER_HOUR"])
