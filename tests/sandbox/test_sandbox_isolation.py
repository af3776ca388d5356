"""Each limit broken by a real misbehaving recipe in a real child process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sandbox_evil_recipes as evil

from sandbox import GB, Limits, LocalQueue
from sandbox.queue import wait

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent


def run(store, small, recipe, limits=None, timeout=60):
    q = LocalQueue(store, limits or Limits(wall_seconds=30, cpu_seconds=30), max_workers=1)
    try:
        run_id = q.submit("owner-1", small.id, recipe)
        return q, wait(q, run_id, timeout=timeout)
    finally:
        q.close()


def test_memory_hog_fails_with_memory_reason(store, small):
    _, status = run(store, small, evil.MemoryHog(), Limits(memory_bytes=2 * GB, wall_seconds=30))
    assert status.state == "failed"
    assert status.error_category == "memory"
    assert status.error == "The demo needed more than 2 GB of memory."


def test_endless_loop_hits_cpu_limit(store, small):
    _, status = run(store, small, evil.EndlessLoop(), Limits(cpu_seconds=2, wall_seconds=30))
    assert (status.state, status.error_category) == ("failed", "timeout")
    assert status.error == "The demo used more than 2 s of processor time."


def test_sleeping_run_hits_wall_clock_limit(store, small):
    started = time.monotonic()
    _, status = run(store, small, evil.Sleeper(), Limits(wall_seconds=3))
    assert (status.state, status.error_category) == ("failed", "timeout")
    assert status.error == "The demo took longer than 3 s."
    assert time.monotonic() - started < 20
    pid = status.sandbox["child_pid"]
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


@pytest.mark.parametrize(
    "recipe", [evil.ReadPasswdText(), evil.SniffPasswd(), evil.ReadCsvPasswd()]
)
def test_sql_cannot_read_etc_passwd(store, small, recipe):
    _, status = run(store, small, recipe)
    assert (status.state, status.error_category) == ("failed", "forbidden")
    assert "outside its own dataset" in status.error


def test_sql_cannot_read_another_parquet_file(store, small):
    """The child may read its own dataset and nothing else, even another dataset's file."""
    import duckdb

    duckdb.sql(f"COPY (SELECT 42 AS secret) TO '{evil.OTHER_PARQUET}' (FORMAT parquet)")
    try:
        _, status = run(store, small, evil.ReadOtherParquet())
    finally:
        Path(evil.OTHER_PARQUET).unlink()
    assert (status.state, status.error_category) == ("failed", "forbidden")
    assert "outside its own dataset" in status.error


def test_own_dataset_is_read_only(store, small):
    parquet = store.parquet_path("owner-1", small.id)
    before = parquet.read_bytes()
    _, status = run(store, small, evil.OverwriteOwnDataset())
    assert (status.state, status.error_category) == ("failed", "forbidden")
    assert parquet.read_bytes() == before


def test_writing_a_file_is_blocked(store, small):
    target = Path(evil.WRITE_TARGET)
    target.unlink(missing_ok=True)
    _, status = run(store, small, evil.WriteFile())
    assert (status.state, status.error_category) == ("failed", "forbidden")
    assert status.error == "The demo tried to write a file, which demos are not allowed to do."
    assert not target.exists()


def test_opening_a_socket_is_blocked(store, small):
    _, status = run(store, small, evil.OpenSocket())
    assert (status.state, status.error_category) == ("failed", "forbidden")
    assert "network" in status.error


def test_child_gets_its_own_empty_network_namespace(store, small):
    q, status = run(store, small, evil.NetProbe())
    assert status.state == "succeeded", status.error
    if status.sandbox["network"] != "namespace":
        pytest.skip(f"no network namespace here: {status.sandbox['network']}")
    kpis = {k["label"]: k["value"] for k in q.result(status.run_id)["kpis"]}
    assert kpis["interfaces"] == "lo"


def test_recipe_exception_is_an_internal_failure_without_details(store, small):
    q, status = run(store, small, evil.Boom())
    assert (status.state, status.error_category) == ("failed", "internal")
    assert "ValueError" in status.error
    assert "secret internal detail" not in status.error
    assert "Traceback" not in status.error
    assert "secret internal detail" in (store.run_dir(status.run_id) / "child.log").read_text()


def test_worker_survives_a_failed_run_and_runs_the_next(store, small):
    q = LocalQueue(store, Limits(wall_seconds=30), max_workers=1)
    try:
        bad = q.submit("owner-1", small.id, evil.Boom())
        good = q.submit("owner-1", small.id, "data_doctor")
        assert wait(q, bad).state == "failed"
        assert wait(q, good).state == "succeeded"
        assert q.result(good)["rows"] == 3
    finally:
        q.close()


WORKER_SCRIPT = """
import sys, time
from sandbox import DatasetStore, Limits, LocalQueue
import sandbox_evil_recipes as evil
store = DatasetStore(sys.argv[1])
q = LocalQueue(store, Limits(wall_seconds=60), max_workers=1)
run_id = q.submit("owner-1", sys.argv[2], evil.VerySlow())
while q.status(run_id).percent < 10:
    time.sleep(0.1)
print(run_id, flush=True)
time.sleep(600)
"""


def test_worker_dying_mid_run_leaves_the_run_failed(store, small):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(HERE)])}
    proc = subprocess.Popen(
        [sys.executable, "-c", WORKER_SCRIPT, str(store.root), small.id],
        stdout=subprocess.PIPE,
        env=env,
        text=True,
    )
    run_id = proc.stdout.readline().strip()
    q = LocalQueue(store, heartbeat_timeout=2.0, max_workers=1)
    try:
        assert q.status(run_id).state == "running"
        child = q.status(run_id).sandbox["child_pid"]
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
        status = wait(q, run_id, timeout=20)
        assert (status.state, status.error_category) == ("failed", "worker_lost")
        assert "worker running it went away" in status.error
        time.sleep(0.5)
        with pytest.raises(ProcessLookupError):
            os.kill(child, 0)  # the sandbox child died with its parent
    finally:
        q.close()
