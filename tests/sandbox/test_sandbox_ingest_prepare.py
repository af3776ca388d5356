"""prepare.build_data_view: text columns cast through their interpretation."""

from __future__ import annotations

import datetime as dt
import io

import duckdb
import pytest

from sandbox import DataProblem, ingest
from sandbox.ingest.typed import visible_sql
from sandbox.prepare import build_data_view
from sandbox.recipes import get_recipe
from sandbox.sql import literal


def data_view(store, info, mapping):
    con = duckdb.connect()
    path = literal(str(store.parquet_path("o", info.id)))
    visible = visible_sql()  # as the run's child does
    con.execute(f"CREATE VIEW raw AS SELECT {visible} FROM read_parquet({path})")
    con.execute(
        f"CREATE VIEW raw_numbered AS SELECT {visible}, file_row_number + 1 AS row_number "
        f"FROM read_parquet({path}, file_row_number = true)"
    )
    columns = [{"name": c.name, "type": c.type, "interpretation": c.interpretation}
               for c in info.columns]  # fmt: skip
    types = {c.name: c.type for c in info.columns}
    build_data_view(con, types, get_recipe("segment_studio"), mapping, columns)
    return con


ROWS = [
    ("c1", "03.02.2024", "1.234,50"),
    ("c2", "28.02.2024", "n/a"),
    ("c1", "01.03.2024", "99,99"),
]


def csv(rows) -> bytes:
    return ("kunde;datum;betrag\n" + "\n".join(";".join(r) for r in rows)).encode()


def test_text_columns_mapped_to_number_and_date_use_their_reading(store):
    # The user said "text" for both; mapped to number/date fields they are still read right.
    info = ingest(store, "o", io.BytesIO(csv(ROWS)), "t.csv",
                  types={"datum": "text", "betrag": "text"})  # fmt: skip
    assert info.column("betrag").type == info.column("datum").type == "text"
    con = data_view(store, info, {"customer": "kunde", "date": "datum", "amount": "betrag"})
    got = con.execute("SELECT customer, date, amount FROM data").fetchall()
    expected = [
        ("c1", dt.date(2024, 2, 3), 1234.5),
        ("c2", dt.date(2024, 2, 28), None),
        ("c1", dt.date(2024, 3, 1), 99.99),
    ]
    assert got == expected


def test_text_that_is_no_number_still_names_the_row(store):
    rows = [*ROWS, ("c3", "02.03.2024", "unpaid")]
    info = ingest(store, "o", io.BytesIO(csv(rows)), "t.csv")
    assert info.column("betrag").type == "text"
    with pytest.raises(DataProblem) as err:
        data_view(store, info, {"customer": "kunde", "date": "datum", "amount": "betrag"})
    assert err.value.message == (
        "Column 'betrag' has text in 1 rows, for example row 4: 'unpaid'. "
        "Map another column or fix the file."
    )
