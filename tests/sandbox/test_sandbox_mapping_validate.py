"""Checking a mapping: amount from quantity x unit price, date settings, old import paths."""

from __future__ import annotations

from datetime import date

import pytest

from sandbox import MappingError, get_recipe
from sandbox.mapping import validate_mapping
from sandbox.store import Column, DatasetInfo

LINES = DatasetInfo(
    id="ds_" + "0" * 24, owner_key="o", filename="lines.csv", format="csv", rows=3,
    columns=[Column("Invoice", "text"), Column("Customer", "text"), Column("Day", "date"),
             Column("Qty", "integer"), Column("Price", "decimal")],
    sample_rows=[],
)  # fmt: skip
BASE = {"customer": "Customer", "date": "Day"}


def test_quantity_and_unit_price_stand_in_for_the_amount():
    recipe = get_recipe("segment_studio")
    mapping = {**BASE, "quantity": "Qty", "unit_price": "Price", "amount": None}
    clean, params = validate_mapping(LINES, recipe, mapping, {})
    assert clean == {**BASE, "quantity": "Qty", "unit_price": "Price"}
    assert params == {"as_of": None}


def test_a_missing_amount_is_explained_in_plain_words():
    recipe = get_recipe("segment_studio")
    with pytest.raises(MappingError) as err:
        validate_mapping(LINES, recipe, BASE, {})
    assert err.value.message == (
        "Choose a column for 'Amount' (order or line value), or map 'Quantity' and "
        "'Unit price' and we multiply them."
    )
    with pytest.raises(MappingError) as err:
        validate_mapping(LINES, recipe, {**BASE, "quantity": "Qty"}, {})
    assert err.value.message == (
        "Choose a column for 'Unit price' too: without 'Amount', the amount is worked out as "
        "'Quantity' and 'Unit price' multiplied."
    )


@pytest.mark.parametrize(
    ("given", "kept"),
    [(None, None), ("", None), ("2016-11-30", "2016-11-30"), (date(2016, 11, 30), "2016-11-30")],
)
def test_a_date_setting_is_an_iso_date_or_empty_for_the_latest(given, kept):
    recipe = get_recipe("pipeline_lens")
    mapping = {"stage": "Customer", "amount": "Price", "created": "Day"}
    assert validate_mapping(LINES, recipe, mapping, {"as_of": given})[1]["as_of"] == kept


def test_a_date_setting_that_is_no_date_says_how_to_write_one():
    recipe = get_recipe("demand_radar")
    with pytest.raises(MappingError, match="must be a date such as 2024-03-31, or empty"):
        validate_mapping(LINES, recipe, {"date": "Day", "value": "Qty"}, {"as_of": "30/11/2016"})


def test_old_import_paths_still_work():
    import sandbox.mapping
    from sandbox.recipes import suggest_mapping as from_recipes
    from sandbox.recipes.base import suggest_mapping
    from sandbox.recipes.base import validate_mapping as old_validate

    assert suggest_mapping is from_recipes is sandbox.mapping.suggest_mapping
    assert old_validate is sandbox.mapping.validate_mapping
