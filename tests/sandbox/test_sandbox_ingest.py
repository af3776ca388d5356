"""Ingest: every supported format, type inference, and every bad input leaving nothing behind."""

from __future__ import annotations

import io
import json
import zipfile

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sandbox import IngestError, Limits, ingest
from tests.sandbox.conftest import files_under

TYPED_CSV = (
    "id,price,day,stamp,active,name\n"
    "1,9.5,2024-01-02,2024-01-02 10:00:00,true,Ada\n"
    "2,10,2024-02-03,2024-02-03 11:30:00,false,Ben\n"
)


def types(info):
    return {c.name: c.type for c in info.columns}


def test_csv_types_are_inferred_and_parquet_written(store):
    info = ingest(store, "o", io.BytesIO(TYPED_CSV.encode()), "typed.csv")
    assert types(info) == {
        "id": "integer",
        "price": "decimal",
        "day": "date",
        "stamp": "datetime",
        "active": "boolean",
        "name": "text",
    }
    assert info.rows == 2
    assert info.sample_rows[0] == [1, 9.5, "2024-01-02", "2024-01-02T10:00:00", True, "Ada"]
    table = pq.read_table(store.parquet_path("o", info.id))
    assert table.num_rows == 2
    json.dumps(info.to_dict())


@pytest.mark.parametrize(
    "encoding,prefix",
    [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("utf-16", b""), ("cp1252", b"")],
)
def test_text_encodings(store, encoding, prefix):
    text = "city;amount\nMünchen;1\nZürich – Süd;2\n"
    info = ingest(store, "o", io.BytesIO(prefix + text.encode(encoding)), "cities.csv")
    assert [c.name for c in info.columns] == ["city", "amount"]
    assert [r[0] for r in info.sample_rows] == ["München", "Zürich – Süd"]


def test_tsv_and_missing_header(store):
    info = ingest(store, "o", io.BytesIO(b"1\t2\n3\t4\n"), "nums.tsv")
    assert [c.name for c in info.columns] == ["column_1", "column_2"]
    assert any("No header row" in w for w in info.warnings)


def test_formulas_stay_plain_text(store):
    data = b'name,link\nA,"=HYPERLINK(""http://evil.example"",""click"")"\n'
    info = ingest(store, "o", io.BytesIO(data), "f.csv")
    assert info.sample_rows[0][1] == '=HYPERLINK("http://evil.example","click")'


def test_one_ragged_row_is_skipped_with_a_warning(store):
    rows = "".join(f"{i},{i * 2}\n" for i in range(100))
    data = ("a,b\n" + rows[:20] + "7,8,9\n" + rows[20:]).encode()  # bad row after 5 rows
    info = ingest(store, "o", io.BytesIO(data), "r.csv")
    assert info.rows == 100
    assert info.warnings == ["Skipped 1 row with the wrong number of values (line 7)."]


def xlsx_bytes(sheets: dict[str, list[list]]) -> bytes:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_xlsx_first_and_named_sheet(store):
    import datetime as dt

    data = xlsx_bytes(
        {
            "Deals": [["stage", "amount", "created"], ["Lead", 10, dt.datetime(2024, 1, 2)]],
            "Other": [["x"], ["hello"], ["world"]],
        }
    )
    first = ingest(store, "o", io.BytesIO(data), "book.xlsx")
    assert types(first) == {"stage": "text", "amount": "integer", "created": "date"}
    other = ingest(store, "o", io.BytesIO(data), "book.xlsx", sheet="Other")
    assert other.rows == 2
    with pytest.raises(IngestError) as err:
        ingest(store, "o", io.BytesIO(data), "book.xlsx", sheet="Nope")
    assert err.value.code == "no_sheet" and "Deals, Other" in err.value.message


def test_json_and_ndjson(store):
    records = [{"a": 1, "b": "2024-01-01", "c": {"x": 1}}, {"a": 2, "b": "2024-01-02"}]
    info = ingest(store, "o", io.BytesIO(json.dumps(records).encode()), "r.json")
    assert types(info) == {"a": "integer", "b": "date", "c": "text"}
    nd = "\n".join(json.dumps(r) for r in records).encode()
    assert ingest(store, "o", io.BytesIO(nd), "r.ndjson").rows == 2


