"""Fixtures for the sandbox engine tests: a real store on disk and real child processes."""

from __future__ import annotations

import io

import pytest

from sandbox import DatasetStore, Limits, LocalQueue, ingest

FAST = Limits(wall_seconds=30, cpu_seconds=30)


@pytest.fixture
def store(tmp_path):
    return DatasetStore(tmp_path / "store")


@pytest.fixture
def queue(store):
    q = LocalQueue(store, FAST, max_workers=2)
    yield q
    q.close()


@pytest.fixture
def small(store):
    data = b"name,amount,day\nA,1.5,2024-01-01\nB,2,2024-01-02\nC,3,2024-01-03\n"
    return ingest(store, "owner-1", io.BytesIO(data), "small.csv")


def files_under(path) -> list:
    return sorted(p for p in path.rglob("*") if p.is_file())
