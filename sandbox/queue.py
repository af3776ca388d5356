"""Run queue: submit a demo run, follow its progress, fetch its result.

Run state lives in ``STORE/runs/<run_id>/state.json`` so any process sharing the store
(web, RQ worker, CLI) sees the same status. A run whose worker disappears is failed by the
next ``status`` call once its heartbeat is older than ``heartbeat_timeout``.
"""

from __future__ import annotations

import json
import os
import socket
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from .errors import NotFound, QueueUnavailable, ResultNotReady
from .execute import _finish, execute_run
from .limits import Limits
from .recipes import Recipe, get_recipe, validate_mapping
from .runner import discard_spares, prestart
from .store import (
    DatasetStore,
    _read_state,
    get_dataset,
    new_id,
    owner_dirname,
    utcnow,
    write_json_atomic,
)

STATES = ("queued", "running", "succeeded", "failed")
QUEUE_DOWN = (
    "Demos are paused for a moment (the run queue cannot be reached). Nothing was started: "
    "please press Run again in a minute."
)
WORKER_LOST = "The demo stopped because the worker running it went away. Please run it again."


@dataclass
class RunStatus:
    """What the UI shows while a run is queued, running or done."""

    run_id: str
    state: str
    recipe: str
    dataset_id: str
    step: str = ""
    percent: int = 0
    error: str | None = None
    error_category: str | None = None
    created_at: str | None = None
    started_at: str | None = None
    finished_at: str | None = None
    sandbox: dict[str, Any] = field(default_factory=dict)

    @property
    def done(self) -> bool:
        return self.state in ("succeeded", "failed")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class RunQueue:
    """Base queue: persistence and status; subclasses decide where ``execute_run`` happens."""

    kind = "base"

    def __init__(
        self, store: DatasetStore, limits: Limits | None = None, heartbeat_timeout: float = 30.0
    ) -> None:
        self.store = store
        self.limits = limits or Limits()
        self.heartbeat_timeout = heartbeat_timeout

    def submit(
        self,
        owner_key: str,
        dataset_id: str,
        recipe: str | Recipe,
        mapping: dict[str, str | None] | None = None,
        params: dict[str, Any] | None = None,
    ) -> str:
        """Validate and queue a run; return its id. Raises NotFound or MappingError."""
        info = get_dataset(self.store, owner_key, dataset_id)
        rec = get_recipe(recipe)
        clean_map, clean_params = validate_mapping(info, rec, mapping or {}, params or {})
        run_id = new_id("run")
        run_dir = self.store.run_dir(run_id)
        run_dir.mkdir(parents=True)
        now = utcnow()
        state = {
            "run_id": run_id,
            "owner": owner_dirname(owner_key),
            "dataset_id": dataset_id,
            "recipe": rec.name,
            "recipe_ref": rec.ref,
            "mapping": clean_map,
            "params": clean_params,
            "state": "queued",
            "step": "Waiting for a free worker",
            "percent": 0,
            "created_at": now.isoformat(),
            "expires_at": info.expires_at.isoformat(),
            "queue": {"kind": self.kind, "host": socket.gethostname(), "pid": os.getpid()},
        }
        write_json_atomic(run_dir / "state.json", state)
        self._dispatch(run_id)
        return run_id

    def _dispatch(self, run_id: str) -> None:
        raise NotImplementedError

    def _state(self, run_id: str, owner_key: str | None) -> dict[str, Any]:
        state = _read_state(self.store.run_dir(run_id))
        if state is None or (owner_key is not None and state["owner"] != owner_dirname(owner_key)):
            raise NotFound("We could not find that demo run. It may have expired or been deleted.")
        return state

    def status(self, run_id: str, owner_key: str | None = None) -> RunStatus:
        """Current status; pass ``owner_key`` to refuse other owners' runs."""
        state = self._state(run_id, owner_key)
        if state["state"] in ("queued", "running") and self._lost(state):
            state = _finish(
                self.store, run_id, "failed", category="worker_lost", message=WORKER_LOST
            )
        return RunStatus(
            run_id=run_id,
            state=state["state"],
            recipe=state["recipe"],
            dataset_id=state["dataset_id"],
            step=state.get("step", ""),
            percent=state.get("percent", 0),
            error=state.get("error"),
            error_category=state.get("error_category"),
            created_at=state.get("created_at"),
            started_at=state.get("started_at"),
            finished_at=state.get("finished_at"),
            sandbox=state.get("sandbox", {}),
        )

    def _lost(self, state: dict[str, Any]) -> bool:
        if state["state"] == "running":
            beat = datetime.fromisoformat(state.get("heartbeat_at") or state["started_at"])
            return (utcnow() - beat).total_seconds() > self.heartbeat_timeout
        queue = state.get("queue", {})
        return (
            queue.get("kind") == "local"
            and queue.get("host") == socket.gethostname()
            and not _alive(queue.get("pid", 0))
        )

    def result(self, run_id: str, owner_key: str | None = None) -> dict[str, Any]:
        """The result JSON of a succeeded run; ``ResultNotReady`` otherwise."""
        status = self.status(run_id, owner_key)
        if status.state != "succeeded":
            raise ResultNotReady(
                status.error if status.state == "failed" else "The demo is still running."
            )
        return json.loads((self.store.run_dir(run_id) / "result.json").read_text("utf-8"))

    def list_runs(self, owner_key: str, dataset_id: str | None = None) -> list[RunStatus]:
        """The owner's runs (optionally of one dataset), newest first."""
        owner = owner_dirname(owner_key)
        found = []
        for run_dir in self.store.iter_run_dirs():
            state = _read_state(run_dir)
            if state and state["owner"] == owner and dataset_id in (None, state["dataset_id"]):
                found.append(self.status(state["run_id"]))
        return sorted(found, key=lambda s: s.created_at or "", reverse=True)

    def close(self) -> None:
        """Stop accepting work and wait for in-process runs to end."""


