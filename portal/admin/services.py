"""What the admin pages show about this host: the sandbox isolation a run really gets.

The check starts a real sandbox child (``sandbox.host_check``), which takes a second or two,
so its answer is kept per web process for ``SANDBOX_CHECK_MAX_AGE`` seconds; "Check again"
starts a new one. It shows the host this web process runs on: RQ workers on other machines
may differ (each run also reports its own layers in ``TrialRun.sandbox``).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sandbox import Limits
from sandbox.host_check import check_host


@dataclass(frozen=True)
class IsolationStatus:
    rows: list[dict[str, Any]]
    checked_at: datetime
    monotonic: float

    @property
    def all_active(self) -> bool:
        """Every layer holds, but for the mount namespace, which only stands in for Landlock."""
        by_name = {row["name"]: row["active"] for row in self.rows}
        if by_name.get("Landlock") or by_name.get("Mount namespace (without Landlock)"):
            by_name.pop("Landlock", None)
            by_name.pop("Mount namespace (without Landlock)", None)
        return bool(by_name) and all(by_name.values())


_cache: dict[str, IsolationStatus] = {}
_lock = threading.Lock()


def isolation_status(limits: Limits, max_age: float, *, refresh: bool = False) -> IsolationStatus:
    """The isolation layers of a sandbox child on this host, probed at most every
    ``max_age`` seconds (``refresh`` probes now)."""
    with _lock:  # one probe at a time; the others wait for its answer
        cached = _cache.get("isolation")
        if cached and not refresh and time.monotonic() - cached.monotonic < max_age:
            return cached
        status = IsolationStatus(check_host(limits), datetime.now(UTC), time.monotonic())
        _cache["isolation"] = status
        return status
