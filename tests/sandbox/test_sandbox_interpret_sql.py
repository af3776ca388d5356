"""cast_sql / invalid_sql in DuckDB over many generated rows: exact values, exact misfits."""

from __future__ import annotations

import random
import re
from datetime import date, datetime, timedelta

import pytest
from interpret_helpers import TODAY, run_sql

from sandbox.interpret import infer_columns, parse_override, stored_type

GERMAN = "Januar Februar März April Mai Juni Juli August September Oktober November Dezember"
FRENCH_ABBR = "janv. févr. mars avr. mai juin juil. août sept. oct. nov. déc."
SPANISH = "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre"


def _days(n: int, seed: int) -> list[date]:
    rng = random.Random(seed)
    return [date(2015, 1, 1) + timedelta(days=rng.randrange(4000)) for _ in range(n)]


def _german_number(x: float) -> str:
    whole, frac = f"{abs(x):,.2f}".split(".")
    return ("-" if x < 0 else "") + whole.replace(",", ".") + "," + frac


DATE_WRITERS = [
    ("%d.%m.%Y", lambda d: d.strftime("%d.%m.%Y")),
    ("%m/%d/%Y", lambda d: f"{d.month}/{d.day}/{d.year}"),
    ("%d-%m-%y", lambda d: d.strftime("%d-%m-%y")),
    ("%d. %B %Y", lambda d: f"{d.day}. {GERMAN.split()[d.month - 1]} {d.year}"),
    ("%d %b %Y", lambda d: f"{d.day} {FRENCH_ABBR.split()[d.month - 1]} {d.year}"),
    ("%d de %B de %Y", lambda d: f"{d.day} de {SPANISH.split()[d.month - 1]} de {d.year}"),
]


@pytest.mark.parametrize(("fmt", "write"), DATE_WRITERS)
def test_dates_cast_exactly_and_misfits_are_flagged(fmt, write):
    days = _days(3000, seed=len(fmt))
    values = [write(d) for d in days]
    values[0] = write(date(2016, 12, 31))  # a day above twelve settles the order
    expected = [date(2016, 12, 31), *days[1:]]
    interp = parse_override(f"date:{fmt}")
    bad = ["32.13.2024", "soon", "2024-02-30", "31/31/2024", "tomorrow 12"]
    nulls = ["n/a", "", None, "—", "#N/A", "  "]
    rows = run_sql(values + bad + nulls, interp)
    assert [r[0] for r in rows[: len(values)]] == expected
    assert [r[1] for r in rows] == [False] * len(values) + [True] * len(bad) + [False] * 6
    assert [r[2] for r in rows[-6:]] == [True] * 6
    assert stored_type(interp) == "DATE"


def test_inferred_german_amounts_cast_exactly_over_many_rows():
    rng = random.Random(7)
    amounts = [round(rng.uniform(-2_000_000, 2_000_000), 2) for _ in range(5000)]
    values = [_german_number(a) for a in amounts]
    values[10] = "1.234,50"  # a thousands group and a decimal comma in one value
    amounts[10] = 1234.5
    sample = values[:2000] + ["n/a", "-"]
    interp = infer_columns({"Betrag (EUR)": sample}, today=TODAY)["Betrag (EUR)"]
    assert (interp.decimal, interp.thousands, interp.currency) == (",", ".", "EUR")
    rows = run_sql(values + ["12.34.56", "1,2,3", "€ 5,00", "5,00 $", "n/a"], interp)
    assert [r[0] for r in rows[:5000]] == pytest.approx(amounts)
    flagged = [v for v, r in zip(values + ["12.34.56", "1,2,3", "€ 5,00", "5,00 $", "n/a"],
                                 rows, strict=True) if r[1]]  # fmt: skip
    assert flagged == ["12.34.56", "1,2,3", "5,00 $"]
    assert rows[-3][0] == 5.0  # the column's own currency is fine


def test_datetimes_with_and_without_seconds_and_dates_alone():
    stamps = [datetime(2010, 12, 1, 8, 26) + timedelta(minutes=37 * i) for i in range(500)]
    values = [s.strftime("%d-%m-%Y %H:%M") for s in stamps]
    values[1] = stamps[1].strftime("%d-%m-%Y %H:%M:%S")
    values[2] = stamps[2].strftime("%d-%m-%Y")
    expected = list(stamps)
    expected[2] = datetime(stamps[2].year, stamps[2].month, stamps[2].day)
    interp = infer_columns({"InvoiceDate": values}, today=TODAY)["InvoiceDate"]
    assert (interp.type, interp.format) == ("datetime", "%d-%m-%Y %H:%M:%S")
    rows = run_sql(values + ["01-12-2010 25:00", "01-13-2010 08:26"], interp)
    assert [r[0] for r in rows[:500]] == expected
    assert [r[1] for r in rows[500:]] == [True, True]
    assert stored_type(interp) == "TIMESTAMP"


