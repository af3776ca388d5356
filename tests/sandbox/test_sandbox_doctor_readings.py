"""Data Doctor on what reading the file noticed (ingest notes) and on the columns'
interpretations: ragged rows, a second table, title rows, footer totals and any other note
kind; ambiguous readings, several layouts, null tokens read as empty."""

from __future__ import annotations

import io
from datetime import date, timedelta

from doctor_data import findings, kpi, run_doctor, table

from sandbox import ingest
from sandbox.queue import wait


def test_ingest_notes_become_findings_with_their_lines(tmp_path):
    notes = [
        {"kind": "second_table", "message": "A second table starts at line 812; we used the first.",
         "lines": list(range(812, 1618))},
        {"kind": "ragged_rows", "message": "3 rows have more cells than the header.",
         "lines": [14, 15, 99]},
        {"kind": "title_rows", "message": "2 title rows above the header were skipped.",
         "lines": [1, 2]},
        {"kind": "footer_total", "message": "A 'Total' row at the end was left out.",
         "lines": [811]},
        {"kind": "merged_cells", "message": "Merged header cells were split.", "lines": []},
    ]  # fmt: skip
    result = run_doctor(tmp_path, {"a": ["x", "y", "z"]}, {"a": "text"}, notes=notes)
    found = findings(result)
    assert [f["Check"] for f in found] == [
        "Second table",
        "Ragged rows",
        "Title rows",
        "Footer total",
        "Merged cells",
    ]
    assert [f["Finding"] for f in found] == [n["message"] for n in notes]
    assert [f["Where"] for f in found] == [
        "lines 812–1617",
        "lines 14–15, 99",
        "lines 1–2",
        "line 811",
        "",
    ]
    assert [f["Cells"] for f in found] == [len(n["lines"]) for n in notes]
    lost = sum(f["Points lost"] for f in found)
    assert lost > 0 and kpi(result, "Quality score") == round(100 - lost)


def test_interpretations_ambiguous_layouts_and_nulls(tmp_path):
    days = [date(2024, 3, 1) + timedelta(days=i) for i in range(12)]
    readings = {
        "when": {"type": "date", "format": "%d/%m/%Y", "ambiguous": True,
                 "alternatives": ["date:%m/%d/%Y"], "nulls": [], "null_count": 0,
                 "reason": "We read 03/04/2024 as 3 April 2024 (day first)."},
        "paid": {"type": "date", "format": ["%d.%m.%Y", "%Y-%m-%d"], "ambiguous": False,
                 "nulls": ["n/a", "-"], "null_count": 4, "reason": "Dates, day first."},
    }  # fmt: skip
    paid = [d if i % 3 else None for i, d in enumerate(days)]
    result = run_doctor(
        tmp_path,
        {"when": days, "paid": paid},
        {"when": "date", "paid": "date"},
        interpretations=readings,
    )
    (ambiguous,) = findings(result, "Ambiguous reading")
    assert ambiguous["Column"] == "when"
    assert ambiguous["Finding"] == (
        "Column 'when': We read 03/04/2024 as 3 April 2024 (day first). "
        "Other readings that fit every value: date:%m/%d/%Y."
    )
    (layouts,) = findings(result, "Mixed formats")
    assert layouts["Column"] == "paid" and "'%d.%m.%Y', '%Y-%m-%d'" in layouts["Finding"]
    (nulls,) = findings(result, "Null tokens")
    assert (nulls["Column"], nulls["Cells"]) == ("paid", 4)
    assert "say 'n/a', '-'; treated as empty" in nulls["Finding"]
    issues = [r["Issue"] for r in table(result, "Issues")]
    assert ambiguous["Finding"] in issues and layouts["Finding"] in issues


def test_old_datasets_without_interpretations_run_through_the_child(store, queue):
    """Through ingest, the queue and the sandbox child: no interpretation, no notes."""
    lines = ["id,stage,amount,created,closed"]
    for i in range(40):
        stage = "Cloesd Won" if i == 7 else "Closed Won" if i % 2 else "Open"
        created = date(2024, 1, 1) + timedelta(days=i)
        closed = created - timedelta(days=2) if i in (5, 9) else created + timedelta(days=10)
        lines.append(f'{i},{stage},"{1000 + i:,}.50",{created},{closed}')
    info = ingest(store, "o", io.BytesIO("\n".join(lines).encode()), "deals.csv")
    status = wait(queue, queue.submit("o", info.id, "data_doctor", {}))
    assert status.state == "succeeded", status.error
    result = queue.result(status.run_id)
    checks = {(f["Check"], f["Column"]): (f["Cells"], f["Where"]) for f in findings(result)}
    assert checks[("Dates out of order", "created / closed")] == (2, "rows 6, 10")
    assert checks[("Similar labels", "stage")][0] == 1
    if info.column("amount").type == "text":  # until ingest reads "1,000.50" as a number
        assert ("Numbers as text", "amount") in checks
