"""The catalog page version, pushed to each process by PostgreSQL instead of read per view.

Reading the one version row was most of what a warm product view cost on PostgreSQL (about
1 ms of a 2 ms view in one process, measured: the round trip through SQLAlchemy and
psycopg). Here every raise of the version also sends ``NOTIFY catalog_page_version`` with
the new number, in the same transaction (so it is delivered only if that commits, and in
commit order). Each process keeps one connection of its own that LISTENs, and a view asks
that connection's socket, without waiting, whether a notification has arrived: the number
the process holds is then the committed one, with no query.

When the feed cannot be trusted, the view reads the row as before, so it is never wrong:
- this process raised the version itself and its notification has not come back yet (the
  next view, perhaps the redirect after an admin's edit, must show it): reads until it has,
  at most ``EXPECT_SECONDS`` (a raise whose transaction rolled back never arrives);
- every ``RECHECK_SECONDS`` one view reads the row anyway, and the larger number wins, which
  bounds how long a connection that died silently (no reset ever reaches this end) can
  keep an old number;
- the connection is gone (the server restarted, an operator ended it): reads, and a new
  connection is tried at most once every ``RETRY_SECONDS``.

The one window left: a view in *another* process that starts within the moment between the
writer's COMMIT returning and the server handing the notification to this process's
connection (PostgreSQL signals the listening backends at commit; measured well under a
millisecond on one machine) shows the body of the version before, as a view that started
just before the commit would. SQLite (one machine, no network) reads the row.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import select
import threading
import time
from collections.abc import Callable

from sqlalchemy import String, cast, func
from sqlalchemy import select as sql_select
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError

CHANNEL = "catalog_page_version"
EXPECT_SECONDS = 2.0
RECHECK_SECONDS = 5.0
RETRY_SECONDS = 1.0
CONNECT_TIMEOUT = 2

_feeds: dict[str, VersionFeed] = {}
_feeds_lock = threading.Lock()


def notifying_bump(bump, version_column):
    """``bump`` (an upsert raising the version) as one statement that also notifies the
    listeners of the new number and returns it (PostgreSQL: a data-modifying CTE)."""
    raised = bump.returning(version_column.label("version")).cte("raised")
    return sql_select(raised.c.version, func.pg_notify(CHANNEL, cast(raised.c.version, String)))


def _key(url: URL) -> str:
    return url.render_as_string(hide_password=False)


def feed_for(url: URL, read: Callable[[], int]) -> VersionFeed:
    """This process's feed for the database at ``url`` (made on first use); ``read`` reads
    the committed version the ordinary way, for when the feed cannot answer."""
    key = _key(url)
    feed = _feeds.get(key)
    if feed is None:
        with _feeds_lock:
            feed = _feeds.setdefault(key, VersionFeed(url, read))
    return feed


@atexit.register
def _close_all() -> None:
    for feed in list(_feeds.values()):
        feed.close()


def expect(url: URL, version: int) -> None:
    """This process has just raised the version at ``url`` to ``version``."""
    feed = _feeds.get(_key(url))
    if feed is not None:
        feed.expect(version)


class VersionFeed:
    """One process's view of the version, kept current by notifications. Thread-safe."""

    recheck_seconds = RECHECK_SECONDS

    def __init__(self, url: URL, read: Callable[[], int]) -> None:
        import psycopg  # here: PostgreSQL's driver is installed only where it is used

        self._connect = psycopg.connect
        self._errors = (psycopg.Error, DBAPIError, OSError, ValueError)
        self._conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
        self._read = read
        self._lock = threading.Lock()
        self._conn = None  # psycopg.Connection
        self._pid = 0
        self._version = 0
        self._checked = 0.0  # when the row was last read
        self._retry_at = 0.0
        self._notices = 0  # notifications taken in so far
        self._expected: int | None = None  # a version this process raised, not yet heard of
        self._expected_until = 0.0

    @property
    def live(self) -> bool:
        return self._conn is not None and self._pid == os.getpid()

    def expect(self, version: int) -> None:
        with self._lock:
            self._expected = version
            self._expected_until = time.monotonic() + EXPECT_SECONDS

    def version(self) -> int:
        """The committed version: from the notifications when they can be trusted, else
        read (see the module's notes)."""
        now = time.monotonic()
        connect = False
        with self._lock:
            if self._conn is not None and not self.live:
                self._conn = None  # inherited through a fork: the parent's, never touched
            if self._conn is not None:
                if self._drain() and not self._doubtful(now):
                    return self._version
            elif now >= self._retry_at:
                self._retry_at = now + RETRY_SECONDS
                connect = True  # this thread tries, outside the lock; the others read
        if connect and self._listen(now):
            return self._version
        with self._lock:
            notices = self._notices
        version = self._read()
        with self._lock:
            self._learn(version, notices)
            self._checked = now
        return version

    def _listen(self, now: float) -> bool:
        """Open the listening connection (without holding the lock: connecting to a server
        that is down takes up to ``CONNECT_TIMEOUT``), then read the version once."""
        conn = None
        try:
            conn = self._connect(self._conninfo, autocommit=True, connect_timeout=CONNECT_TIMEOUT)
            conn.execute(f"LISTEN {CHANNEL}")  # first: no raise after the read is missed
            version = self._read()
        except self._errors:
            if conn is not None:
                conn.close()
            return False
        with self._lock:
            self._learn(version, self._notices)
            if self.live:
                conn.close()  # another thread's attempt (a slow connect outlasts a retry) won
            else:
                self._conn, self._pid, self._checked = conn, os.getpid(), now
        return True

    def close(self) -> None:
        with self._lock:
            self._drop()

    # -- under the lock ------------------------------------------------------------------

    def _learn(self, version: int, notices: int) -> None:
        """Take a version read from the row. It is the truth (the row can also go back, when
        a database is restored), unless a notification came in while it was read: that one
        is newer, or the same."""
        self._version = version if notices == self._notices else max(self._version, version)
        if self._expected is not None and version >= self._expected:
            self._expected = None

    def _doubtful(self, now: float) -> bool:
        if self._expected is not None and now < self._expected_until:
            return True
        return now - self._checked > self.recheck_seconds

    def _drain(self) -> bool:
        """Take in the notifications waiting on the socket, without waiting for any."""
        conn = self._conn
        try:
            # Until the socket has nothing more: a server ending the connection first sends
            # a message (taken in quietly), then closes it (the next read raises).
            for _ in range(3):
                ready, _, _ = select.select([conn.fileno()], [], [], 0)
                if not ready:
                    break
                for notice in conn.notifies(timeout=0):
                    self._version = int(notice.payload)  # they come in commit order
                    self._notices += 1
                    if self._version == self._expected:
                        self._expected = None
        except self._errors:
            self._drop()
            return False
        return True

    def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None and self._pid == os.getpid():
            with contextlib.suppress(*self._errors):
                conn.close()
