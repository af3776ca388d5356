"""Ingest parses untrusted files only in the sandbox child, under the run's limits: hostile
files (an XLSX declaring a million rows, a 95 MB JSON array of empty records, a Parquet file
that expands to 1 GB) are bounded; quota counts what is stored; sample cells are cut."""

from __future__ import annotations

import importlib
import io
import resource
import zipfile

import pytest

import sandbox
from sandbox import GB, MB, DatasetStore, IngestError, Limits

# ``sandbox.ingest`` is also the function: reach the modules by their names.
typed = importlib.import_module("sandbox.ingest.typed")
xlsx = importlib.import_module("sandbox.ingest.xlsx")


@pytest.fixture
def store(tmp_path):
    return DatasetStore(tmp_path / "store")


def _not_here(*args, **kwargs):
    raise AssertionError("an uploaded file was parsed in the calling process")


CSV = b"name,amount,closed\nAda,10,2024-01-02\nBob,20,2024-02-03\nCy,30,2024-03-04\n"


def test_ingest_retype_and_sheets_parse_in_the_child_not_here(store, monkeypatch):
    monkeypatch.setattr(typed, "type_columns", _not_here)
    monkeypatch.setattr(typed, "rewrite", _not_here)
    monkeypatch.setattr(xlsx, "read_xlsx_source", _not_here)
    info = sandbox.ingest(store, "o", io.BytesIO(CSV), "deals.csv")
    assert info.rows == 3 and [c.type for c in info.columns] == ["text", "integer", "date"]
    again = sandbox.retype(store, "o", info.id, {"amount": "text"})
    assert [c.type for c in again.columns] == ["text", "text", "date"]
    book = sandbox.ingest(store, "o", io.BytesIO(_workbook()), "book.xlsx")
    assert book.sheet == "Big" and book.rows == 3
    other = sandbox.choose_sheet(store, "o", book.id, "Small")
    assert other.sheet == "Small" and other.rows == 1


def test_a_timeout_while_reading_says_so(store, tmp_path):
    path = tmp_path / "slow.json"
    path.write_bytes(b"[" + b'{"a": 1},' * 3_000_000 + b'{"a": 2}]')
    with pytest.raises(IngestError) as refused:
        sandbox.ingest(store, "o", path, "slow.json", limits=Limits(wall_seconds=1))
    assert refused.value.code == "timeout"
    assert "took longer than we allow (1 s" in refused.value.message
    assert list((store.root / "tmp").iterdir()) == []


# --- XLSX: rows bounded by real cells --------------------------------------------------------

_SHEET = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<dimension ref="A1:XFD1048576"/><sheetData>'
    '<row r="1"><c r="A1" t="inlineStr"><is><t>name</t></is></c>'
    '<c r="B1" t="inlineStr"><is><t>amount</t></is></c></row>'
    '<row r="2"><c r="A2" t="inlineStr"><is><t>Ada</t></is></c></row>'
    "</sheetData></worksheet>"
)


