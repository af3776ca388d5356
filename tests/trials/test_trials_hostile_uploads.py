"""Hostile uploads through the trial pages: parsed in the sandbox child under the run's limits,
quota counted on the bytes stored, long cells cut in the preview, a timeout said plainly."""

from __future__ import annotations

import io

import werkzeug.test
from sqlalchemy import select

import sandbox
from portal.models import TrialDataset
from portal.trials.sandbox_gateway import get_store
from tests.trials.conftest import dataset_id_from, files_under, upload


def test_quota_counts_the_bytes_the_dataset_stores_not_the_upload(visitor, lens, app, db):
    import pyarrow as pa
    import pyarrow.parquet as pq

    out = io.BytesIO()
    rows = 20_000
    table = pa.table(
        {
            "Deal": [f"D{i}" for i in range(rows)],
            "Phase": ["Lead", "Demo", "Closed Won", "Closed Lost"] * (rows // 4),
            "Value": [1000 + i % 50 for i in range(rows)],
        }
    )
    pq.write_table(table, out, compression="zstd", compression_level=19)
    data = out.getvalue()
    response = upload(visitor, lens, data, "deals.parquet")
    assert response.status_code == 302
    dataset = db.session.scalar(select(TrialDataset))
    folder = get_store().dataset_dir(dataset.owner_key, dataset.sandbox_id)
    stored = sum(p.stat().st_size for p in folder.iterdir() if p.name != "meta.json")
    assert dataset.size_bytes == stored
    assert dataset.size_bytes != len(data)


def test_preview_cuts_long_cells_at_200_characters(visitor, lens, db):
    long = "Q" * 3000
    csv = f"Deal,Phase,Value,Note\nD1,Lead,1000,{long}\nD2,Demo,2000,short\n".encode()
    ds = dataset_id_from(upload(visitor, lens, csv, "deals.csv"))
    page = visitor.get(f"/try/{lens}?dataset={ds}")
    assert page.status_code == 200
    assert "Q" * 200 + "…" in page.text
    assert "Q" * 201 not in page.text


def test_preview_cuts_cells_stored_before_the_engine_cut_them(visitor, lens, db):
    ds = dataset_id_from(upload(visitor, lens, b"Deal,Phase,Value\nD1,Lead,1000\n", "d.csv"))
    dataset = db.session.scalar(select(TrialDataset))
    store = get_store()
    info = sandbox.get_dataset(store, dataset.owner_key, ds)
    info.sample_rows = [["W" * 5000, "Lead", 1000]]
    sandbox.store.write_json_atomic(
        store.dataset_dir(dataset.owner_key, ds) / "meta.json", info.to_dict()
    )
    page = visitor.get(f"/try/{lens}?dataset={ds}")
    assert "W" * 200 + "…" in page.text and "W" * 201 not in page.text


def test_an_upload_that_reads_too_long_is_refused_with_the_time_limit(
    visitor, lens, app, db, monkeypatch
):
    # Werkzeug's test client spools a body over 500 KB to a temporary file it never closes.
    encode = werkzeug.test.stream_encode_multipart
    monkeypatch.setattr(
        werkzeug.test,
        "stream_encode_multipart",
        lambda *a, **kw: encode(*a, **{**kw, "use_tempfile": False}),
    )
    app.config["SANDBOX_RUN_SECONDS"] = 1
    data = b"[" + b'{"Deal": "D", "Value": 1},' * 2_000_000 + b'{"Deal": "E", "Value": 2}]'
    response = upload(visitor, lens, data, "deals.json")
    assert response.status_code == 422
    assert "Reading this file took longer than we allow (1 s" in response.text
    assert db.session.scalar(select(TrialDataset)) is None
    assert files_under(app.config["SANDBOX_STORE"]) == []
