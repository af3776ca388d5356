"""Ambiguous dates are settled by evidence from the whole table, or flagged as a guess."""

from __future__ import annotations

from datetime import date, timedelta

from interpret_helpers import TODAY, typed

from sandbox.interpret import infer_columns


def _dmy2(d: date) -> str:
    return d.strftime("%d-%m-%y")


def _dmy(d: date) -> str:
    return d.strftime("%d/%m/%Y")


def test_two_digit_year_settled_by_a_quarter_column():
    # The bug from the field: 20-10-16 was read as 2020-10-16 beside a "Q4 2016" column.
    days = [date(2016, 10, 20), date(2016, 11, 5), date(2016, 12, 12), date(2016, 10, 1)]
    days += [date(2016, 11, 15), date(2016, 12, 3)]
    cols = {"Close Date": [_dmy2(d) for d in days], "Fiscal Period": ["Q4 2016"] * len(days)}
    interp = infer_columns(cols, today=TODAY)["Close Date"]
    assert interp.format == "%d-%m-%y"
    assert not interp.ambiguous
    assert "date:%y-%m-%d" in interp.alternatives  # year-month-day fitted every value too
    assert "20 October 2016" in interp.reason and "Q4 2016" in interp.reason
    assert typed(cols["Close Date"], interp) == days


def test_quarter_column_in_year_first_layout_and_fy_text():
    days = [date(2016, 10, 20), date(2016, 11, 5), date(2016, 12, 12), date(2016, 10, 1)]
    for period in (["2016-Q4"] * 4, ["FY2016"] * 4, ["FY16"] * 4):
        cols = {"Deal date": [_dmy2(d) for d in days], "Period": period}
        interp = infer_columns(cols, today=TODAY)["Deal date"]
        assert interp.format == "%d-%m-%y", (period, interp.reason)
        assert "Period" in interp.reason


def test_year_column_as_numbers_agrees():
    days = [date(2011, 10, 9), date(2011, 11, 5), date(2011, 12, 10), date(2011, 3, 1)]
    cols = {"Datum": [d.strftime("%y-%m-%d") for d in days], "Jahr": ["2011"] * 4}
    interp = infer_columns(cols, today=TODAY)["Datum"]
    assert interp.format == "%y-%m-%d", interp.reason
    assert typed(cols["Datum"], interp) == days


def test_created_before_closed_decides_day_month_order_in_both_columns():
    created = [date(2024, 3, 5), date(2024, 1, 10), date(2024, 6, 2), date(2024, 2, 11)]
    closed = [date(2024, 4, 2), date(2024, 2, 3), date(2024, 7, 1), date(2024, 3, 4)]
    # Read month first, every "closed" would come before its "created".
    assert all(c.day <= 12 for c in created + closed)
    cols = {"Erstellt am": [_dmy(d) for d in created], "Abschlussdatum": [_dmy(d) for d in closed]}
    result = infer_columns(cols, today=TODAY)
    for name, days in (("Erstellt am", created), ("Abschlussdatum", closed)):
        assert result[name].format == "%d/%m/%Y", result[name].reason
        assert not result[name].ambiguous
        assert result[name].alternatives == ("date:%m/%d/%Y",)
        assert typed(cols[name], result[name]) == days


def test_created_before_closed_with_a_settled_partner():
    created = [date(2024, 3, 5), date(2024, 4, 7), date(2024, 7, 9)]
    closed = [date(2024, 3, 25), date(2024, 4, 20), date(2024, 7, 30)]  # days > 12: settled
    # Read day first, each "created" (5 March -> 3 May) would come after its "closed".
    cols = {
        "closed": [d.strftime("%m/%d/%Y") for d in closed],
        "created": [d.strftime("%m/%d/%Y") for d in created],
    }
    result = infer_columns(cols, today=TODAY)
    assert result["closed"].format == "%m/%d/%Y" and not result["closed"].alternatives
    assert result["created"].format == "%m/%d/%Y", result["created"].reason
    assert "closed" in result["created"].reason
    assert not result["created"].ambiguous


