"""Data Doctor's result: years and identifiers shown as written, and the label hints a
result can carry for the display side."""

from __future__ import annotations

import pytest
from doctor_data import run_doctor, table

from sandbox.result import ResultBuilder


def test_ids_and_years_in_the_profile_are_labels_not_quantities(tmp_path):
    ids = [100_000 + 7 * i for i in range(50)]
    years = [2010 + i % 9 for i in range(50)]
    amounts = [1500.0 + i for i in range(50)]
    result = run_doctor(
        tmp_path,
        {"order_id": ids, "season": years, "amount": amounts},
        {"order_id": "integer", "season": "integer", "amount": "decimal"},
    )
    profile = {r["Column"]: r for r in table(result, "Column profile")}
    assert (profile["order_id"]["Min"], profile["order_id"]["Max"]) == (
        str(min(ids)),
        str(max(ids)),
    )
    assert profile["order_id"]["Mean"] is None
    # an integer column of years (few values, all between 1900 and 2100) though not named so
    assert (profile["season"]["Min"], profile["season"]["Max"]) == ("2010", "2018")
    # quantities stay numbers
    assert profile["amount"]["Min"] == 1500.0 and profile["amount"]["Mean"] == pytest.approx(1524.5)


def test_results_carry_label_hints_only_when_given():
    res = ResultBuilder("r", "R", 3)
    res.kpi("Latest year", 2016, "", "The last year in the file.", format="year")
    res.kpi("Rows", 3, "rows", "Rows.")
    res.table("By year", ["Year", "Won"], [[2015, 3], [2016, 4]], formats={"Year": "year"})
    res.table("Plain", ["A"], [[1]])
    out = res.to_dict()
    assert out["kpis"][0]["format"] == "year" and "format" not in out["kpis"][1]
    assert out["tables"][0]["formats"] == {"Year": "year"} and "formats" not in out["tables"][1]
    with pytest.raises(ValueError):
        res.table("Bad", ["A"], [[1]], formats={"B": "year"})
    with pytest.raises(ValueError):
        res.kpi("Bad", 1, format="money")
