"""The corpus: files shaped like real exports must give the right answers with the suggested
mapping and no manual step (issue 11, point 6).

Each case ingests one file of ``tests/sandbox/corpus/`` with the real ``ingest`` into a
temporary store, keeps only the *preselected* suggestions of ``suggest_mapping``, runs the
recipe in the real sandbox child and compares the result with ``expected.json``. The expected
figures were computed by ``make_corpus.py`` in plain Python from the records it generated the
files from, never by the code under test. Every mismatch of a case is collected and reported
together (column readings, suggestions, KPIs), so one run names every cause.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import pytest

from sandbox import SandboxError, get_recipe, ingest, suggest_mapping
from sandbox.queue import wait

CORPUS = Path(__file__).resolve().parent / "corpus"
CASES = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))["cases"]
MONEY_KPIS = {
    "pipeline_lens": ("Average deal size", "Open pipeline"),
    "segment_studio": ("Revenue", "Average order value"),
}
REL, ABS = 1e-6, 1e-3  # results are rounded to 4 decimals; expectations to 6


def _id(case: dict) -> str:
    return f"{case['file']}-{case['recipe']}"


def _close(got, want) -> bool:
    if isinstance(want, int | float) and not isinstance(want, bool):
        return isinstance(got, int | float) and math.isclose(got, want, rel_tol=REL, abs_tol=ABS)
    return got == want


def _check_interpretations(info, case: dict, problems: list[str]) -> None:
    columns = {c.name: c for c in info.columns}
    for name, want in case.get("interpretations", {}).items():
        col = columns.get(name)
        if col is None:
            problems.append(f"column {name!r} missing; columns are {list(columns)}")
            continue
        got = col.interpretation or {}
        if not (got.get("reason") or "").strip():
            problems.append(f"column {name!r}: no reason for the preview ({got!r})")
        for key, value in want.items():
            have = got.get(key)
            if key == "type":
                ok = have in value if isinstance(value, list) else have == value
            elif key == "nulls":
                ok = set(value) <= set(have or [])
            else:
                ok = have == value
            if not ok:
                problems.append(
                    f"column {name!r}: {key} is {have!r}, should be {value!r} "
                    f"(read as {got.get('type')!r} {got.get('format') or ''}; "
                    f"stored type {col.type!r})"
                )


def _check_ingest(info, case: dict, problems: list[str]) -> None:
    if "rows" in case and info.rows != case["rows"]:
        problems.append(f"ingest: {info.rows} rows, should be {case['rows']}")
    if "sheet" in case and info.sheet != case["sheet"]:
        problems.append(f"ingest: sheet {info.sheet!r} used, should be {case['sheet']!r}")
    if "note_lines" in case:
        wanted = set(case["note_lines"])
        if not any(wanted & set(n.get("lines") or []) for n in info.notes):
            problems.append(
                f"ingest: no note names the lines {min(wanted)}-{max(wanted)} of the second "
                f"table; notes are {info.notes!r}"
            )
    _check_interpretations(info, case, problems)


def _preselected(info, recipe) -> dict[str, str]:
    return {f: s.column for f, s in suggest_mapping(info, recipe).items() if s.preselect}


def _check_mapping(mapping: dict[str, str], suggested, case: dict, problems: list[str]) -> None:
    for field, allowed in case.get("mapping", {}).items():
        if mapping.get(field) not in allowed:
            s = suggested.get(field)
            seen = (
                f"{s.column!r} (confidence {s.confidence}, preselect {s.preselect}, "
                f"reason {s.reason!r})"
                if s
                else "nothing"
            )
            problems.append(f"mapping: {field} -> {seen}, should be one of {allowed}")


def _rows_text(result: dict, title_words: tuple[str, ...], with_text: bool = True) -> list[str]:
    """The rows of the tables whose title has one of ``title_words``, as text; with
    ``with_text`` also the KPI explanations and notes."""
    texts = [
        " ".join(str(v) for v in row)
        for t in result["tables"]
        if any(w in t["title"].lower() for w in title_words)
        for row in t["rows"]
    ]
    if not with_text:
        return texts
    return texts + [k["explanation"] for k in result["kpis"]] + list(result["notes"])


def _cell(row: dict, column: str):
    """A cell by column title; 'Won amount' also finds 'Won amount (EUR)'."""
    for title, value in row.items():
        if title == column or title.startswith(column + " ("):
            return value
    return f"<no column {column!r} in {list(row)}>"


def _check_result(result: dict, case: dict, problems: list[str]) -> None:
    kpis = {k["label"]: k for k in result["kpis"]}
    for label, want in case.get("kpis", {}).items():
        got = kpis.get(label, {}).get("value", "<missing>")
        if not _close(got, want):
            off = f" (off by {got - want:+.4g})" if isinstance(got, int | float) else ""
            problems.append(f"KPI {label!r} is {got!r}, should be {want!r}{off}")
    for label, want in case.get("kpis_if_present", {}).items():
        if label in kpis and not _close(kpis[label]["value"], want):
            problems.append(f"KPI {label!r} is {kpis[label]['value']!r}, should be {want!r}")
    if case.get("currency"):
        for label in MONEY_KPIS[case["recipe"]]:
            unit = kpis.get(label, {}).get("unit", "<missing KPI>")
            if unit != case["currency"]:
                problems.append(f"KPI {label!r} unit is {unit!r}, should be {case['currency']!r}")
    for label, text in case.get("kpi_text", {}).items():
        explanation = kpis.get(label, {}).get("explanation", "<missing KPI>")
        if text not in explanation:
            problems.append(f"KPI {label!r} should mention {text!r}: {explanation!r}")
    tables = {t["title"]: t for t in result["tables"]}
    for title, spec in case.get("tables", {}).items():
        table = tables.get(title)
        if table is None:
            problems.append(f"table {title!r} missing")
            continue
        rows = {str(r[0]): dict(zip(table["columns"], r, strict=True)) for r in table["rows"]}
        for key, cells in spec["rows"].items():
            for col, want in cells.items():
                got = _cell(rows[key], col) if key in rows else "<missing row>"
                if not _close(got, want) and not (want == 0 and key not in rows):
                    problems.append(f"table {title!r} row {key!r} {col}: {got!r}, want {want!r}")
        extra = set(rows) - set(spec["rows"])
        if extra:
            problems.append(f"table {title!r} has rows {sorted(extra)[:5]} not expected there")
    for title, label in case.get("table_last", {}).items():
        table = tables.get(title)
        last = table["rows"][-1][0] if table and table["rows"] else "<missing>"
        if last != label:
            problems.append(f"table {title!r} ends at {last!r}, should end at {label!r}")
    _check_doctor(result, tables, case, problems)


def _check_doctor(result: dict, tables: dict, case: dict, problems: list[str]) -> None:
    findings = _rows_text(result, ("issue", "finding", "invalid"))
    for words in case.get("findings", []):
        if not any(all(w.lower() in text.lower() for w in words) for text in findings):
            problems.append(f"no finding mentions all of {words}; findings: {findings[:12]}")
    rows_only = _rows_text(result, ("issue", "finding", "invalid"), with_text=False)
    for word in case.get("no_findings", []):
        hits = [t for t in rows_only if word.lower() in t.lower()]
        if hits:
            problems.append(f"finding should not mention {word!r}: {hits[:3]}")
    profile = tables.get("Column profile")
    for name, cells in case.get("profile", {}).items():
        row = next((r for r in (profile or {}).get("rows", []) if r[0] == name), None)
        if row is None:
            problems.append(f"column profile has no row {name!r}")
            continue
        got = dict(zip(profile["columns"], row, strict=True))
        for col, want in cells.items():
            if str(got.get(col))[:10] != want:
                problems.append(f"profile {name!r} {col} is {got.get(col)!r}, should be {want!r}")


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_corpus_file(case, store, queue):
    path = CORPUS / case["file"]
    assert path.stat().st_size < 200 * 1024
    problems: list[str] = []
    try:
        info = ingest(store, "corpus", path, case["file"])
    except SandboxError as exc:
        pytest.fail(f"{case['file']}: ingest refused the file ({type(exc).__name__}): {exc}")
    _check_ingest(info, case, problems)
    recipe = get_recipe(case["recipe"])
    suggested = suggest_mapping(info, recipe)
    mapping = _preselected(info, recipe)
    _check_mapping(mapping, suggested, case, problems)
    try:
        run_id = queue.submit("corpus", info.id, recipe.name, mapping, {})
    except SandboxError as exc:
        problems.append(f"run refused with the preselected mapping {mapping}: {exc}")
    else:
        status = wait(queue, run_id, timeout=120)
        if status.state != "succeeded":
            problems.append(f"run {status.state}: {status.error_category}: {status.error}")
        else:
            _check_result(queue.result(run_id), case, problems)
    assert not problems, f"{case['file']} ({case['recipe']}):\n  " + "\n  ".join(problems)


def test_corpus_is_large_and_varied():
    files = {c["file"] for c in CASES}
    assert len(files) >= 28
    assert {c["recipe"] for c in CASES} == {
        "pipeline_lens",
        "segment_studio",
        "demand_radar",
        "data_doctor",
    }
    for name in files:
        assert (CORPUS / name).stat().st_size < 200 * 1024, name


def test_corpus_files_are_the_generators_output(tmp_path):
    """The committed files and expectations are exactly what make_corpus.py writes."""
    sys.path.insert(0, str(CORPUS))
    try:
        import make_corpus
    finally:
        sys.path.remove(str(CORPUS))
    cases = json.loads(json.dumps(make_corpus.build(tmp_path)))
    assert cases == CASES
    for name in sorted({c["file"] for c in CASES}):
        assert (tmp_path / name).read_bytes() == (CORPUS / name).read_bytes(), name
