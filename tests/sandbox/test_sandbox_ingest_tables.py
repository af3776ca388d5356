"""Tables inside messy files: title rows, footer totals, a second table, ragged rows, sheets."""

from __future__ import annotations

import datetime as dt
import io
import random

import openpyxl
import pyarrow.parquet as pq
import pytest

from sandbox import IngestError, ingest
from tests.sandbox.conftest import files_under


def de_number(x: float) -> str:
    """1234.5 -> '1.234,50' (German layout), written independently of the code under test."""
    whole, frac = f"{x:.2f}".split(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    return ".".join(groups) + "," + frac


def messy_csv(n: int = 40, seed: int = 3) -> tuple[bytes, list[float], list[dt.date]]:
    rnd = random.Random(seed)
    amounts = [rnd.randint(100, 99_999_999) / 100 for _ in range(n)]
    days = [dt.date(2023, 1, 1) + dt.timedelta(days=rnd.randint(0, 364)) for _ in range(n)]
    lines = [
        "Report: Opportunities by owner;;;",
        "Exported 2024-03-01;;;",
        ";;;",
        "Owner;Betrag (EUR);Erstellt am;Stage",
    ]
    for i, (a, d) in enumerate(zip(amounts, days, strict=True)):
        lines.append(f"{'Ann' if i % 2 else 'Bob'};{de_number(a)};{d:%d.%m.%Y};Won")
    lines.append(f"Gesamt;{de_number(sum(amounts))};;")
    lines += ["", "Owner;Deals", "Ann;20", "Bob;20"]
    return "\n".join(lines).encode("cp1252"), amounts, days


def test_title_rows_footer_and_second_table_become_notes(store):
    data, amounts, days = messy_csv()
    info = ingest(store, "o", io.BytesIO(data), "export.csv")
    assert info.rows == len(amounts)
    assert [c.name for c in info.columns] == ["Owner", "Betrag (EUR)", "Erstellt am", "Stage"]
    assert [c.type for c in info.columns] == ["text", "decimal", "date", "text"]
    kinds = {n["kind"]: n for n in info.notes}
    assert kinds["title_rows"]["lines"] == [1, 2]
    assert "Report: Opportunities by owner" in kinds["title_rows"]["message"]
    footer_line = 4 + len(amounts) + 1
    assert kinds["footer_total"]["lines"] == [footer_line]
    assert kinds["second_table"]["lines"] == list(range(footer_line + 2, footer_line + 5))
    assert any("Another table starts below" in w for w in info.warnings)
    table = pq.read_table(store.parquet_path("o", info.id)).to_pydict()
    assert table["Betrag (EUR)"] == pytest.approx(amounts)
    assert table["Erstellt am"] == days
    assert info.column("Betrag (EUR)").interpretation["currency"] == "EUR"


def test_second_table_of_another_width_far_below_is_not_ragged(store):
    # Bigger than the head that is parsed, so the byte scan finds the blank line.
    body = [f"D-{i},{i * 3},2024-01-{i % 28 + 1:02d}" for i in range(12_000)]
    tail = ["", "Owner,Deals,Won,Lost", *[f"o{i},{i},{i},{i}" for i in range(806)]]
    data = "\n".join(["id,amount,day", *body, *tail]).encode()
    info = ingest(store, "o", io.BytesIO(data), "two.csv")
    assert info.rows == 12_000
    note = next(n for n in info.notes if n["kind"] == "second_table")
    assert note["lines"][0] == 1 + 12_000 + 2
    assert note["lines"][-1] == 1 + 12_000 + 1 + 1 + 806
    assert not any(n["kind"] == "ragged_rows" for n in info.notes)


def test_a_few_ragged_rows_are_notes_with_line_numbers(store):
    rows = [f"{i},{i * 2},x{i}" for i in range(200)]
    rows[10] = "10,20"  # line 12
    rows[50] = "50,100,x50,extra"  # line 52
    info = ingest(store, "o", io.BytesIO(("a,b,c\n" + "\n".join(rows)).encode()), "r.csv")
    assert info.rows == 198
    note = next(n for n in info.notes if n["kind"] == "ragged_rows")
    assert note["lines"] == [12, 52]
    assert info.warnings == ["Skipped 2 rows with the wrong number of values (lines 12, 52)."]


def test_mostly_ragged_file_is_still_refused(store):
    with pytest.raises(IngestError) as err:
        ingest(store, "o", io.BytesIO(b"a,b\n1,2\n1,2,3\n4\n5,6\n"), "r.csv")
    assert err.value.code == "ragged"
    assert files_under(store.root) == []


def xlsx(sheets: dict[str, list[list]]) -> bytes:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_sheets_listed_largest_preselected_and_choosable(store):
    deals = [["Pipeline report"], [], ["Stage", "Amount", "Created"]]
    deals += [["Won", 10 * i, dt.datetime(2024, 1, i + 1)] for i in range(30)]
    deals += [["Total", sum(10 * i for i in range(30)), None]]
    data = xlsx({"Notes": [["note"], ["hello"]], "Deals": deals, "Small": [["x", "y"], [1, 2]]})
    info = ingest(store, "o", io.BytesIO(data), "book.xlsx")
    assert info.sheet == "Deals"
    assert info.sheets == [
        {"name": "Notes", "rows": 1, "columns": 1},
        {"name": "Deals", "rows": 30, "columns": 3},
        {"name": "Small", "rows": 1, "columns": 2},
    ]
    assert info.rows == 30
    assert {n["kind"]: n["lines"] for n in info.notes} == {"title_rows": [1], "footer_total": [34]}
    assert [c.type for c in info.columns] == ["text", "integer", "date"]
    assert info.column("Amount").interpretation["source"] == "native"
    small = ingest(store, "o", io.BytesIO(data), "book.xlsx", sheet="Small")
    assert (small.sheet, small.rows) == ("Small", 1)


def test_excel_text_cells_are_read_like_csv_text(store):
    rows = [["Kunde", "Umsatz", "Datum"]]
    values = [1200.5, "248.561,77", 99, "1.000,00", None, "n/a"]
    dates = ["20.10.2016", dt.datetime(2016, 10, 21), "22.10.2016", "23.10.2016", "24.10.2016",
             "25.10.2016"]  # fmt: skip
    rows += [[f"K{i}", v, d] for i, (v, d) in enumerate(zip(values, dates, strict=True))]
    info = ingest(store, "o", io.BytesIO(xlsx({"S": rows})), "de.xlsx")
    assert [c.type for c in info.columns] == ["text", "decimal", "date"]
    table = pq.read_table(store.parquet_path("o", info.id)).to_pydict()
    assert table["Umsatz"] == [1200.5, 248561.77, 99.0, 1000.0, None, None]
    assert table["Datum"] == [dt.date(2016, 10, d) for d in range(20, 26)]


def test_a_header_with_a_year_among_the_names_is_still_the_header(store):
    data = b"region,2023,2024\nNorth,10,12\nSouth,7,9\n"
    info = ingest(store, "o", io.BytesIO(data), "years.csv")
    assert [c.name for c in info.columns] == ["region", "2023", "2024"]
    assert info.rows == 2 and [c.type for c in info.columns] == ["text", "integer", "integer"]


def test_rows_of_numbers_only_have_no_header(store):
    info = ingest(store, "o", io.BytesIO(b"1;2\n3;4\n"), "n.csv")
    assert [c.name for c in info.columns] == ["column_1", "column_2"] and info.rows == 2


def test_text_and_numbers_in_the_first_row_without_names_is_data(store):
    info = ingest(store, "o", io.BytesIO(b"Ann,40,2023\nBob,30,2024\n"), "n.csv")
    assert [c.name for c in info.columns] == ["column_1", "column_2", "column_3"]
    assert info.rows == 2
