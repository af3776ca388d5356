"""A workbook with several sheets: the largest table first, another one later without a
new upload; a one-sheet file keeps no copy of the upload."""

from __future__ import annotations

import io

import openpyxl
import pytest

from sandbox import DatasetStore, IngestError, NotFound, choose_sheet, get_dataset, ingest


def _book(sheets: dict[str, list[list]]) -> bytes:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


SHEETS = {
    "Summary": [["Total"], [1234]],
    "Orders": [["Order", "Amount"], *[[f"O{i}", i * 10] for i in range(1, 21)]],
    "Reps": [["Rep", "Team"], ["Ann", "A"], ["Bob", "B"]],
}


@pytest.fixture
def store(tmp_path):
    return DatasetStore(tmp_path / "store")


def test_the_largest_sheet_first_then_another_in_place(store):
    info = ingest(store, "o", io.BytesIO(_book(SHEETS)), "book.xlsx")
    assert (info.sheet, info.rows) == ("Orders", 20)
    assert [(s["name"], s["rows"]) for s in info.sheets][1:] == [("Orders", 20), ("Reps", 2)]
    other = choose_sheet(store, "o", info.id, "Reps")
    assert (other.id, other.sheet, other.rows) == (info.id, "Reps", 2)
    assert [c.name for c in other.columns] == ["Rep", "Team"]
    assert other.expires_at == info.expires_at
    assert get_dataset(store, "o", info.id).sheet == "Reps"
    with pytest.raises(IngestError, match="no sheet named 'Nope'"):
        choose_sheet(store, "o", info.id, "Nope")
    with pytest.raises(NotFound):
        choose_sheet(store, "someone else", info.id, "Orders")


def test_a_single_sheet_keeps_no_copy_of_the_upload(store):
    info = ingest(store, "o", io.BytesIO(_book({"Only": SHEETS["Orders"]})), "one.xlsx")
    folder = store.dataset_dir("o", info.id)
    assert sorted(p.name for p in folder.iterdir()) == ["data.parquet", "meta.json"]
    with pytest.raises(IngestError, match="only one table"):
        choose_sheet(store, "o", info.id, "Only")
