"""Data Doctor on planted value problems: numbers stored as text, null tokens, date layouts
mixed in one column. Expected figures come from the planted values, in plain Python."""

from __future__ import annotations

import re

import pytest
from doctor_data import findings, kpi, run_doctor, table

from sandbox.recipes import doctor_sniff


def _euro(i: int) -> str:
    whole = f"{1000 + 37 * i:,}".replace(",", ".")
    return f"{whole},{i % 100:02d}"


def test_numbers_stored_as_text_and_null_tokens(tmp_path):
    n = 400
    amounts = [_euro(i) for i in range(n)]
    for i in range(0, n, 25):
        amounts[i] = "n/a"
    for i in (7, 301):
        amounts[i] = "tbd"
    amounts[9] = "-"
    codes = [f"{i:05d}" for i in range(n)]  # codes with leading zeros: not numbers
    status = ["open" if i % 3 else "won" for i in range(n)]
    result = run_doctor(
        tmp_path,
        {"amount": amounts, "code": codes, "status": status},
        {"amount": "text", "code": "text", "status": "text"},
    )
    tokens = {t: amounts.count(t) for t in ("n/a", "-")}
    others = [i + 1 for i, v in enumerate(amounts) if v == "tbd"]
    numbers = n - sum(tokens.values()) - len(others)

    (as_text,) = findings(result, "Numbers as text")
    assert (as_text["Column"], as_text["Cells"]) == ("amount", numbers)
    assert f"{numbers:,} values look like numbers" in as_text["Finding"]
    assert f"{len(others)} do not, e.g. 'tbd'" in as_text["Finding"]
    assert as_text["Where"] == "rows " + ", ".join(map(str, others))
    (nulls,) = findings(result, "Null tokens")
    assert nulls["Cells"] == sum(tokens.values())
    assert nulls["Finding"] == (
        f"Column 'amount': {tokens['n/a']} cells say 'n/a', {tokens['-']} say '-'; "
        "treated as empty."
    )
    profile = {r["Column"]: r for r in table(result, "Column profile")}
    assert profile["amount"]["Empty %"] == pytest.approx(100 * sum(tokens.values()) / n)
    assert kpi(result, "Empty cells") == pytest.approx(
        100 * sum(tokens.values()) / (3 * n), abs=1e-4
    )
    assert not [f for f in findings(result) if f["Column"] in ("code", "status")]


def test_null_tokens_are_not_invalid_dates_or_e_mails(tmp_path):
    n = 30
    emails = [f"p{i}@example.com" for i in range(n)]
    days = [f"2024-02-{1 + i % 28:02d}" for i in range(n)]
    for i in (2, 11):
        emails[i] = "N/A"
        days[i] = "—"
    emails[20] = "nobody"
    result = run_doctor(
        tmp_path, {"email": emails, "signup_date": days}, {"email": "text", "signup_date": "text"}
    )
    invalid = {
        (r["Check"], r["Column"]): r["Invalid values"] for r in table(result, "Invalid values")
    }
    assert invalid == {("E-mail", "email"): 1, ("Date", "signup_date"): 0}
    cells = {f["Column"]: f["Cells"] for f in findings(result, "Null tokens")}
    assert cells == {"email": 2, "signup_date": 2}


def test_mixed_date_layouts_in_a_text_column(tmp_path):
    n = 90
    iso = [f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}" for i in range(n)]
    written = list(iso)
    slashed = [i for i in range(n) if i % 9 == 4]
    for i in slashed:
        y, m, d = iso[i].split("-")
        written[i] = f"{d}/{m}/{y}"
    result = run_doctor(tmp_path, {"order_date": written}, {"order_date": "text"})
    (mixed,) = findings(result, "Mixed formats")
    assert mixed["Cells"] == n
    first_slashed = min(v for v in written if "/" in v)
    assert f"{n - len(slashed)} like '" in mixed["Finding"]
    assert f"{len(slashed)} like '{first_slashed}'" in mixed["Finding"]


def test_day_first_and_month_first_dates_side_by_side(tmp_path):
    day_first = [f"{13 + i % 15}/{1 + i % 12:02d}/2024" for i in range(20)]  # day > 12
    month_first = [f"{1 + i % 12:02d}/{13 + i % 15}/2024" for i in range(20)]  # day > 12
    result = run_doctor(tmp_path, {"closed": day_first + month_first}, {"closed": "text"})
    (mixed,) = findings(result, "Mixed formats")
    assert f"'{day_first[0]}' can only be day/month" in mixed["Finding"]
    assert f"'{month_first[0]}' only month/day" in mixed["Finding"]
    assert mixed["Points lost"] > 0


def test_a_large_column_is_judged_from_its_first_rows(tmp_path, monkeypatch):
    """A column with more distinct values than the top values keep is sampled."""
    monkeypatch.setattr(doctor_sniff, "SAMPLE_ROWS", 100)
    n = 500
    values = [str(1000 + 13 * i) for i in range(n)]
    values[3] = "unknown"
    result = run_doctor(tmp_path, {"total": values}, {"total": "text"})
    (as_text,) = findings(result, "Numbers as text")
    # counted over every row when the table is small, though found from the first rows
    assert as_text["Cells"] == n - 1 and as_text["Where"] == "row 4"
    assert re.search(r"\b499 values look like numbers, e\.g\. '1000'", as_text["Finding"])
