"""Numbers as exports write them: decimal marks, thousands, currency, percent, negatives."""

from __future__ import annotations

import pytest
from interpret_helpers import TODAY, invalid, typed

from sandbox.interpret import infer_columns

# (header, raw values, type, decimal, thousands, currency, percent, the numbers meant)
NUMBERS = [
    ("Betrag", ["248.561,77", "1.234,50", "12,00", "0,99"], "decimal", ",", ".", None, False,
     [248561.77, 1234.5, 12.0, 0.99]),
    ("Montant", ["1 234,50", "12,5", "1 000 000,00"], "decimal", ",", " ", None, False,
     [1234.5, 12.5, 1000000.0]),
    ("Montant", ["1\u00a0234,50", "12,5", "1\u202f000\u202f000,00"], "decimal", ",", " ", None,
     False, [1234.5, 12.5, 1000000.0]),
    ("Preis", ["1’234.50", "12.00", "1’000’000.25"], "decimal", ".", "’", None, False,
     [1234.5, 12.0, 1000000.25]),
    ("Preis", ["CHF 1'200.50", "CHF 80.00"], "decimal", ".", "'", "CHF", False, [1200.5, 80.0]),
    ("Amount", ["1,234.56", "12.5", "-3,000.00"], "decimal", ".", ",", None, False,
     [1234.56, 12.5, -3000.0]),
    ("Total", ["€ 1.200", "1.200 €", "€ 12.500", "€ 350"], "decimal", ",", ".", "EUR", False,
     [1200.0, 1200.0, 12500.0, 350.0]),
    ("Total", ["EUR 1,200.00", "EUR 35.10"], "decimal", ".", ",", "EUR", False, [1200.0, 35.1]),
    ("Total", ["$1,200", "$35.10", "-$5.00"], "decimal", ".", ",", "USD", False,
     [1200.0, 35.1, -5.0]),
    ("Total", ["£1,200.00", "£3.50"], "decimal", ".", ",", "GBP", False, [1200.0, 3.5]),
    ("Total", ["¥1,200", "¥350"], "decimal", ".", ",", "JPY", False, [1200.0, 350.0]),
    ("Total", ["1.200,00 USD", "3,50 USD"], "decimal", ",", ".", "USD", False, [1200.0, 3.5]),
    ("Betrag (EUR)", ["1.200,50", "3,10"], "decimal", ",", ".", "EUR", False, [1200.5, 3.1]),
    ("Amount USD", ["1,200.50", "3.10"], "decimal", ".", ",", "USD", False, [1200.5, 3.1]),
    ("Rate", ["12 %", "12%", "7,5 %"], "decimal", ",", None, None, True, [12.0, 12.0, 7.5]),
    ("Rate", ["12.5%", "-3%"], "decimal", ".", None, None, True, [12.5, -3.0]),
    ("Margin %", ["12.5", "30"], "decimal", ".", None, None, True, [12.5, 30.0]),
    ("Net", ["-1", "(350.00)", "350-", "+4.25"], "decimal", ".", None, None, False,
     [-1.0, -350.0, -350.0, 4.25]),
    ("Saldo", ["(1.350,00)", "1.350,00-", "−12,00"], "decimal", ",", ".", None, False,
     [-1350.0, -1350.0, -12.0]),
    ("Count", ["1", "42", "-7", "1000000"], "integer", ".", None, None, False,
     [1, 42, -7, 1000000]),
    ("Anzahl", ["1.200", "3.400", "12.000"], "integer", ",", ".", None, False, [1200, 3400, 12000]),
    ("Preis", ["1.200,-", "35,50", "99,–", "-5,--"], "decimal", ",", ".", None, False,
     [1200.0, 35.5, 99.0, -5.0]),
    ("Value", ["1.5e3", "2E-2"], "decimal", ".", None, None, False, [1500.0, 0.02]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("header", "values", "kind", "dec", "th", "cur", "pct", "expected"), NUMBERS
)
def test_numbers_are_read_as_written(header, values, kind, dec, th, cur, pct, expected):
    interp = infer_columns({header: values}, today=TODAY)[header]
    got = (interp.type, interp.decimal, interp.thousands, interp.currency, interp.percent)
    assert got == (kind, dec, th, cur, pct), interp.reason
    assert typed(values, interp) == pytest.approx(expected)
    assert invalid(values, interp) == []


def test_european_numbers_with_null_tokens_are_counted_not_fatal():
    values = ["248.561,77", "n/a", "-", "—", "#N/A", "", None, "k.A.", "1.234,50", "NULL", "12,00"]
    interp = infer_columns({"Betrag (EUR)": values}, today=TODAY)["Betrag (EUR)"]
    assert (interp.type, interp.decimal, interp.thousands, interp.currency) == (
        "decimal", ",", ".", "EUR",
    )  # fmt: skip
    assert interp.null_count == 8
    assert set(interp.nulls) == {"n/a", "-", "—", "#N/A", "k.A.", "NULL"}
    assert typed(values, interp) == [248561.77] + [None] * 7 + [1234.5, None, 12.0]
    assert invalid(values + ["zwölf", "1,2,3"], interp) == ["zwölf", "1,2,3"]


def test_one_lone_group_of_three_is_ambiguous_and_says_so():
    interp = infer_columns({"Qty": ["1.200", "3.400"]}, today=TODAY)["Qty"]
    assert interp.ambiguous
    assert interp.alternatives
    assert "no value settles the decimal mark" in interp.reason


def test_the_column_decides_a_lone_group():
    # 1.200 alone could be 1.2; the other values have two decimals after a comma.
    values = ["1.200", "3,50", "12,75"]
    interp = infer_columns({"Preis": values}, today=TODAY)["Preis"]
    assert (interp.decimal, interp.thousands, interp.ambiguous) == (",", ".", False)
    assert typed(values, interp) == [1200.0, 3.5, 12.75]


def test_a_leading_zero_below_one_rules_out_thousands():
    values = ["0.125", "1.200"]
    interp = infer_columns({"Weight": values}, today=TODAY)["Weight"]
    assert (interp.type, interp.decimal, interp.ambiguous) == ("decimal", ".", False)
    assert typed(values, interp) == [0.125, 1.2]


def test_the_rest_of_the_table_decides_the_decimal_mark():
    cols = {"Menge": ["1.200", "3.400"], "Preis": ["2,50", "3,99"]}
    interp = infer_columns(cols, today=TODAY)["Menge"]
    assert (interp.decimal, interp.thousands) == (",", ".")
    assert typed(cols["Menge"], interp) == [1200, 3400]


@pytest.mark.parametrize(
    ("header", "values"),
    [
        ("code", ["00123", "04567", "12345"]),
        ("PLZ", ["01067", "10115", "80331"]),
        ("zip", ["10115", "80331", "50667"]),  # no leading zero, but a postcode header
        ("Telefon", ["+49 30 1234567", "+49 89 7654321"]),
        ("sku", ["0012", "0013"]),
    ],
)
def test_codes_stay_text(header, values):
    interp = infer_columns({header: values}, today=TODAY)[header]
    assert interp.type == "text", interp.reason
    assert typed(values, interp) == values


@pytest.mark.parametrize(
    ("header", "values", "expected"),
    [
        ("won", ["true", "false", "TRUE"], [True, False, True]),
        ("paid", ["yes", "no", "Yes"], [True, False, True]),
        ("Bezahlt", ["ja", "nein"], [True, False]),
        ("payé", ["oui", "non"], [True, False]),
        ("pagado", ["sí", "no", "si"], [True, False, True]),
        ("is_active", ["1", "0", "1"], [True, False, True]),
    ],
)
def test_booleans(header, values, expected):
    interp = infer_columns({header: values}, today=TODAY)[header]
    assert interp.type == "boolean", interp.reason
    assert typed(values, interp) == expected
    assert invalid(values + ["maybe"], interp) == ["maybe"]


def test_one_and_zero_without_a_flag_header_are_numbers():
    assert infer_columns({"units": ["1", "0", "1"]}, today=TODAY)["units"].type == "integer"


def test_a_column_of_only_null_tokens_is_text():
    values = ["n/a", "-", None, ""]
    interp = infer_columns({"Betrag": values}, today=TODAY)["Betrag"]
    assert interp.type == "text"
    assert interp.null_count == 4


def test_text_keeps_words_that_only_mean_empty_elsewhere():
    values = ["NA", "EU", "APAC", "n/a"]
    interp = infer_columns({"Region": values}, today=TODAY)["Region"]
    assert interp.type == "text" and interp.nulls == ("n/a",)
    assert typed(values, interp) == ["NA", "EU", "APAC", None]


def test_units_and_mixed_currencies_are_text():
    for values in (["12 kg", "3 kg"], ["$5", "€5"], ["12", "twelve"]):
        assert infer_columns({"x": values}, today=TODAY)["x"].type == "text", values


def test_units_with_a_point_before_three_digits_are_thousands():
    # A Spanish monthly series: "8.746" units sold, month names in Spanish beside it.
    cols = {
        "Mes": ["ene 2021", "feb 2021", "mar 2021", "abr 2021"],
        "Unidades vendidas": ["8.746", "10.755", "12.116", "12.419"],
    }
    interp = infer_columns(cols, today=TODAY)["Unidades vendidas"]
    assert (interp.type, interp.thousands) == ("integer", ".")
    assert typed(cols["Unidades vendidas"], interp) == [8746, 10755, 12116, 12419]


def test_a_space_between_thousands_leaves_nothing_to_guess():
    values = ["5\u00a0217", "12\u00a0000", "950"]
    interp = infer_columns({"Ventes (unités)": values}, today=TODAY)["Ventes (unités)"]
    assert (interp.type, interp.thousands, interp.ambiguous) == ("integer", " ", False)
    assert interp.alternatives == ()
    assert typed(values, interp) == [5217, 12000, 950]


@pytest.mark.parametrize("header", ["Lifetime Value", "Media spend", "James"])
def test_words_inside_a_header_do_not_make_numbers_dates(header):
    values = ["2020.05", "2019.12", "1999.01"]
    interp = infer_columns({header: values}, today=TODAY)[header]
    assert interp.type == "decimal", interp.reason