def test_one_day_above_twelve_decides_the_whole_column():
    days = [date(2024, 2, 1), date(2024, 4, 3), date(2024, 6, 5), date(2024, 4, 25)]
    values = [_dmy(d) for d in days]
    interp = infer_columns({"day": values}, today=TODAY)["day"]
    assert interp.format == "%d/%m/%Y"
    assert not interp.ambiguous and interp.alternatives == ()
    assert typed(values, interp) == days


def test_genuinely_ambiguous_column_is_flagged_with_alternatives():
    values = ["03/04/2024", "05/06/2024", "07/08/2024", "09/10/2024"]
    interp = infer_columns({"day": values}, today=TODAY)["day"]
    assert interp.ambiguous
    assert interp.type == "date"
    readings = {"%d/%m/%Y": "3 April 2024", "%m/%d/%Y": "4 March 2024"}
    assert interp.format in readings
    other = next(f for f in readings if f != interp.format)
    assert interp.alternatives == (f"date:{other}",)
    assert f"We read 03/04/2024 as {readings[interp.format]}" in interp.reason
    assert "no value settles the order" in interp.reason


def test_ambiguous_column_follows_the_other_dates_of_the_file():
    cols = {
        "Order date": ["03/04/2024", "05/06/2024", "07/08/2024"],
        "Ship date": ["25/04/2024", "13/06/2024", "20/08/2024"],
    }
    # "Ship date" is an end: its pairing already settles it; name them so no pair forms.
    cols = {"first seen": cols["Order date"], "other day": cols["Ship date"]}
    interp = infer_columns(cols, today=TODAY)["first seen"]
    assert interp.format == "%d/%m/%Y" and interp.ambiguous
    assert interp.reason == (
        "We read 03/04/2024 as 3 April 2024 (day first): no value settles the order; "
        "other dates in the file are day first."
    )


def test_future_dates_rule_a_reading_out():
    days = [date(2016, 12, 28), date(2016, 11, 30), date(2016, 12, 31)]
    values = [_dmy2(d) for d in days]  # year first: 2028-12-16, 2030-11-16, 2031-12-16
    interp = infer_columns({"Close Date": values}, today=TODAY)["Close Date"]
    assert interp.format == "%d-%m-%y", interp.reason
    assert "2031" in interp.reason
    assert typed(values, interp) == days


def test_compact_range_beats_decades_of_spread():
    days = [date(2016, 10, 20), date(2016, 11, 5), date(2016, 12, 12), date(2016, 10, 1)]
    values = [_dmy2(d) for d in days]  # year first: 2020, 2005, 2012, 2001
    interp = infer_columns({"when": values}, today=TODAY)["when"]
    assert interp.format == "%d-%m-%y", interp.reason
    assert "within 2016" in interp.reason


def test_neighbouring_rows_settle_a_sorted_series():
    days = [date(2024, 1, 1) + timedelta(days=i) for i in range(366)]
    days = [d for d in days if d.day <= 12]  # every value fits both orders
    values = [_dmy(d) for d in days]
    interp = infer_columns({"day": values}, today=TODAY)["day"]
    assert interp.format == "%d/%m/%Y", interp.reason
    assert "neighbouring rows" in interp.reason
    assert not interp.ambiguous
    month_first = [d.strftime("%m/%d/%Y") for d in days]
    assert infer_columns({"day": month_first}, today=TODAY)["day"].format == "%m/%d/%Y"


def test_decimal_commas_hint_day_first_but_stay_flagged():
    cols = {"day": ["03/04/2024", "05/06/2024", "07/08/2024"], "Betrag": ["1,50", "2,75", "3,00"]}
    interp = infer_columns(cols, today=TODAY)["day"]
    assert interp.format == "%d/%m/%Y" and interp.ambiguous


