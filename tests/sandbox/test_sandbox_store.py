"""Store: ownership, deletion, reassignment and retention, checked on disk."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest

from sandbox import (
    NotFound,
    delete_dataset,
    get_dataset,
    ingest,
    list_datasets,
    purge,
    reassign_owner,
)
from sandbox.queue import wait
from tests.sandbox.conftest import files_under

CSV = b"name,amount\nA,1\nB,2\n"


def test_other_owners_cannot_see_a_dataset(store, small):
    assert get_dataset(store, "owner-1", small.id).rows == 3
    with pytest.raises(NotFound):
        get_dataset(store, "intruder", small.id)
    with pytest.raises(NotFound):
        get_dataset(store, "owner-1", "../../etc")


def test_delete_removes_dataset_and_its_results_from_disk(store, queue, small):
    run_id = queue.submit("owner-1", small.id, "data_doctor")
    assert wait(queue, run_id).state == "succeeded"
    assert (store.run_dir(run_id) / "result.json").exists()
    removed = delete_dataset(store, "owner-1", small.id)
    assert set(removed) == {small.id, run_id}
    assert files_under(store.root) == []
    with pytest.raises(NotFound):
        queue.status(run_id)


def test_reassign_moves_a_visitors_data_to_the_new_user(store, queue, small):
    run_id = queue.submit("owner-1", small.id, "data_doctor")
    wait(queue, run_id)
    reassign_owner(store, "owner-1", "user:42")
    assert list_datasets(store, "owner-1") == []
    assert get_dataset(store, "user:42", small.id).owner_key == "user:42"
    assert queue.status(run_id, owner_key="user:42").state == "succeeded"
    with pytest.raises(NotFound):
        queue.status(run_id, owner_key="owner-1")


def test_purge_deletes_only_expired_items(store, queue):
    old = ingest(store, "a", io.BytesIO(CSV), "old.csv")
    run_id = queue.submit("a", old.id, "data_doctor")
    wait(queue, run_id)
    later = old.expires_at + timedelta(hours=1)
    fresh = ingest(store, "b", io.BytesIO(CSV), "fresh.csv")
    fresh_dir = store.dataset_dir("b", fresh.id)
    # move the fresh one's clock forward so it outlives the purge time
    import json

    meta = json.loads((fresh_dir / "meta.json").read_text())
    meta["expires_at"] = (later + timedelta(hours=72)).isoformat()
    (fresh_dir / "meta.json").write_text(json.dumps(meta))

    assert purge(store, old.created_at) == []
    removed = purge(store, later)
    assert {"kind": "dataset", "id": old.id} in removed
    assert {"kind": "run", "id": run_id} in removed
    assert not store.dataset_dir("a", old.id).exists()
    assert not store.run_dir(run_id).exists()
    assert [p.name for p in files_under(store.root)] == ["data.parquet", "meta.json"]
