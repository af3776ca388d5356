"""Column interpretations: inferred from a sample, verified over all rows, stored, re-typed."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections import Counter

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sandbox import IngestError, ingest
from sandbox.ingest import retype
from sandbox.ingest.typed import Part, files_relation, type_columns
from sandbox.store import get_dataset


def column(store, info, name):
    table = pq.read_table(store.parquet_path("o", info.id)).to_pydict()
    assert [c.name for c in info.columns] == [n for n in table if not n.startswith("\x1f")]
    return table[name]


def test_null_tokens_do_not_make_a_column_text(store):
    values = ["12,50", "n/a", "-", "1.234,00", "—", "#N/A", "7,00", ""]
    data = "id;betrag\n" + "\n".join(f"{i};{v}" for i, v in enumerate(values))
    info = ingest(store, "o", io.BytesIO(data.encode()), "n.csv")
    col = info.column("betrag")
    assert col.type == "decimal"
    assert column(store, info, "betrag") == [12.5, None, None, 1234.0, None, None, 7.0, None]
    nulls = sum(1 for v in values if v.strip().lower() in ("n/a", "-", "—", "#n/a", ""))
    assert col.interpretation["null_count"] == nulls == 5
    assert col.profile["nulls"] == nulls
    assert set(col.interpretation["nulls"]) >= {"n/a", "-", "—", "#N/A"}
    assert col.interpretation["reason"]


def test_every_column_has_interpretation_and_profile(store):
    names = ["Ann", "Bob", "Ann", None, "Cy", "Ann", "Bob"]
    amounts = [3, 5, None, 7, 7, 9, 11]
    lines = ["name,amount"] + [
        f"{n or ''},{'' if a is None else a}" for n, a in zip(names, amounts, strict=True)
    ]
    info = ingest(store, "o", io.BytesIO("\n".join(lines).encode()), "p.csv")
    for col, vals in (("name", names), ("amount", amounts)):
        present = [v for v in vals if v is not None]
        counts = Counter(present)
        prof = info.column(col).profile
        assert prof["distinct"] == len(counts)
        assert prof["nulls"] == len(vals) - len(present)
        assert prof["repeats"] == (max(counts.values()) > 1)
        assert dict((v, n) for v, n in prof["top"]) == {str(k): n for k, n in counts.items()}
        assert prof["min"] == str(min(present)) and prof["max"] == str(max(present))
        assert info.column(col).interpretation["type"] == info.column(col).type
    json.dumps(info.to_dict())


def test_misfits_outside_the_sample_are_found_and_re_inferred(tmp_path):
    con = duckdb.connect()
    values = [str(i) for i in range(1000)]
    values[700] = "12.5"  # not in the sample below
    values[900] = "n/a"
    con.execute("CREATE TABLE src AS SELECT unnest($v) AS t0", {"v": values})
    con.execute("CREATE TABLE sample AS SELECT * FROM src WHERE TRY_CAST(t0 AS BIGINT) < 100")
    decided = type_columns(con, [Part("n", "t0")], tmp_path)
    assert decided[0].interp.type == "decimal"
    got = pq.read_table(tmp_path / "data.parquet").to_pydict()["n"]
    expected = [float(v) if v != "n/a" else None for v in values]
    assert got == expected
    # The raw text, kept where the value written out is not that text, rebuilt elsewhere.
    raw = con.execute(f"SELECT r0 FROM {files_relation(tmp_path / 'data.parquet', decided)}")
    assert [r[0] for r in raw.fetchall()] == values


def test_values_that_fit_no_reading_leave_the_column_text(tmp_path):
    con = duckdb.connect()
    values = [f"2024-01-{d % 28 + 1:02d}" for d in range(300)]
    values[250] = "see notes"
    con.execute("CREATE TABLE src AS SELECT unnest($v) AS t0", {"v": values})
    con.execute("CREATE TABLE sample AS SELECT * FROM src WHERE t0 LIKE '2024-%'")
    decided = type_columns(con, [Part("day", "t0")], tmp_path)
    assert decided[0].interp.type == "text"
    assert "see notes" in decided[0].interp.reason
    assert pq.read_table(tmp_path / "data.parquet").to_pydict()["day"] == values


def ambiguous_csv() -> tuple[bytes, list[tuple[int, int]]]:
    pairs = [(d, m) for d, m in [(3, 4), (5, 6), (7, 8), (1, 2), (9, 10), (11, 12)]]
    lines = ["deal,created"] + [f"D{i},{a:02d}/{b:02d}/2024" for i, (a, b) in enumerate(pairs)]
    return "\n".join(lines).encode(), pairs


def test_retype_changes_a_reading_without_the_upload(store):
    data, pairs = ambiguous_csv()
    info = ingest(store, "o", io.BytesIO(data), "amb.csv")
    first = info.column("created").interpretation
    assert first["type"] == "date" and first["ambiguous"] and first["alternatives"]
    month_first = [dt.date(2024, a, b) for a, b in pairs]
    day_first = [dt.date(2024, b, a) for a, b in pairs]
    for spec, expected in (("date:%m/%d/%Y", month_first), ("date:%d/%m/%Y", day_first)):
        new = retype(store, "o", info.id, {"created": spec})
        assert column(store, new, "created") == expected
        assert new.column("created").interpretation["source"] == "user"
        assert (
            get_dataset(store, "o", info.id).column("created").interpretation["format"]
            == (spec.split(":", 1)[1])
        )
    as_text = retype(store, "o", info.id, {"created": "text"})
    assert column(store, as_text, "created") == [f"{a:02d}/{b:02d}/2024" for a, b in pairs]
    back = retype(store, "o", info.id, {"created": "date:%m/%d/%Y"})
    assert column(store, back, "created") == month_first


def test_override_at_ingest_and_misfits_warned(store):
    data = b"code,amount\nA,1.234\nB,2.500\nC,oops\n"
    info = ingest(store, "o", io.BytesIO(data), "o.csv",
                  types={"amount": "decimal:decimal=,;thousands=."})  # fmt: skip
    assert column(store, info, "amount") == [1234.0, 2500.0, None]
    assert any("oops" in w for w in info.warnings)
    with pytest.raises(IngestError) as err:
        ingest(store, "o", io.BytesIO(data), "o.csv", types={"nope": "integer"})
    assert err.value.code == "bad_override"


def test_retype_a_native_excel_number_column_as_serial_dates(store, tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["id", "closed"])
    serials = [45292, 45293, 45322]
    for i, s in enumerate(serials):
        ws.append([i, s])
    buf = io.BytesIO()
    wb.save(buf)
    info = ingest(store, "o", io.BytesIO(buf.getvalue()), "s.xlsx")
    assert info.column("closed").type == "integer"
    new = retype(store, "o", info.id, {"closed": "date:excel"})
    base = dt.date(1899, 12, 30)
    assert column(store, new, "closed") == [base + dt.timedelta(days=s) for s in serials]


def test_json_and_parquet_text_columns_are_interpreted(store, tmp_path):
    recs = [{"n": "1.234,5", "d": "31.12.2023"}, {"n": "2,5", "d": "01.01.2024"}]
    info = ingest(store, "o", io.BytesIO(json.dumps(recs).encode()), "r.json")
    assert column(store, info, "n") == [1234.5, 2.5]
    assert column(store, info, "d") == [dt.date(2023, 12, 31), dt.date(2024, 1, 1)]
    path = tmp_path / "t.parquet"
    pq.write_table(pa.table({"x": [1, 2], "when": ["20-10-16", "21-10-16"]}), path)
    info = ingest(store, "o", path, "t.parquet")
    assert info.column("x").interpretation["source"] == "native"
    assert info.column("when").type == "date"