@pytest.mark.parametrize(
    ("spec", "values", "expected", "bad"),
    [
        ("integer:decimal=,;thousands=.", ["1.200", "12", "-3.400.000"], [1200, 12, -3400000],
         ["1.2", "12,5", "1.2000"]),
        ("integer:thousands=space", ["1 200", "1\u00a0200", "7"], [1200, 1200, 7], ["1  200"]),
        ("decimal:percent", ["12 %", "12%", "-0.5 %"], [12.0, 12.0, -0.5], ["12 %%", "%"]),
        ("decimal:decimal=,;thousands=.;currency=EUR", ["€ 1.200,50", "1.200,50 €", "EUR 3,00",
         "(3,00 €)", "3,00-"], [1200.5, 1200.5, 3.0, -3.0, -3.0], ["$ 3,00", "3.00", "--3"]),
        ("decimal:thousands=,;currency=USD", ["$1,200.00", "-$3.50", "$-3.50", "USD 7"],
         [1200.0, -3.5, -3.5, 7.0], ["€7", "1,20.00", "1e5", "inf"]),
        ("date:%Y-Q%q", ["2017-Q3", "2018-q4"], [date(2017, 7, 1), date(2018, 10, 1)],
         ["2017-Q5", "2017-Q", "Q3 2017"]),
        ("date:excel", ["45292", "45292.0"], [date(2024, 1, 1), date(2024, 1, 1)], ["45,292", "x"]),
        ("boolean", ["Ja", "NEIN", "oui", "No", "1"], [True, False, True, False, True], ["maybe"]),
    ],
)  # fmt: skip
def test_cast_and_invalid_for_each_kind(spec, values, expected, bad):
    rows = run_sql(values + bad, parse_override(spec))
    assert [r[0] for r in rows[: len(values)]] == pytest.approx(expected) or [
        r[0] for r in rows[: len(values)]
    ] == expected
    assert [r[1] for r in rows] == [False] * len(values) + [True] * len(bad)


def test_text_keeps_values_and_only_its_own_null_tokens():
    interp = infer_columns({"Region": ["EU", "NA", "n/a", "-"]}, today=TODAY)["Region"]
    rows = run_sql(["EU", "NA", "n/a", "-", None], interp)
    assert [r[0] for r in rows] == ["EU", "NA", None, "-", None]
    assert not any(r[1] for r in rows)
    assert stored_type(interp) == "VARCHAR"


@pytest.mark.parametrize(
    ("spec", "values", "expected"),
    [
        ("integer", ["12", " 7 ", "-3", "+4", "(5)", "5-", "12.0", "1e3", "0x10", "1_000", "nan"],
         [12, 7, -3, 4, -5, -5, None, None, None, None, None]),
        ("decimal", ["1.5", ".5", "5.", "1e-3", "(2.5)", "2.5-", " 3 ", "nan", "inf", "1_000"],
         [1.5, 0.5, 5.0, 0.001, -2.5, -2.5, 3.0, None, None, None]),
    ],
)  # fmt: skip
def test_plain_numbers_agree_with_the_pattern_not_with_duckdb_casts(spec, values, expected):
    rows = run_sql(values, parse_override(spec))
    assert [r[0] for r in rows] == expected
    misfits = [e is None and v != "nan" for v, e in zip(values, expected, strict=True)]
    assert [r[1] for r in rows] == misfits  # "nan" is a null token, not a misfit


def test_empty_dates_from_databases_are_nulls_not_misfits():
    values = ["2024-01-31", "0000-00-00", "0000-00-00 00:00:00", None]
    interp = infer_columns({"shipped": values}, today=TODAY)["shipped"]
    assert (interp.type, interp.null_count) == ("date", 3)
    rows = run_sql(values + ["1999-13-01"], interp)
    assert [r[0] for r in rows] == [date(2024, 1, 31), None, None, None, None]
    assert [r[1] for r in rows] == [False, False, False, False, True]
    assert [r[2] for r in rows] == [False, True, True, True, False]


@pytest.mark.parametrize(("fmt", "pattern"), [
    ("%Y-Q%q", r"(\d{4})-Q([1-4])"), ("Q%q %Y", r"Q([1-4]) (\d{4})"),
])  # fmt: skip
def test_the_cheap_quarter_reading_takes_only_four_digit_years(fmt, pattern):
    """fast_cast reads the usual quarter layout cheaply; anything else (a sign, a space, a
    decimal point or an exponent where the year's digits belong) is left to cast_sql."""
    import duckdb

    from sandbox.ingest.fast import fast_cast
    from sandbox.interpret import Interpretation

    good = ["2016", "1999", "2031"]
    bad = ["+016", " 016", "20.6", "2e03", "-201", "0x1f"]
    quarters = ["1", "3", "4", "5"]
    values = [fmt.replace("%Y", y).replace("%q", q) for y in good + bad for q in quarters]
    values += [v.lower() for v in values[:4]]  # "2016-q1": read by cast_sql (any case)

    def expected(text: str) -> date | None:
        m = re.fullmatch(pattern, text.strip(), re.IGNORECASE)
        if not m:
            return None
        year, q = (m[1], m[2]) if fmt.startswith("%Y") else (m[2], m[1])
        return date(int(year), 3 * int(q) - 2, 1)

    expr = fast_cast("t", Interpretation(type="date", format=fmt))
    got = duckdb.execute(f"SELECT {expr} FROM (SELECT unnest($v) AS t)", {"v": values})
    assert [r[0] for r in got.fetchall()] == [expected(v) for v in values]
