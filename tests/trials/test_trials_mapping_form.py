"""The mapping form follows the engine's suggestions: reasons in the hints, only confident
columns chosen, a date setting, and an amount another pair of fields can stand in for."""

from __future__ import annotations

from datetime import date

import sandbox
from portal.trials.forms import mapping_form
from sandbox.store import Column

COLUMNS = [Column("Owner", "text"), Column("c1", "text"), Column("Qty", "integer"),
           Column("Price", "decimal"), Column("Day", "date"), Column("Buyer", "text")]  # fmt: skip


def test_hints_give_the_reason_and_only_confident_columns_are_chosen(app):
    recipe = sandbox.get_recipe("pipeline_lens")
    suggestions = {
        "owner": sandbox.Suggestion("Owner", 0.95, "looks like people's names; 5 distinct", True),
        "outcome": sandbox.Suggestion("c1", 0.55, "won/lost labels (Won, Lost)", False),
    }
    with app.test_request_context():
        form = mapping_form(recipe, COLUMNS, suggestions)
    assert form.map_owner.data == "Owner"
    assert (
        "We suggest 'Owner': looks like people's names; 5 distinct." in form.map_owner.description
    )
    assert form.map_outcome.data == ""  # shown as a hint, not chosen
    assert "We suggest 'c1': won/lost labels (Won, Lost)." in form.map_outcome.description


def test_as_of_is_a_date_setting_and_amount_may_come_from_quantity_and_price(app):
    app.config["WTF_CSRF_ENABLED"] = False  # the form's own fields are under test
    recipe = sandbox.get_recipe("segment_studio")
    data = {"map_customer": "Buyer", "map_date": "Day", "map_amount": "", "map_quantity": "Qty",
            "map_unit_price": "Price", "param_as_of": "2016-11-30"}  # fmt: skip
    with app.test_request_context(method="POST", data=data):
        from flask import request

        form = mapping_form(recipe, COLUMNS, {}, formdata=request.form)
        assert form.validate(), form.errors
    assert form.param_as_of.data == date(2016, 11, 30)
    assert form.params() == {"as_of": "2016-11-30"}
    assert form.mapping()["amount"] is None and form.mapping()["quantity"] == "Qty"
