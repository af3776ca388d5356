"""Column readings in words, the same-layout rule, and label-like numbers shown as written."""

from __future__ import annotations

import pytest

from portal.trials.formatting import cell, kpi_value
from portal.trials.readings import ColumnReading, reading_label, with_same_layout


@pytest.mark.parametrize(
    ("spec", "words"),
    [
        ("text", "Text"),
        ("boolean", "Yes / no"),
        ("date:%d-%m-%y", "Date, day-month-year (31-12-16)"),
        ("date:%m/%d/%Y", "Date, month-day-year (12/31/2016)"),
        ("date:%Y-%m-%d", "Date, year-month-day (2016-12-31)"),
        ("date:%b %Y", "Date, month-year (Dec 2016)"),
        ("date:%Y-Q%q", "Date, year-quarter (2016-Q4)"),
        ("datetime:%d.%m.%Y %H:%M", "Date and time, day-month-year (31.12.2016 13:45)"),
        ("date:excel", "Date from Excel day numbers (42735 = 31 Dec 2016)"),
        ("integer", "Whole number (1234)"),
        ("integer:thousands=space", "Whole number (1 234)"),
        ("decimal:decimal=,;thousands=.;currency=EUR", "Number (1.234,56, decimal comma, EUR)"),
        ("decimal:decimal=.;thousands=,", "Number (1,234.56, decimal point)"),
        ("decimal:decimal=.;percent", "Number (1234.56, decimal point, percent)"),
    ],
)
def test_a_reading_in_words(spec, words):
    assert reading_label(spec) == words


def _reading(index: int, name: str, spec: str) -> ColumnReading:
    return ColumnReading(
        index=index,
        name=name,
        type=spec.partition(":")[0],
        spec=spec,
        label=reading_label(spec),
        reason="",
        ambiguous=False,
        changed_by_user=False,
        empty_cells=0,
        empty_markers=[],
    )


def test_date_columns_read_in_the_same_layout_follow_a_change():
    readings = [
        _reading(0, "Created", "date:%d/%m/%Y"),
        _reading(1, "Closed", "date:%d/%m/%Y"),
        _reading(2, "Paid", "date:%Y-%m-%d"),
        _reading(3, "Amount", "decimal:decimal=."),
    ]
    assert with_same_layout(readings, {"Created": "date:%m/%d/%Y"}) == {
        "Created": "date:%m/%d/%Y",
        "Closed": "date:%m/%d/%Y",
    }
    # A column the person set themselves keeps their choice.
    assert with_same_layout(readings, {"Created": "date:%m/%d/%Y", "Closed": "text"}) == {
        "Created": "date:%m/%d/%Y",
        "Closed": "text",
    }
    # Numbers have no "same layout" rule: only the column named changes.
    assert with_same_layout(readings, {"Amount": "decimal:decimal=,"}) == {
        "Amount": "decimal:decimal=,"
    }


def test_years_and_ids_are_shown_as_written():
    assert cell(2016.0, "year") == "2016"
    assert cell(10023, "id") == "10023"
    assert cell(2016.0) == "2,016"
    assert cell(None, "year") == "—"
    assert kpi_value({"value": 2031, "unit": "", "format": "year"}) == "2031"
    assert kpi_value({"value": 2031, "unit": ""}) == "2,031"


# --- changing a reading through the page -------------------------------------------------

EU_DEALS = (
    "Deal;Phase;Betrag (EUR);Erstellt am;Abschlussdatum\n"
    "D1;Lead;1.000,50;02.01.2024;\n"
    "D2;Closed Won;2.500,00;15.01.2024;20.02.2024\n"
    "D3;Closed Won;n/a;03.02.2024;28.03.2024\n"
)


def _upload_eu(visitor, lens) -> str:
    from tests.trials.conftest import dataset_id_from, upload

    return dataset_id_from(upload(visitor, lens, EU_DEALS.encode(), "deals-de.csv"))


def _badges(page_text: str) -> list[str]:
    import re

    head = page_text.split("<thead>", 1)[1].split("</thead>", 1)[0]
    return re.findall(r'<span class="badge[^"]*">(\w+)</span>', head)


