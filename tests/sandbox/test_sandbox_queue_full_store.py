"""A full store never leaves a run "queued" or "running" for ever: a run that cannot write its
state fails with a plain message as soon as the store takes writes again. The store is a real
tmpfs filled to the last byte (needs root to mount it)."""

from __future__ import annotations

import io
import os
import subprocess
import time

import pytest
import sandbox_evil_recipes as evil

from sandbox import DatasetStore, Limits, LocalQueue, ingest
from sandbox.execute import STORE_FAILED

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="mounting a tmpfs needs root")


@pytest.fixture
def small_store(tmp_path):
    mountpoint = tmp_path / "store"
    mountpoint.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mountpoint)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    yield DatasetStore(mountpoint)
    subprocess.run(["umount", "-l", str(mountpoint)], check=False)


def fill(folder) -> object:
    """Write zeros until the file system says it is full; return the filler's path."""
    filler = folder / "filler.bin"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        while True:
            os.write(fd, b"\0" * 65536)
    except OSError:
        pass
    finally:
        os.close(fd)
    return filler


def test_runs_queued_while_the_store_is_full_end_failed_once_it_has_room(small_store):
    data = b"name,amount\nA,1\nB,2\nC,3\n"
    dataset = ingest(small_store, "owner-1", io.BytesIO(data), "small.csv")
    queue = LocalQueue(small_store, Limits(wall_seconds=30), max_workers=1, warm=False)
    try:
        first = queue.submit("owner-1", dataset.id, evil.SlowSteps())
        second = queue.submit("owner-1", dataset.id, evil.SlowSteps())
        filler = fill(small_store.root)
        time.sleep(3)  # both runs meet the full store: the first mid-run, the second at start
        filler.unlink()
        deadline = time.monotonic() + 90
        while not all(queue.status(r).done for r in (first, second)):
            assert time.monotonic() < deadline, [queue.status(r).state for r in (first, second)]
            time.sleep(0.2)
        states = {r: queue.status(r) for r in (first, second)}
        # Each run either delivered once the store had room or failed with a plain message.
        for status in states.values():
            assert status.state in ("failed", "succeeded")
            if status.state == "failed":
                assert status.error == STORE_FAILED, status.error
    finally:
        queue.close()
