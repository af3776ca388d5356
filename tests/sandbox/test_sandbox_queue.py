"""Queues: progress, bounded concurrency, and RQ on a real Redis."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import sandbox_evil_recipes as evil

from sandbox import Limits, LocalQueue, RQQueue, ingest, make_queue, runner
from sandbox.queue import wait

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent


def test_progress_is_reported_by_the_child(store, queue, small):
    run_id = queue.submit("owner-1", small.id, evil.SlowSteps())
    seen = set()
    while not (status := queue.status(run_id)).done:
        if status.state == "running" and status.step.startswith("Step"):
            seen.add((status.step, status.percent))
        time.sleep(0.05)
    assert status.state == "succeeded"
    assert len(seen) >= 3
    assert all(pct == 10 * int(step.split()[1]) for step, pct in seen)
    assert status.started_at and status.finished_at


def test_pool_runs_at_most_max_workers_at_once(store, small):
    q = LocalQueue(store, Limits(wall_seconds=30), max_workers=1)
    try:
        first = q.submit("owner-1", small.id, evil.SlowSteps())
        second = q.submit("owner-1", small.id, evil.SlowSteps())
        while q.status(first).state != "running":
            time.sleep(0.05)
        assert q.status(second).state == "queued"
        assert wait(q, first).state == "succeeded"
        assert wait(q, second).state == "succeeded"
    finally:
        q.close()


def _spare(limits: Limits, timeout: float = 10.0):
    """The child the queue started ahead (it is started from the pool, so wait for it)."""
    deadline = time.monotonic() + timeout
    while not (spares := runner._spares.get(limits.threads)):
        assert time.monotonic() < deadline, "no child was started ahead"
        time.sleep(0.01)
    return spares[0]


def test_runs_use_a_child_started_ahead_and_the_next_is_started(store, small):
    limits = Limits(wall_seconds=30)
    q = LocalQueue(store, limits, max_workers=1)
    try:
        ahead = _spare(limits)
        status = wait(q, q.submit("owner-1", small.id, "data_doctor"))
        assert status.state == "succeeded"
        assert status.sandbox["child_pid"] == ahead.pid
        # It ran its one job and ends (reaped in the background once its result is out).
        assert ahead.wait(timeout=10) == 0
        following = _spare(limits)
        assert following.pid != ahead.pid and following.poll() is None
    finally:
        q.close()
    assert following.poll() is not None  # closing the queue stops the idle child


def test_the_command_line_reads_the_file_in_a_child_started_ahead_and_keeps_one(store):
    """``python -m sandbox run``: two children wait; reading the file takes one, the run
    the other; a one-shot queue starts none after its run."""
    limits = Limits(wall_seconds=30)
    runner.prestart(limits, 2)
    try:
        ahead = list(runner._spares[limits.threads])
        assert len(ahead) == 2 and all(p.poll() is None for p in ahead)
        rows = [f"D{i},{i * 10}" for i in range(25)]
        data = io.BytesIO(("deal,amount\n" + "\n".join(rows) + "\n").encode())
        info = ingest(store, "o", data, "deals.csv", limits, warm=True)
        assert info.rows == len(rows)
        assert runner._spares[limits.threads] == [ahead[1]]
        assert ahead[0].wait(timeout=10) == 0  # it read the file, then ended
        q = LocalQueue(store, limits, max_workers=1, refill=False)
        try:
            status = wait(q, q.submit("o", info.id, "data_doctor"))
            assert status.state == "succeeded" and status.sandbox["child_pid"] == ahead[1].pid
            q._pool.submit(lambda: None).result()  # the run's thread is done
            assert not runner._spares.get(limits.threads)
        finally:
            q.close()
    finally:
        runner.discard_spares()


def test_a_child_started_ahead_that_died_is_replaced(store, small):
    limits = Limits(wall_seconds=30)
    q = LocalQueue(store, limits, max_workers=1)
    try:
        ahead = _spare(limits)
        ahead.kill()
        ahead.wait()
        status = wait(q, q.submit("owner-1", small.id, "data_doctor"))
        assert status.state == "succeeded"
        assert status.sandbox["child_pid"] != ahead.pid
    finally:
        q.close()


def test_child_started_ahead_has_a_clean_environment(store, small, monkeypatch):
    monkeypatch.setenv("TESTDRIVE_PROBE_SECRET", "do-not-leak")
    limits = Limits(wall_seconds=30)
    q = LocalQueue(store, limits, max_workers=1)
    try:
        _spare(limits)
        status = wait(q, q.submit("owner-1", small.id, evil.EnvProbe()))
        result = q.result(status.run_id)
    finally:
        q.close()
    kpis = {k["label"]: k["value"] for k in result["kpis"]}
    assert kpis == {"leaked": 0, "home_is_workdir": 1}


def test_make_queue_is_local_without_url(store, monkeypatch):
    monkeypatch.delenv("QUEUE_URL", raising=False)
    q = make_queue(store=store)
    assert isinstance(q, LocalQueue)
    q.close()


@pytest.mark.redis
@pytest.mark.skipif(not os.environ.get("TEST_REDIS_URL"), reason="needs TEST_REDIS_URL")
def test_rq_queue_runs_on_a_separate_worker_process(store, small):
    url = os.environ["TEST_REDIS_URL"]
    name = f"sandbox-test-{uuid.uuid4().hex[:8]}"
    q = make_queue(url, store=store, queue_name=name)
    assert isinstance(q, RQQueue)
    run_id = q.submit("owner-1", small.id, "data_doctor")
    second = q.submit("owner-1", small.id, "data_doctor")  # in the child started ahead
    assert q.status(run_id).state == "queued"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(HERE)])}
    worker = subprocess.run(
        [sys.executable, "-m", "sandbox", "worker", "--queue-url", url, "--queue", name, "--burst"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert worker.returncode == 0, worker.stderr
    status = q.status(run_id)
    assert status.state == "succeeded", status.error
    assert q.result(run_id)["recipe"] == "data_doctor"
    assert q.status(second).state == "succeeded"
    assert q.status(second).sandbox["child_pid"] != status.sandbox["child_pid"]
    q.queue.delete(delete_jobs=True)