def _declared_huge_xlsx() -> bytes:
    ns = "http://schemas.openxmlformats.org"
    parts = {
        "[Content_Types].xml": (
            f'<Types xmlns="{ns}/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
        ),
        "_rels/.rels": (
            f'<Relationships xmlns="{ns}/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{ns}/officeDocument/2006/relationships/'
            'officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<workbook xmlns="{ns}/spreadsheetml/2006/main" '
            f'xmlns:r="{ns}/officeDocument/2006/relationships"><sheets>'
            '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{ns}/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{ns}/officeDocument/2006/relationships/'
            'worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
        ),
        "xl/worksheets/sheet1.xml": _SHEET,
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in parts.items():
            zf.writestr(name, text)
    return out.getvalue()


def test_xlsx_declaring_a_million_rows_is_read_by_its_three_cells(store):
    data = _declared_huge_xlsx()
    assert len(data) < 2000
    # openpyxl padded every row up to the declared size: at 1,000 allowed rows the old reader
    # refused the file (after padding a thousand rows of 16,384 cells each).
    info = sandbox.ingest(store, "o", io.BytesIO(data), "dim.xlsx", limits=Limits(max_rows=1000))
    assert 1 <= info.rows <= 3
    assert [c.name for c in info.columns] == ["name", "amount"]
    assert info.sample_rows == [["Ada", None]]


def _workbook() -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    big = wb.active
    big.title = "Big"
    for row in (["name", "amount"], ["a", 1], ["b", 2], ["c", 3]):
        big.append(row)
    small = wb.create_sheet("Small")
    for row in (["x"], ["y"]):
        small.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# --- JSON: read record by record ------------------------------------------------------------


def test_95_mb_json_array_of_empty_records_is_refused_without_parsing_it_whole(store, tmp_path):
    path = tmp_path / "empty.json"
    count = 95 * MB // 3
    path.write_bytes(b"[" + b"{}," * (count - 1) + b"{}]")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    # Parsed whole, this array took 2.9 GB; read record by record it fits in 2 GB with room.
    with pytest.raises(IngestError) as refused:
        sandbox.ingest(store, "o", path, "empty.json", limits=Limits(memory_bytes=2 * GB))
    assert refused.value.code == "too_many_rows"
    assert refused.value.message == (
        "The file has more than 10,000,000 rows. Upload a smaller extract."
    )
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - before
    assert grown < 300 * MB  # nothing was parsed in this process


@pytest.mark.parametrize(
    ("data", "rows", "first"),
    [
        (b' [ {"a": 1} ,\n {"a": "x,}y", "b": [1, {"c": 2}]} ] ', 2, "1"),
        (b"[" + b",".join(b'{"a": %d}' % i for i in range(20_000)) + b"]", 20_000, 0),
        (b'[{"a": "' + b"z" * 3_000_000 + b'"}, {"a": 2}]', 2, "z" * 200 + "…"),
    ],
)
def test_json_arrays_read_in_pieces_keep_every_record(store, data, rows, first):
    info = sandbox.ingest(store, "o", io.BytesIO(data), "records.json")
    assert info.rows == rows
    assert info.sample_rows[0][0] == first


def test_records_without_fields_are_not_a_table(store):
    with pytest.raises(IngestError) as refused:
        sandbox.ingest(store, "o", io.BytesIO(b"[{}, {}]"), "e.json")
    assert refused.value.code == "not_tabular" and "no fields" in refused.value.message


# --- Parquet: stored bytes and expansion ------------------------------------------------------


def test_parquet_quota_counts_the_bytes_stored_not_the_upload(store, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "small.parquet"
    words = [f"customer {i % 7} " + "long description " * 20 for i in range(50_000)]
    pq.write_table(pa.table({"note": words, "n": list(range(50_000))}), path, compression="zstd")
    info = sandbox.ingest(store, "o", path, "small.parquet")
    folder = store.dataset_dir("o", info.id)
    assert info.size_bytes == (folder / "data.parquet").stat().st_size
    assert info.size_bytes != path.stat().st_size
    assert sandbox.get_dataset(store, "o", info.id).size_bytes == info.size_bytes


def test_tiny_parquet_expanding_to_1_gb_is_refused_with_a_clear_message(store, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "bomb.parquet"
    big = "x" * (50 * MB)
    table = pa.table({"note": pa.array([big] * 20).dictionary_encode(), "n": list(range(20))})
    pq.write_table(table, path, compression="zstd", compression_level=19)
    del big, table
    assert path.stat().st_size < 10_000
    with pytest.raises(IngestError) as refused:
        sandbox.ingest(store, "o", path, "bomb.parquet", limits=Limits(memory_bytes=2 * GB))
    assert refused.value.code == "too_big"
    assert "needed more than 2 GB of memory" in refused.value.message
    assert list((store.root / "tmp").iterdir()) == []


# --- samples ----------------------------------------------------------------------------------


def test_sample_cells_are_cut_at_200_characters(store):
    long = "é" * 5000
    data = f"name,note\nAda,{long}\nBob,short\n".encode()
    info = sandbox.ingest(store, "o", io.BytesIO(data), "long.csv")
    assert info.sample_rows[0] == ["Ada", "é" * 200 + "…"]
    assert info.sample_rows[1] == ["Bob", "short"]
    stored = sandbox.get_dataset(store, "o", info.id)
    assert stored.sample_rows[0][1] == "é" * 200 + "…"
    assert sandbox.sample_cell(long) == "é" * 200 + "…" and sandbox.sample_cell(3) == 3
