"""Date and datetime layouts: each is recognised and cast to exactly the dates written."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from interpret_helpers import TODAY, invalid, typed

from sandbox.interpret import infer_columns

D, T = date, datetime

# (header, raw values, type, format, the values as a person reads them)
LAYOUTS = [
    ("day", ["2024-01-05", "2024-12-31"], "date", "%Y-%m-%d", [D(2024, 1, 5), D(2024, 12, 31)]),
    ("day", ["31/01/2024", "1/2/2024"], "date", "%d/%m/%Y", [D(2024, 1, 31), D(2024, 2, 1)]),
    ("day", ["01/31/2024", "2/1/2024"], "date", "%m/%d/%Y", [D(2024, 1, 31), D(2024, 2, 1)]),
    ("day", ["31.01.2024", "01.02.2024"], "date", "%d.%m.%Y", [D(2024, 1, 31), D(2024, 2, 1)]),
    ("day", ["31-01-24", "01-02-24"], "date", "%d-%m-%y", [D(2024, 1, 31), D(2024, 2, 1)]),
    ("day", ["12/31/99", "1/2/00"], "date", "%m/%d/%y", [D(1999, 12, 31), D(2000, 1, 2)]),
    (
        "when",
        ["01-12-2010 08:26", "13-12-2010 18:05"],
        "datetime",
        "%d-%m-%Y %H:%M",
        [T(2010, 12, 1, 8, 26), T(2010, 12, 13, 18, 5)],
    ),
    (
        "when",
        ["12/1/2010 8:26 AM", "12/13/2010 10:01 PM"],
        "datetime",
        "%m/%d/%Y %I:%M %p",
        [T(2010, 12, 1, 8, 26), T(2010, 12, 13, 22, 1)],
    ),
    (
        "when",
        ["2024-03-01 10:00:05", "2024-03-02 23:59:59"],
        "datetime",
        "%Y-%m-%d %H:%M:%S",
        [T(2024, 3, 1, 10, 0, 5), T(2024, 3, 2, 23, 59, 59)],
    ),
    (
        "when",
        ["2024-03-01T10:00:05", "2024-03-02T23:59:59"],
        "datetime",
        "%Y-%m-%dT%H:%M:%S",
        [T(2024, 3, 1, 10, 0, 5), T(2024, 3, 2, 23, 59, 59)],
    ),
    (
        "when",
        ["2024-03-01T10:00:05Z", "2024-03-02T23:59:59.250Z"],
        "datetime",
        "%Y-%m-%dT%H:%M:%S.%fZ",
        [T(2024, 3, 1, 10, 0, 5), T(2024, 3, 2, 23, 59, 59, 250000)],
    ),
    (
        "Created at",
        ["2023-05-01 10:15:00 -0400", "2023-05-02 23:10:00 +0200"],
        "datetime",
        "%Y-%m-%d %H:%M:%S %z",
        [T(2023, 5, 1, 10, 15), T(2023, 5, 2, 23, 10)],
    ),
    (
        "mixed",
        ["2024-03-01 10:00", "2024-03-02 10:00:30", "2024-03-03"],
        "datetime",
        "%Y-%m-%d %H:%M:%S",
        [T(2024, 3, 1, 10), T(2024, 3, 2, 10, 0, 30), T(2024, 3, 3)],
    ),
    ("midnight", ["2024-03-01 00:00:00", "2024-03-02 00:00:00"], "date", "%Y-%m-%d %H:%M:%S",
     [D(2024, 3, 1), D(2024, 3, 2)]),
    ("Month", ["Jan 1949", "Feb 1949", "Dec 1960"], "date", "%b %Y",
     [D(1949, 1, 1), D(1949, 2, 1), D(1960, 12, 1)]),
    ("Month", ["January 2020", "September 2021"], "date", "%B %Y", [D(2020, 1, 1), D(2021, 9, 1)]),
    ("Month", ["2020-01", "2020-12"], "date", "%Y-%m", [D(2020, 1, 1), D(2020, 12, 1)]),
    ("Month", ["01/2020", "12/2020"], "date", "%m/%Y", [D(2020, 1, 1), D(2020, 12, 1)]),
    ("Quarter", ["2017-Q3", "2018-Q1"], "date", "%Y-Q%q", [D(2017, 7, 1), D(2018, 1, 1)]),
    ("Quarter", ["Q3 2017", "Q4 2018"], "date", "Q%q %Y", [D(2017, 7, 1), D(2018, 10, 1)]),
    ("day", ["15-Jan-2023", "03-Feb-2023"], "date", "%d-%b-%Y", [D(2023, 1, 15), D(2023, 2, 3)]),
    ("day", ["January 5, 2020", "March 15, 2021"], "date", "%B %d, %Y",
     [D(2020, 1, 5), D(2021, 3, 15)]),
    ("day", ["5 Jan 2020", "15 Mar. 2021"], "date", "%d %b %Y", [D(2020, 1, 5), D(2021, 3, 15)]),
    ("day", ["5 Jan, 2020", "15 Sept, 2021"], "date", "%d %b, %Y", [D(2020, 1, 5), D(2021, 9, 15)]),
    ("day", ["Mon, 15 Jan 2024", "Thu, 1 Feb 2024"], "date", "%a, %d %b %Y",
     [D(2024, 1, 15), D(2024, 2, 1)]),
    ("day", ["Tue Jan 16 2024", "Sat Feb 3 2024"], "date", "%a %b %d %Y",
     [D(2024, 1, 16), D(2024, 2, 3)]),
    ("Datum", ["Montag, 3. März 2025", "Dienstag, 4. März 2025"], "date", "%a, %d. %B %Y",
     [D(2025, 3, 3), D(2025, 3, 4)]),
    ("sent", ["Tue, 01 Dec 2026 10:00:00 +0000", "Wed, 02 Dec 2026 23:59:01 +0100"],
     "datetime", "%a, %d %b %Y %H:%M:%S %z",
     [T(2026, 12, 1, 10), T(2026, 12, 2, 23, 59, 1)]),
    ("Zeit", ["2024-01-05 13:52:35 CET", "2024-07-05 13:52:35 CEST", "2024-07-06 01:00:00 UTC"],
     "datetime", "%Y-%m-%d %H:%M:%S %Z",
     [T(2024, 1, 5, 13, 52, 35), T(2024, 7, 5, 13, 52, 35), T(2024, 7, 6, 1)]),
    ("when", ["1/5/2024 10:00 PM PST", "1/6/2024 9:00 AM PST"], "datetime",
     "%m/%d/%Y %I:%M %p %Z", [T(2024, 1, 5, 22), T(2024, 1, 6, 9)]),
    ("Month", ["Jan2020", "Dec2021"], "date", "%b%Y", [D(2020, 1, 1), D(2021, 12, 1)]),
    ("Month", ["Jan-20", "Feb-21"], "date", "%b-%y", [D(2020, 1, 1), D(2021, 2, 1)]),
    ("when", ["Jan 31, 2024 02:30 PM", "Feb 1, 2024 11:05 AM"], "datetime", "%b %d, %Y %I:%M %p",
     [T(2024, 1, 31, 14, 30), T(2024, 2, 1, 11, 5)]),
]  # fmt: skip

# Month names in seven languages, full and abbreviated, with/without dot, any case, accents.
LANGUAGES = [
    ("Datum", ["3. März 2024", "15. Januar 2023", "1. Dezember 2022"], "%d. %B %Y",
     [D(2024, 3, 3), D(2023, 1, 15), D(2022, 12, 1)]),
    ("Datum", ["3. Mrz. 2024", "15. Okt. 2023", "1. Dez. 2022"], "%d. %b %Y",
     [D(2024, 3, 3), D(2023, 10, 15), D(2022, 12, 1)]),
    ("date", ["15 janv. 2023", "1 févr. 2024", "30 août 2024", "2 déc. 2020"], "%d %b %Y",
     [D(2023, 1, 15), D(2024, 2, 1), D(2024, 8, 30), D(2020, 12, 2)]),
    ("date", ["15 janvier 2023", "1 février 2024", "14 juillet 2024"], "%d %B %Y",
     [D(2023, 1, 15), D(2024, 2, 1), D(2024, 7, 14)]),
    ("fecha", ["1 de marzo de 2024", "20 de diciembre de 2023", "5 de enero de 2022"],
     "%d de %B de %Y", [D(2024, 3, 1), D(2023, 12, 20), D(2022, 1, 5)]),
    ("fecha", ["1-ene-2024", "20-dic-2023", "5-ago-2022"], "%d-%b-%Y",
     [D(2024, 1, 1), D(2023, 12, 20), D(2022, 8, 5)]),
    ("data", ["1 gennaio 2024", "20 dicembre 2023", "5 maggio 2022"], "%d %B %Y",
     [D(2024, 1, 1), D(2023, 12, 20), D(2022, 5, 5)]),
    ("datum", ["1 maart 2024", "20 mei 2023", "5 oktober 2022"], "%d %B %Y",
     [D(2024, 3, 1), D(2023, 5, 20), D(2022, 10, 5)]),
    ("data", ["1 de fevereiro de 2024", "20 de março de 2023", "5 de outubro de 2022"],
     "%d de %B de %Y", [D(2024, 2, 1), D(2023, 3, 20), D(2022, 10, 5)]),
    ("Monat", ["MÄRZ 2024", "april 2024", "Mai 2024"], "%B %Y",
     [D(2024, 3, 1), D(2024, 4, 1), D(2024, 5, 1)]),
    ("mois", ["juin 2024", "juil. 2024", "sept. 2024"], "%b %Y",
     [D(2024, 6, 1), D(2024, 7, 1), D(2024, 9, 1)]),
]  # fmt: skip


def _check(header, values, kind, fmt, expected):
    interp = infer_columns({header: values}, today=TODAY)[header]
    assert (interp.type, interp.format) == (kind, fmt), interp.reason
    assert typed(values, interp) == expected
    assert invalid(values, interp) == []
    assert interp.reason


@pytest.mark.parametrize(("header", "values", "kind", "fmt", "expected"), LAYOUTS)
def test_every_common_layout_is_read_as_written(header, values, kind, fmt, expected):
    _check(header, values, kind, fmt, expected)


@pytest.mark.parametrize(("header", "values", "fmt", "expected"), LANGUAGES)
def test_month_names_in_seven_languages(header, values, fmt, expected):
    _check(header, values, "date", fmt, expected)


def test_excel_serial_days_only_under_a_date_header():
    values = ["45292", "45293", "45658"]
    expected = [D(2024, 1, 1), D(2024, 1, 2), D(2025, 1, 1)]
    _check("Rechnungsdatum", values, "date", "excel", expected)
    assert infer_columns({"Quantity": values}, today=TODAY)["Quantity"].type == "integer"


def test_excel_serials_with_a_fraction_are_datetimes():
    values = ["45292.5", "45293.25"]
    _check("created date", values, "datetime", "excel", [T(2024, 1, 1, 12), T(2024, 1, 2, 6)])


def test_excel_serials_outside_a_plausible_range_are_numbers():
    interp = infer_columns({"date": ["12345", "45292"]}, today=TODAY)["date"]
    assert interp.type == "integer"


def test_compact_dates_need_a_date_header():
    _check(
        "Belegdatum", ["20240131", "20240201"], "date", "%Y%m%d", [D(2024, 1, 31), D(2024, 2, 1)]
    )
    assert infer_columns({"ref": ["20240131", "20240201"]}, today=TODAY)["ref"].type == "integer"


def test_values_that_are_not_dates_are_flagged_by_invalid_sql():
    header, values = "day", ["31.01.2024", "01.02.2024", "n/a", "", None, "—"]
    interp = infer_columns({header: values}, today=TODAY)[header]
    assert interp.type == "date" and interp.null_count == 4
    assert set(interp.nulls) == {"n/a", "—"}
    full = [*values, "32.01.2024", "31.02.2024", "soon", "2024-01-31"]
    assert invalid(full, interp) == ["32.01.2024", "31.02.2024", "soon", "2024-01-31"]
    assert typed(full, interp)[:6] == [D(2024, 1, 31), D(2024, 2, 1), None, None, None, None]


def test_an_impossible_day_rules_a_layout_out():
    values = ["31/13/2024"]
    assert infer_columns({"day": values}, today=TODAY)["day"].type == "text"


def test_mixed_layouts_in_one_column_are_text():
    values = ["2024-01-31", "31.01.2024"]
    assert infer_columns({"day": values}, today=TODAY)["day"].type == "text"
