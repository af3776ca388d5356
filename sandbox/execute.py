"""Running one queued run, wherever a queue executes it (a pool thread or an RQ worker):
the run's state file moves queued → running → succeeded/failed, and no run is left queued
or running for ever, not even when the store refuses a write for a while."""

from __future__ import annotations

import json
import os
import shutil
import socket
from contextlib import suppress
from typing import Any

from .errors import NotFound
from .limits import Limits
from .runner import prestart, run_child
from .store import DatasetStore, _read_state, utcnow, write_json_atomic


def _update(store: DatasetStore, run_id: str, **changes: Any) -> dict[str, Any]:
    run_dir = store.run_dir(run_id)
    state = _read_state(run_dir)
    if state is None:
        raise NotFound("run vanished")
    state.update(changes)
    write_json_atomic(run_dir / "state.json", state)
    return state


def _finish(store, run_id, state, category=None, message=None, **extra) -> dict[str, Any]:
    return _update(
        store,
        run_id,
        state=state,
        error=message,
        error_category=category,
        finished_at=utcnow().isoformat(),
        **extra,
    )


def execute_run(
    store_root: str, run_id: str, limits: dict[str, Any], warm: bool = False, refill: bool = True
) -> str:
    """Run one queued run to completion in a sandbox child; return its final state.

    This is what queue workers call. It never raises for a failing demo: the failure is
    written to the run's state with a category and a plain message. ``warm`` (long-lived
    workers): use a child started ahead, and once the outcome is recorded start the next
    (unless ``refill`` is false).
    """
    lim = Limits.from_dict(limits)
    store = DatasetStore(store_root)
    try:
        final = _execute_run(store, run_id, lim, warm)
    except OSError:
        # The store refused a write (a full disk): no run may stay "queued" for ever, so the
        # failure is recorded as soon as the store takes writes again.
        final = _record_store_failure(store, run_id)
    if warm and refill:
        prestart(lim)
    return final


STORE_FAILED = "The demo could not be saved: the server's storage is full. Try again in a minute."
STORE_RETRY_SECONDS = 120.0


def _record_store_failure(store: DatasetStore, run_id: str) -> str:
    import time

    deadline = time.monotonic() + STORE_RETRY_SECONDS
    while True:
        try:
            _finish(store, run_id, "failed", "internal", STORE_FAILED)
            return "failed"
        except NotFound:
            return "missing"
        except OSError:
            if time.monotonic() > deadline:
                return "failed"  # a running run is then failed by its stale heartbeat
            time.sleep(1.0)


def _execute_run(store: DatasetStore, run_id: str, lim: Limits, warm: bool) -> str:
    state = _read_state(store.run_dir(run_id))
    if state is None or state["state"] != "queued":
        return state["state"] if state else "missing"
    dataset_dir = store.root / "owners" / state["owner"] / "datasets" / state["dataset_id"]
    try:
        meta = json.loads((dataset_dir / "meta.json").read_text("utf-8"))
    except FileNotFoundError:
        _finish(store, run_id, "failed", "bad_data", "The dataset was deleted before the run.")
        return "failed"
    now = utcnow().isoformat()
    _update(
        store,
        run_id,
        state="running",
        step="Starting the sandbox",
        percent=1,
        started_at=now,
        heartbeat_at=now,
        worker={"host": socket.gethostname(), "pid": os.getpid()},
    )
    job = {
        "recipe_ref": state["recipe_ref"],
        "parquet": str(dataset_dir / "data.parquet"),
        "columns": meta["columns"],
        "notes": meta.get("notes", []),
        "mapping": state["mapping"],
        "params": state["params"],
    }

    # Progress and heartbeats are best effort: a store that refuses a write for a moment
    # (full disk) must not end a run that can still deliver; its outcome is what counts.
    def progress(step: str, percent: int) -> None:
        with suppress(OSError):
            _update(store, run_id, step=step, percent=percent, heartbeat_at=utcnow().isoformat())

    def beat(sandbox: dict[str, Any]) -> None:
        with suppress(OSError):
            _update(store, run_id, heartbeat_at=utcnow().isoformat(), sandbox=sandbox)

    workdir = store.staging_dir()
    try:
        outcome = run_child(job, lim, workdir, progress, beat, warm=warm)
    except Exception as exc:
        _finish(
            store, run_id, "failed", "internal", f"The demo could not start ({type(exc).__name__})."
        )
        return "failed"
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    if outcome.stderr:
        # For operators only; users see the plain message in the state.
        (store.run_dir(run_id) / "child.log").write_text(outcome.stderr[-20000:], "utf-8")
    if outcome.ok:
        write_json_atomic(store.run_dir(run_id) / "result.json", outcome.result)
        _finish(store, run_id, "succeeded", step="Done", percent=100, sandbox=outcome.sandbox)
        return "succeeded"
    _finish(store, run_id, "failed", outcome.category, outcome.message, sandbox=outcome.sandbox)
    return "failed"
