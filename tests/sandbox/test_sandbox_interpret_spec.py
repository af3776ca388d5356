"""Override specs: what spec() writes, parse_override() reads back; bad specs are refused."""

from __future__ import annotations

from datetime import date

import pytest
from interpret_helpers import TODAY, typed

from sandbox.errors import IngestError
from sandbox.interpret import Interpretation, infer_columns, parse_override

TABLE = {
    "Erstellt am": ["03.04.2024", "25.12.2023", "n/a"],
    "Betrag (EUR)": ["248.561,77", "1.234,50", "-"],
    "Anteil": ["12 %", "7,5 %"],
    "when": ["12/1/2010 8:26 AM", "12/13/2010 10:01 PM"],
    "Monat": ["März 2024", "Mai 2024"],
    "Quarter": ["2017-Q3", "2018-Q1"],
    "Rechnungsdatum": ["45292", "45293"],
    "Menge": ["1 200", "3 400"],
    "Kunde": ["Müller GmbH", "Acme"],
    "bezahlt": ["ja", "nein"],
    "Preis": ["CHF 1'200.50", "CHF 80.00"],
}


@pytest.mark.parametrize("name", list(TABLE))
def test_round_trip_spec_gives_the_same_reading(name):
    inferred = infer_columns(TABLE, today=TODAY)[name]
    again = parse_override(inferred.spec())
    assert again.reading() == inferred.reading(), inferred.spec()
    assert again.source == "user"
    assert typed(TABLE[name], again) == typed(TABLE[name], inferred)


def test_alternatives_are_valid_specs():
    result = infer_columns({"day": ["03/04/2024", "05/06/2024"], "Qty": ["1.200"]}, today=TODAY)
    for interp in result.values():
        assert interp.alternatives
        for spec in interp.alternatives:
            assert parse_override(spec).spec() == spec


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("date:%d-%m-%y", Interpretation("date", format="%d-%m-%y")),
        ("datetime:%d.%m.%Y %H:%M", Interpretation("datetime", format="%d.%m.%Y %H:%M")),
        ("date:excel", Interpretation("date", format="excel")),
        ("date:Q%q %Y", Interpretation("date", format="Q%q %Y")),
        ("decimal:decimal=,;thousands=.;currency=EUR",
         Interpretation("decimal", decimal=",", thousands=".", currency="EUR")),
        ("decimal:decimal=,;thousands=space;percent",
         Interpretation("decimal", decimal=",", thousands=" ", percent=True)),
        ("integer:thousands='", Interpretation("integer", decimal=".", thousands="'")),
        ("integer", Interpretation("integer", decimal=".")),
        ("decimal", Interpretation("decimal", decimal=".")),
        (" Text ", Interpretation("text")),
        ("boolean", Interpretation("boolean")),
    ],
)  # fmt: skip
def test_parse_override(spec, expected):
    got = parse_override(spec)
    assert got.reading() == expected.reading()
    assert got.source == "user" and got.reason


def test_a_user_override_changes_the_values():
    values = ["03/04/2024", "05/06/2024"]
    assert typed(values, parse_override("date:%d/%m/%Y")) == [date(2024, 4, 3), date(2024, 6, 5)]
    assert typed(values, parse_override("date:%m/%d/%Y")) == [date(2024, 3, 4), date(2024, 5, 6)]


@pytest.mark.parametrize(
    "spec",
    [
        "",
        "money",
        "date",
        "date:%d.%m",  # no year
        "date:%Y",  # no month
        "date:%d.%m.%Y %Q",
        "datetime:%d.%m.%Y",  # no hour
        "date:%Y-Q%q-%m",
        "date:%Y-%m-%d %Y",
        "decimal:decimal=;",
        "decimal:decimal=,;thousands=,",
        "decimal:currency=euro",
        "decimal:rounding=2",
        "text:upper",
    ],
)
def test_bad_overrides_are_refused_in_plain_words(spec):
    with pytest.raises(IngestError) as err:
        parse_override(spec)
    assert err.value.code == "bad_override"
    assert err.value.message and "Traceback" not in err.value.message


def test_to_dict_and_back():
    interp = infer_columns(TABLE, today=TODAY)["Betrag (EUR)"]
    data = interp.to_dict()
    assert isinstance(data["nulls"], list) and isinstance(data["alternatives"], list)
    assert Interpretation.from_dict(data) == interp
