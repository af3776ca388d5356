"""What a recipe learns from the run context: the currency of money, the as-of date."""

from __future__ import annotations

from datetime import date

from sandbox.recipes.base import RunContext


def context(mapping: dict, columns: list[dict], params: dict | None = None) -> RunContext:
    return RunContext(con=None, rows=0, mapping=mapping, params=params or {}, columns=columns)


def test_currency_from_values_header_or_a_currency_column():
    columns = [
        {"name": "Total", "type": "decimal", "interpretation": {"currency": "CHF"}},
        {"name": "Betrag (EUR)", "type": "decimal"},
        {"name": "Value", "type": "decimal"},
        {"name": "Currency", "type": "text", "profile": {"examples": ["usd"]}},
    ]
    assert context({"amount": "Total"}, columns).currency("amount") == "CHF"
    assert context({"amount": "Betrag (EUR)"}, columns).currency("amount") == "EUR"
    assert context({"amount": "Value"}, columns).currency("amount") == "USD"
    assert context({}, columns).currency("amount") is None
    assert context({"amount": "Value"}, columns).money_unit("amount") == "USD"


def test_mixed_currencies_name_only_the_converted_one():
    columns = [
        {"name": "Amount", "type": "decimal"},
        {"name": "Currency", "type": "text", "profile": {"examples": ["gbp", "eur"]}},
        {"name": "Converted Amount", "type": "decimal"},
        {"name": "Converted Currency", "type": "text", "profile": {"examples": ["usd"]}},
    ]
    assert context({"amount": "Converted Amount"}, columns).currency("amount") == "USD"
    assert context({"amount": "Amount"}, columns).currency("amount") is None
    assert context({"amount": "Amount"}, columns).money_unit("amount") == "currency"
    assert context({"amount": "Amount"}, columns).mixed_currency_note("amount") == (
        "'Amount' holds amounts in several currencies (EUR, GBP, see 'Currency'); they are "
        "added up as they are. Map a converted amount if the file has one."
    )
    assert context({"amount": "Converted Amount"}, columns).mixed_currency_note("amount") is None


def test_as_of_is_the_setting_or_the_latest_date():
    ctx = context({}, [])
    assert ctx.as_of(date(2016, 11, 30)) == (
        date(2016, 11, 30), "As of 30 Nov 2016, the latest date in your file."
    )  # fmt: skip
    assert ctx.as_of(None) == (None, "The file has no dates to measure from.")
    chosen = context({}, [], {"as_of": "2016-06-30"})
    assert chosen.as_of(date(2016, 11, 30)) == (
        date(2016, 6, 30), "As of 30 Jun 2016, the date you chose."
    )  # fmt: skip