class LocalQueue(RunQueue):
    """Runs in a bounded thread pool of this process; each run is still its own child."""

    kind = "local"

    def __init__(self, store: DatasetStore, limits: Limits | None = None, max_workers: int = 2,
                 heartbeat_timeout: float = 30.0, warm: bool = True,
                 refill: bool = True) -> None:  # fmt: skip
        """``warm``: keep a sandbox child started ahead, so a run skips its start-up;
        ``refill=False`` (one run, then exit: the command line) starts none after a run."""
        super().__init__(store, limits, heartbeat_timeout)
        self._pool = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="sandbox-run")
        self._warm = warm
        self._refill = refill
        if warm:
            # From a pool thread: a child dies with the thread that started it (PDEATHSIG),
            # and the pool's threads live as long as the queue.
            self._pool.submit(prestart, self.limits)

    def _dispatch(self, run_id: str) -> None:
        self._pool.submit(
            execute_run, str(self.store.root), run_id, self.limits.to_dict(),
            warm=self._warm, refill=self._refill,
        )  # fmt: skip

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        if self._warm:
            discard_spares()


class RQQueue(RunQueue):
    """Runs on RQ workers (``python -m sandbox worker``) that share the store directory."""

    kind = "rq"

    def __init__(self, queue_url: str, store: DatasetStore, limits: Limits | None = None,
                 queue_name: str = "sandbox", heartbeat_timeout: float = 30.0) -> None:  # fmt: skip
        from redis import Redis
        from rq import Queue

        super().__init__(store, limits, heartbeat_timeout)
        self.connection = Redis.from_url(queue_url)
        self.queue = Queue(queue_name, connection=self.connection)

    def _dispatch(self, run_id: str) -> None:
        from redis.exceptions import RedisError

        try:
            self._enqueue(run_id)
        except RedisError:
            # Not queued: the run is over before it began (never left "queued" for ever).
            _finish(self.store, run_id, "failed", category="worker_lost", message=QUEUE_DOWN)
            raise QueueUnavailable(QUEUE_DOWN) from None

    def _enqueue(self, run_id: str) -> None:
        self.queue.enqueue_call(
            "sandbox.execute.execute_run",
            args=(str(self.store.root), run_id, self.limits.to_dict()),
            # Workers are SimpleWorkers (no fork per job): a child started ahead outlives a job.
            kwargs={"warm": True},
            timeout=self.limits.wall_seconds + 120,
            result_ttl=3600,
            failure_ttl=86400,
            job_id=run_id,
        )

    def _lost(self, state: dict[str, Any]) -> bool:
        if super()._lost(state):
            return True
        from redis.exceptions import RedisError
        from rq.exceptions import NoSuchJobError
        from rq.job import Job, JobStatus

        try:
            status = Job.fetch(state["run_id"], connection=self.connection).get_status()
        except NoSuchJobError:
            return state["state"] == "queued"
        except RedisError:  # Redis is away: the job may well be there; ask again later
            return False
        return status in (JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED)


def make_queue(
    queue_url: str | None = None,
    store: DatasetStore | None = None,
    limits: Limits | None = None,
    max_workers: int = 2,
    **kwargs: Any,
) -> RunQueue:
    """In-process pool by default; RQ when ``queue_url`` (or env ``QUEUE_URL``) is redis://."""
    if store is None:
        raise ValueError("make_queue needs a DatasetStore")
    queue_url = queue_url or os.environ.get("QUEUE_URL")
    if queue_url and queue_url.startswith(("redis://", "rediss://", "unix://")):
        return RQQueue(queue_url, store, limits, **kwargs)
    return LocalQueue(store, limits, max_workers=max_workers, **kwargs)


def run_worker(queue_url: str, queue_name: str = "sandbox", burst: bool = False) -> None:
    """Process RQ jobs until stopped (or until the queue is empty with ``burst``)."""
    from redis import Redis
    from rq import Queue, SimpleWorker

    connection = Redis.from_url(queue_url)
    # SimpleWorker: each job already isolates itself in a sandbox child, no extra fork needed.
    worker = SimpleWorker([Queue(queue_name, connection=connection)], connection=connection)
    worker.work(burst=burst, logging_level="WARNING")


def wait(queue: RunQueue, run_id: str, timeout: float = 120.0, poll: float = 0.1) -> RunStatus:
    """Block until the run is done (for the CLI, tests and the benchmark)."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        status = queue.status(run_id)
        if status.done or time.monotonic() > deadline:
            return status
        time.sleep(poll)
