"""Above EXACT_ROWS Data Doctor estimates distinct counts and samples text columns; the new
findings must still agree with the exact ones (only the wording of a sampled figure may
differ) and with the planted counts."""

from __future__ import annotations

from datetime import date, timedelta

from doctor_data import findings, run_doctor

from sandbox.recipes import data_doctor


def _planted(n: int):
    stage = ["Closed Won" if i % 3 else "Lead" for i in range(n)]
    for i in range(5, n, 400):
        stage[i] = "closed-won"
    amount = [f"{1000 + i}.{i % 100:02d}" for i in range(n)]
    nulls = list(range(17, n, 150))
    for i in nulls:
        amount[i] = "n/a"
    created = [date(2023, 1, 1) + timedelta(days=i % 700) for i in range(n)]
    closed = [c + timedelta(days=20) for c in created]
    late = list(range(11, n, 500))
    for i in late:
        closed[i] = created[i] - timedelta(days=1)
    quarter = [f"Q{(c.month - 1) // 3 + 1} {c.year}" for c in closed]
    off = list(range(3, n, 700))
    for i in off:
        quarter[i] = "Q1 2020"
    data = {"stage": stage, "amount": amount, "created": created, "closed": closed,
            "close_quarter": quarter}  # fmt: skip
    types = {"stage": "text", "amount": "text", "created": "date", "closed": "date",
             "close_quarter": "text"}  # fmt: skip
    return data, types, {"nulls": len(nulls), "late": late, "off": off}


def test_large_table_findings_match_the_exact_ones(tmp_path, monkeypatch):
    n = 3000
    data, types, planted = _planted(n)
    exact = run_doctor(tmp_path, data, types)
    monkeypatch.setattr(data_doctor, "EXACT_ROWS", 100)
    monkeypatch.setattr(data_doctor, "SMALL_CARDINALITY", 1000)
    approx = run_doctor(tmp_path, data, types)

    def by_check(result):
        return {(f["Check"], f["Column"]): f for f in findings(result)}

    fe, fa = by_check(exact), by_check(approx)
    assert set(fe) == set(fa)
    for key in fe:
        if key[0] != "Numbers as text":
            assert fe[key] == fa[key], key
    assert fe[("Similar labels", "stage")]["Cells"] == sum(
        1 for v in data["stage"] if v == "closed-won"
    )
    assert fe[("Null tokens", "amount")]["Cells"] == planted["nulls"]
    late = fe[("Dates out of order", "created / closed")]
    assert (late["Cells"], late["Where"]) == (
        len(planted["late"]),
        "rows " + ", ".join(str(i + 1) for i in planted["late"][:3]),
    )
    off = fe[("Dates vs period", "closed / close_quarter")]
    assert off["Cells"] == len(planted["off"])
    # the numbers stored as text: counted over every row when exact, sampled when large
    numbers = n - planted["nulls"]
    assert fe[("Numbers as text", "amount")]["Cells"] == numbers
    assert "in the first 2,000 rows" in fa[("Numbers as text", "amount")]["Finding"]