def test_parquet(store, tmp_path):
    path = tmp_path / "in.parquet"
    pq.write_table(pa.table({"n": [1, 2, 3], "s": ["a", "b", None]}), path)
    info = ingest(store, "o", path, "in.parquet")
    assert types(info) == {"n": "integer", "s": "text"} and info.rows == 3


def zip_bomb() -> bytes:
    src = zipfile.ZipFile(io.BytesIO(xlsx_bytes({"S": [["a"], [1]]})))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<sheetData>", b"<sheetData>" + b" " * 30_000_000)
            out.writestr(item.filename, data)
    return buf.getvalue()


def malformed_xlsx() -> bytes:
    src = zipfile.ZipFile(io.BytesIO(xlsx_bytes({"S": [["a"], [1]]})))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = b"<worksheet><sheetData><row><c r='A1'"
            out.writestr(item.filename, data)
    return buf.getvalue()


PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
BAD_INPUTS = [
    ("empty", b"", "data.csv", "empty", "empty"),
    ("header only", b"a,b\n", "data.csv", "empty", "no rows"),
    (
        "garbage",
        bytes((i * 7919) % 256 for i in range(5000)),
        "data.csv",
        "not_tabular",
        "not look like text",
    ),
    ("image", PNG, "photo.csv", "not_tabular", "PNG image"),
    ("ragged", b"a,b\n1,2\n1,2,3\n4\n5,6\n", "r.csv", "ragged", "lines 3, 4"),
    ("encoding", b"name,city\nA,\x81\x8d\x8f\x90\nB,x\n", "e.csv", "encoding", "UTF-8"),
    ("deep json", b"[" * 10000 + b"]" * 10000, "deep.json", "too_deep", "nested"),
    ("not records", b"[1, 2, 3]", "n.json", "not_tabular", "list of records"),
    ("bad ndjson", b'{"a": 1}\n{"a": \n', "n.ndjson", "bad_json", "Line 2"),
    ("zip bomb", None, "bomb.xlsx", "zip_bomb", "zip bomb"),
    ("malformed xml", None, "broken.xlsx", "bad_xlsx", "damaged"),
    ("fake xlsx", b"just text", "x.xlsx", "not_tabular", "not a valid xlsx"),
    ("old xls", b"\xd0\xcf\x11\xe0" + b"\0" * 100, "x.xls", "not_tabular", ".xlsx"),
]


@pytest.mark.parametrize("label,data,name,code,words", BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS])
def test_bad_inputs_get_specific_errors_and_leave_nothing(store, label, data, name, code, words):
    if label == "zip bomb":
        data = zip_bomb()
    elif label == "malformed xml":
        data = malformed_xlsx()
    with pytest.raises(IngestError) as err:
        ingest(store, "o", io.BytesIO(data), name)
    assert err.value.code == code
    assert words in err.value.message
    assert "Traceback" not in err.value.message
    assert files_under(store.root) == []


def test_limits_on_size_columns_and_rows(store):
    wide = (",".join(f"c{i}" for i in range(12)) + "\n" + ",".join("1" * 12) + "\n").encode()
    cases = [
        (Limits(max_file_bytes=100), b"a\n" + b"1\n" * 100, "too_large", "larger than 100 bytes"),
        (Limits(max_columns=10), wide, "too_many_columns", "12 columns"),
        (Limits(max_rows=5), b"a\n" + b"1\n" * 6, "too_many_rows", "more than 5 rows"),
    ]
    for limits, data, code, words in cases:
        with pytest.raises(IngestError) as err:
            ingest(store, "o", io.BytesIO(data), "x.csv", limits=limits)
        assert (err.value.code, words in err.value.message) == (code, True)
    assert files_under(store.root) == []


@pytest.mark.parametrize("name", ["../../etc/passwd", "/etc/passwd", "..", "a\\..\\b.csv"])
def test_path_like_file_names_are_refused(store, name):
    with pytest.raises(IngestError) as err:
        ingest(store, "o", io.BytesIO(b"a\n1\n"), name)
    assert err.value.code == "bad_filename"
    assert files_under(store.root) == []


def test_display_name_is_sanitised(store):
    info = ingest(store, "o", io.BytesIO(b"a\n1\n"), "deals\x07 2024.csv")
    assert info.filename == "deals 2024.csv"
