"""Currency of money columns from a currency column of the same table."""

from __future__ import annotations

from interpret_helpers import TODAY

from sandbox.interpret import infer_columns


def test_one_code_in_a_currency_column_is_the_currency_of_the_amounts():
    cols = {
        "Amount": ["45493.86", "1200.00"],
        "Amount Currency": ["USD", "USD"],
        "Age": ["306", "12"],
    }
    result = infer_columns(cols, today=TODAY)
    assert result["Amount"].currency == "USD"
    assert "from the column “Amount Currency”" in result["Amount"].reason
    assert result["Age"].currency is None  # not money


def test_several_codes_give_no_currency_but_a_qualified_column_still_does():
    cols = {
        "Amount": ["12.50", "30.00", "9.99"],
        "Currency": ["usd", "eur", "gbp"],
        "Converted Amount": ["12.50", "32.61", "12.70"],
        "Converted Currency": ["usd", "usd", "usd"],
    }
    result = infer_columns(cols, today=TODAY)
    assert result["Amount"].currency is None
    assert result["Converted Amount"].currency == "USD"


def test_german_export_with_a_waehrung_column():
    cols = {"Nettowert": ["38.690,99", "1.200,00"], "Währung": ["EUR", "EUR"]}
    interp = infer_columns(cols, today=TODAY)["Nettowert"]
    assert (interp.currency, interp.decimal, interp.thousands) == ("EUR", ",", ".")
    assert interp.spec() == "decimal:decimal=,;thousands=.;currency=EUR"
