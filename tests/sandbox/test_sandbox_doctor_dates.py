"""Data Doctor on planted date problems: future and implausible dates, paired dates out of
order, dates outside the quarter or year next to them. Expected counts and rows come from
the planted values, in plain Python."""

from __future__ import annotations

from datetime import date, timedelta

from doctor_data import TODAY, findings, kpi, run_doctor, table


def _quarter(d: date) -> int:
    return (d.month - 1) // 3 + 1


def test_future_old_far_and_out_of_order_dates(tmp_path):
    n = 60
    created = [date(2016, 1, 1) + timedelta(days=i) for i in range(n)]
    closed = [c + timedelta(days=i % 30) for i, c in enumerate(created)]
    for i in (5, 17, 33):
        closed[i] = date(2031, 3, 1 + i % 28)  # after today, less than ten years ahead
    closed[8] = date(2061, 1, 1)  # decades ahead
    created[12] = date(1850, 6, 1)  # before 1900
    for i in (40, 41):
        closed[i] = created[i] - timedelta(days=3)  # closed before created
    closed[50] = None
    expected_close = [TODAY + timedelta(days=1 + i) for i in range(n)]  # planned: may lie ahead
    result = run_doctor(
        tmp_path,
        {"created_date": created, "close_date": closed, "expected_close": expected_close},
        {"created_date": "date", "close_date": "date", "expected_close": "date"},
    )
    far = date(TODAY.year + 10, TODAY.month, TODAY.day)
    year_ahead = date(TODAY.year + 1, TODAY.month, TODAY.day)  # a close date may be expected
    future_rows = [i + 1 for i, d in enumerate(closed) if d and year_ahead < d <= far]
    far_rows = [i + 1 for i, d in enumerate(closed) if d and d > far]
    old_rows = [i + 1 for i, d in enumerate(created) if d < date(1900, 1, 1)]
    order_rows = [
        i + 1 for i, (a, b) in enumerate(zip(created, closed, strict=True)) if b and a > b
    ]
    both = sum(1 for b in closed if b)
    latest = max(d for d in created + closed if d and d <= TODAY)

    (future,) = findings(result, "Future dates")
    assert (future["Column"], future["Cells"]) == ("close_date", len(future_rows))
    assert future["Where"] == "rows " + ", ".join(map(str, future_rows[:3]))
    latest_future = max(closed[i - 1] for i in future_rows)
    assert f"after a year from today ({year_ahead}), up to {latest_future}" in future["Finding"]
    assert f"latest date up to today is {latest}" in future["Finding"]
    (far_found,) = findings(result, "Implausible dates")
    assert (far_found["Column"], far_found["Cells"], far_found["Where"]) == (
        "close_date",
        len(far_rows),
        f"row {far_rows[0]}",
    )
    (old,) = findings(result, "Dates before 1900")
    assert (old["Column"], old["Cells"], old["Where"]) == ("created_date", 1, f"row {old_rows[0]}")
    (order,) = findings(result, "Dates out of order")
    assert order["Column"] == "created_date / close_date"
    assert order["Cells"] == len(order_rows) == 2
    assert order["Where"] == "rows " + ", ".join(map(str, order_rows))
    assert f"{len(order_rows)} of {both} rows" in order["Finding"]
    first = order_rows[0] - 1
    assert f"{created[first]} after {closed[first]}" in order["Finding"]
    # a planned date in the future is no finding
    assert not [f for f in findings(result) if f["Column"] == "expected_close"]
    issues = [r["Issue"] for r in table(result, "Issues")]
    assert future["Finding"] in issues and order["Finding"] in issues
    assert kpi(result, "Findings") == len(findings(result))


def test_a_past_event_cannot_lie_ahead_an_expected_close_may(tmp_path):
    created = [TODAY - timedelta(days=40 - i) for i in range(60)]  # the last 19 are ahead
    closed = [d + timedelta(days=30) for d in created]  # open deals: expected within a year
    result = run_doctor(
        tmp_path,
        {"created": created, "closed": closed},
        {"created": "date", "closed": "date"},
    )
    ahead = [i + 1 for i, d in enumerate(created) if d > TODAY]
    (future,) = findings(result, "Future dates")
    assert (future["Column"], future["Cells"]) == ("created", len(ahead))
    assert future["Where"] == "rows " + ", ".join(map(str, ahead[:3]))
    assert f"after today ({TODAY})" in future["Finding"]