def test_the_preview_says_how_each_column_was_read(visitor, lens):
    ds = _upload_eu(visitor, lens)
    page = visitor.get(f"/try/{lens}?dataset={ds}").text
    assert _badges(page) == ["text", "text", "decimal", "date", "date"]
    assert "Number (1.234,56, decimal comma, EUR)" in page
    assert "Date, day-month-year (31.12.2016)" in page
    assert "(written as ‘n/a’)" in page


def test_a_column_read_another_way_without_a_new_upload(visitor, lens, app):
    ds = _upload_eu(visitor, lens)
    response = visitor.post(
        f"/try/{lens}/datasets/{ds}/columns", data={"read_3": "text", "read_4": "text"}
    )
    assert response.status_code == 302
    page = visitor.get(response.headers["Location"]).text
    assert "now read as you chose" in page
    assert _badges(page) == ["text", "text", "decimal", "text", "text"]
    assert "02.01.2024" in page  # the text as written, back from the kept raw values


def test_a_layout_that_is_not_one_is_refused_and_nothing_changes(visitor, lens):
    ds = _upload_eu(visitor, lens)
    response = visitor.post(
        f"/try/{lens}/datasets/{ds}/columns", data={"custom_3": "date:%Q nonsense"}
    )
    assert response.status_code == 422
    assert 'class="alert alert-danger' in response.text or "invalid-feedback" in response.text
    page = visitor.get(f"/try/{lens}?dataset={ds}").text
    assert _badges(page) == ["text", "text", "decimal", "date", "date"]


def test_changing_a_reading_needs_the_csrf_token(visitor, lens):
    ds = _upload_eu(visitor, lens)
    response = visitor.post(
        f"/try/{lens}/datasets/{ds}/columns", data={"read_3": "text"}, csrf=False
    )
    assert response.status_code in (400, 422)
    page = visitor.get(f"/try/{lens}?dataset={ds}").text
    assert _badges(page)[3] == "date"


# --- another sheet of a workbook -----------------------------------------------------------


def _workbook() -> bytes:
    import io

    import openpyxl

    wb = openpyxl.Workbook()
    notes = wb.active
    notes.title = "Notes"
    notes.append(["Exported from the CRM"])
    deals = wb.create_sheet("Deals")
    deals.append(["Deal", "Stage", "Amount", "Created"])
    for i in range(1, 13):
        deals.append([f"D{i}", "Lead", 100 * i, f"2024-01-{i:02d}"])
    owners = wb.create_sheet("Owners")
    owners.append(["Owner", "Region"])
    for name in ("Ann", "Bob", "Cid"):
        owners.append([name, "EMEA"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_another_sheet_is_read_without_a_new_upload(visitor, lens):
    from tests.trials.conftest import dataset_id_from, upload

    ds = dataset_id_from(upload(visitor, lens, _workbook(), "crm.xlsx"))
    page = visitor.get(f"/try/{lens}?dataset={ds}").text
    assert "12 rows, 4 columns" in page  # the largest table, preselected
    assert "Owners (3 rows, 2 columns)" in page
    response = visitor.post(f"/try/{lens}/datasets/{ds}/sheet", data={"sheet": "Owners"})
    assert response.status_code == 303
    page = visitor.get(response.headers["Location"]).text
    assert "Now reading sheet &#39;Owners&#39;: 3 rows." in page
    assert "3 rows, 2 columns" in page
    response = visitor.post(f"/try/{lens}/datasets/{ds}/sheet", data={"sheet": "Nope"})
    assert response.status_code == 303
    assert "3 rows, 2 columns" in visitor.get(response.headers["Location"]).text


def test_a_csv_has_no_sheet_to_choose(visitor, lens):
    ds = _upload_eu(visitor, lens)
    assert 'id="sheet-form"' not in visitor.get(f"/try/{lens}?dataset={ds}").text
    response = visitor.post(f"/try/{lens}/datasets/{ds}/sheet", data={"sheet": "Deals"})
    assert response.status_code == 303