def test_a_few_rows_out_of_order_are_enough_when_the_other_reading_has_none():
    # Every day is 1-12; read month first, 2 of 10 deals would close before they were created.
    created = [date(2024, 1, 10), date(2024, 3, 12), date(2024, 5, 11), date(2024, 1, 5)]
    created += [date(2024, 2, 1), date(2024, 4, 4), date(2024, 5, 6), date(2024, 6, 1)]
    created += [date(2024, 1, 2), date(2024, 2, 3)]
    closed = [date(2024, 2, 2), date(2024, 4, 1), date(2024, 6, 3), date(2024, 1, 9)]
    closed += [date(2024, 2, 2), date(2024, 4, 5), date(2024, 5, 7), date(2024, 6, 2)]
    closed += [date(2024, 1, 11), date(2024, 2, 12)]
    swapped = [date(d.year, d.day, d.month) for d in created]
    swapped_closed = [date(d.year, d.day, d.month) for d in closed]
    misses = sum(a > b for a, b in zip(swapped, swapped_closed, strict=True))
    assert misses >= 2 and all(a <= b for a, b in zip(created, closed, strict=True))
    cols = {"Created": [_dmy(d) for d in created], "Closed": [_dmy(d) for d in closed]}
    result = infer_columns(cols, today=TODAY)
    assert result["Created"].format == "%d/%m/%Y" and not result["Created"].ambiguous
    assert f"{misses} of 10 rows" in result["Created"].reason


def test_a_month_column_in_the_same_rows_settles_the_order():
    days = [date(2024, 3, 5), date(2024, 4, 7), date(2024, 7, 9), date(2024, 1, 2)]
    cols = {
        "Invoice day": [_dmy(d) for d in days],
        "Month": [d.strftime("%b %Y") for d in days],
    }
    interp = infer_columns(cols, today=TODAY)["Invoice day"]
    assert interp.format == "%d/%m/%Y" and not interp.ambiguous, interp.reason
    assert "“Month” says March 2024" in interp.reason


def test_an_update_column_is_an_end_for_its_created_column():
    created = [date(2024, 1, 10), date(2024, 3, 12), date(2024, 5, 11), date(2024, 2, 1)]
    updated = [date(2024, 2, 2), date(2024, 4, 1), date(2024, 6, 3), date(2024, 2, 2)]
    cols = {"Created": [_dmy(d) for d in created], "Last modified": [_dmy(d) for d in updated]}
    result = infer_columns(cols, today=TODAY)
    assert result["Created"].format == "%d/%m/%Y" and not result["Created"].ambiguous


def test_two_digit_years_decades_ahead_are_flagged():
    # "Jan-49" in a 1949 series: the usual pivot (00-68 -> 20xx) gives 2049.
    interp = infer_columns({"Month": ["Jan-49", "Feb-49", "Mar-49"]}, today=TODAY)["Month"]
    assert interp.ambiguous
    assert "2049" in interp.reason


def test_weekday_names_settle_the_order():
    days = [date(2024, 3, 4), date(2024, 5, 6), date(2024, 7, 8)]  # every day 1-12
    names = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    values = [f"{names[d.weekday()]}, {d.strftime('%m/%d/%Y')}" for d in days]
    interp = infer_columns({"sent": values}, today=TODAY)["sent"]
    assert interp.format == "%a, %m/%d/%Y" and interp.alternatives == ()
    assert typed(values, interp) == days


def test_evidence_that_rules_out_one_of_three_readings_still_counts():
    # Every value fits day-month-year, month-day-year and year-month-day. The quarter column
    # rules year-first out (2010-2012); day vs month stays open and is flagged, not year-first.
    days = [date(2016, 10, 11), date(2016, 12, 10), date(2016, 11, 12)]
    cols = {"Close Date": [_dmy2(d) for d in days], "Quarter": ["Q4 2016"] * 3}
    interp = infer_columns(cols, today=TODAY)["Close Date"]
    assert interp.format in ("%d-%m-%y", "%m-%d-%y")
    assert interp.ambiguous
    assert "date:%y-%m-%d" in interp.alternatives
    assert interp.alternatives[-1] == "date:%y-%m-%d"  # the ruled-out reading comes last