def test_misread_two_digit_years_disagree_with_the_quarter_column(tmp_path):
    """The issue's file: '20-10-16' (20 Oct 2016) read as 2020-10-16 next to 'Q4 2016'."""
    true_dates = [date(2016, 1 + i % 12, 1 + i % 28) for i in range(84)]
    # read year-month-day from day-month-year text: year 20dd, month mm, day 16
    misread = [date(2000 + d.day, d.month, 16) for d in true_dates]
    labels = [f"Q{_quarter(d)} {d.year}" for d in true_dates]
    reading = {
        "type": "date",
        "format": "%y-%m-%d",
        "ambiguous": True,
        "alternatives": ["date:%d-%m-%y"],
        "reason": "We read 20-10-16 as 16 October 2020 (year-month-day).",
        "source": "inferred",
    }
    data = {"Close Date": misread, "Close Quarter": labels, "Amount": [100.0] * len(misread)}
    types = {"Close Date": "date", "Close Quarter": "text", "Amount": "decimal"}
    result = run_doctor(tmp_path, data, types, interpretations={"Close Date": reading})

    mismatch = [
        i + 1
        for i, (d, t) in enumerate(zip(misread, true_dates, strict=True))
        if (d.year, _quarter(d)) != (t.year, _quarter(t))
    ]
    (period,) = findings(result, "Dates vs period")
    assert period["Column"] == "Close Date / Close Quarter"
    assert period["Cells"] == len(mismatch)
    assert period["Where"] == "rows " + ", ".join(map(str, mismatch[:3]))
    i = mismatch[0] - 1
    assert f"{misread[i]} next to '{labels[i]}'" in period["Finding"]
    assert "read the wrong way round" in period["Finding"]
    future = [d for d in misread if d > date(TODAY.year + 1, TODAY.month, TODAY.day)]
    assert findings(result, "Future dates")[0]["Cells"] == len(future)
    (ambiguous,) = findings(result, "Ambiguous reading")
    assert reading["reason"] in ambiguous["Finding"] and "date:%d-%m-%y" in ambiguous["Finding"]
    (misread,) = findings(result, "Likely misread")
    assert misread["Column"] == "Close Date" and "date:%d-%m-%y" in misread["Finding"]
    misread_score = kpi(result, "Quality score")

    # the same file read the right way: no date finding, a high score
    data["Close Date"] = true_dates
    right = run_doctor(tmp_path, data, types)
    assert not findings(right)
    assert kpi(right, "Quality score") >= 90
    assert misread_score <= 60  # the bug: 95


def test_year_column_checked_against_dates_and_shown_without_separators(tmp_path):
    closed = [date(2016, 1 + i % 12, 1 + i % 28) for i in range(36)]
    years = [d.year for d in closed]
    for i in (3, 20, 31):
        years[i] = 2015  # planted: a year that is not the date's year
    result = run_doctor(
        tmp_path,
        {"close_date": closed, "fiscal_year": years},
        {"close_date": "date", "fiscal_year": "integer"},
    )
    expected = [i + 1 for i, (d, y) in enumerate(zip(closed, years, strict=True)) if d.year != y]
    (period,) = findings(result, "Dates vs period")
    assert (period["Cells"], period["Where"]) == (3, "rows " + ", ".join(map(str, expected)))
    assert "fiscal year" not in period["Finding"]  # a shifted fiscal year moves most rows
    assert kpi(result, "Quality score") == round(100 - period["Points lost"])
    profile = {r["Column"]: r for r in table(result, "Column profile")}
    year = profile["fiscal_year"]
    assert (year["Min"], year["Max"], year["Median"], year["Mean"]) == (
        str(min(years)),
        str(max(years)),
        "2016",
        None,
    )


def test_clean_dates_give_no_finding(tmp_path):
    created = [date(2024, 1, 1) + timedelta(days=5 * i) for i in range(40)]
    closed = [c + timedelta(days=7) for c in created]
    result = run_doctor(
        tmp_path,
        {
            "created_at": created,
            "closed_at": closed,
            "quarter": [f"{c.year}-Q{_quarter(c)}" for c in closed],
        },
        {"created_at": "date", "closed_at": "date", "quarter": "text"},
    )
    assert findings(result) == []
    assert kpi(result, "Quality score") == 100


def test_years_and_codes_that_are_no_period_of_the_row(tmp_path):
    """A card's expiry year is no period of the payment; its last four digits are a code."""
    created = [date(2024, 1 + i % 12, 1 + i % 28) for i in range(48)]
    result = run_doctor(
        tmp_path,
        {
            "Created (UTC)": created,
            "Card Exp Year": [2025 + i % 5 for i in range(48)],
            "Card Last4": [f"{(37 * i) % 10000:04d}" for i in range(48)],
            "Report Year": [2030] * 48,  # agrees with no row, shares no word: not compared
        },
        {"Created (UTC)": "date", "Card Exp Year": "integer", "Card Last4": "text",
         "Report Year": "integer"},
    )  # fmt: skip
    assert findings(result, "Dates vs period") == []
    assert findings(result, "Numbers as text") == []


def test_a_quarter_read_as_a_date_is_no_end_date(tmp_path):
    """'Q4 2016' read as 2016-10-01 names a period: an engage date after it is no finding."""
    engaged = [date(2016, 11, 1 + i % 28) for i in range(30)]
    closed = [d + timedelta(days=10) for d in engaged]
    quarter = [date(2016, 10, 1)] * 30
    result = run_doctor(
        tmp_path,
        {"engage_date": engaged, "close_date": closed, "close_quarter": quarter},
        {"engage_date": "date", "close_date": "date", "close_quarter": "date"},
        interpretations={"close_quarter": {"type": "date", "format": "Q%q %Y"}},
    )
    assert findings(result, "Dates out of order") == []
    assert findings(result, "Dates vs period") == []


def test_a_date_outside_a_quarter_read_as_a_date_names_the_quarter(tmp_path):
    """A quarter column read as dates ("2016-Q4" -> 2016-10-01) is shown as its label."""
    closed = [date(2016, 10 + i % 3, 1 + i % 28) for i in range(40)]
    for i in (7, 21):
        closed[i] = date(2017, 2, 3 + i)  # outside the quarter next to it
    quarter = [date(2016, 10, 1)] * 40
    result = run_doctor(
        tmp_path,
        {"close_date": closed, "close_quarter": quarter},
        {"close_date": "date", "close_quarter": "date"},
        interpretations={"close_quarter": {"type": "date", "format": "%Y-Q%q"}},
    )
    (period,) = findings(result, "Dates vs period")
    assert period["Cells"] == 2
    assert period["Where"] == "rows 8, 22"
    assert f"{closed[7]} next to '2016-Q4'" in period["Finding"]
