"""Data Doctor's result: the quality score with its reasons, the KPIs, tables and charts.

The score starts at 100 and loses points per problem, each capped so that no single kind
of problem decides it alone:

- empty cells (up to 25), completely empty columns (up to 10), one-value columns (up to 6),
  duplicate rows (up to 20), invalid e-mails and dates (up to 15 per column);
- what misreading would hide (see ``doctor_checks``, ``doctor_findings``, ``doctor_sniff``):
  dates outside the quarter or year next to them (5 + 40 × share of rows, up to 30), dates
  out of order in paired columns (4 + 40 × share, up to 20), dates before 1900 or more
  than ten years ahead (5 + 40 × share, up to 15), other future dates (3 + 40 × share, up
  to 12), an ambiguous reading that then fails one of these date checks (10, "likely
  misread"), day-first and month-first dates in one column (6), several date layouts in one
  column (4; from the interpretation: 2 per layout, up to 6), an ambiguous reading (3),
  numbers stored as text (5), near-duplicate labels (2 + 30 × share, up to 8), null tokens
  (1), and the file's layout: a second table (6), ragged rows (5), a footer total (2),
  title rows (1), anything else the reading noticed (2).

A file whose dates were all misread therefore loses the points of every check the
misreading trips (future dates, quarter mismatch, dates out of order, the ambiguous
reading) instead of scoring in the nineties.
"""

from __future__ import annotations

import re
from typing import Any

from ..result import ResultBuilder
from .doctor_findings import Finding

# Integer columns whose figures are labels, not quantities: shown as "2016", never "2,016",
# and without a mean.
_YEAR_NAME = re.compile(r"year|jahr|ann[eé]e|a[nñ]o|anno|jaar|^fy|fiscal")
_ID_NAME = re.compile(r"(^|[^a-z])(id|nr|code|zip|postal|plz)($|[^a-z])")


def figure_kind(column: dict[str, Any], s: dict[str, Any]) -> str | None:
    """ "year" or "id" for integer columns whose values are years or identifiers."""
    if column["type"] != "integer":
        return None
    name = column["name"].casefold()
    low, high = s.get("min"), s.get("max")
    years = low is not None and high is not None and 1900 <= low <= high <= 2100
    if years and (_YEAR_NAME.search(name) or (s["distinct"] <= 150 and not _ID_NAME.search(name))):
        return "year"
    return "id" if _ID_NAME.search(name) else None


def _profile_rows(ctx, stats, tops, approx_note: str) -> list[list[Any]]:
    n = ctx.rows
    rows = []
    for c in ctx.columns:
        s = stats[c["name"]]
        figures = [s.get(k) for k in ("min", "max", "mean", "p25", "median", "p75")]
        if figure_kind(c, s):
            # a year or an id: its figures are labels, shown as written (see result.py)
            figures = [None if v is None or i == 2 else str(int(v)) for i, v in enumerate(figures)]
        rows.append(
            [
                c["name"],
                c["type"],
                100.0 * (n - s["filled"]) / n if n else 0.0,
                s["distinct"],
                *figures,
                ", ".join(f"{v} ({k:,})" for v, k in tops.get(c["name"], [])),
                "distinct " + approx_note if s["approx"] else "",
            ]
        )
    return rows


_PROFILE_COLUMNS = ["Column", "Type", "Empty %", "Distinct", "Min", "Max", "Mean", "25th pct",
                    "Median", "75th pct", "Top values", "Note"]  # fmt: skip


def report(res: ResultBuilder, ctx, stats, tops, duplicates, findings: list[Finding], *,
           approx_note: str, exact_rows: int) -> None:  # fmt: skip
    """Fill ``res`` with the KPIs, tables and charts of a Data Doctor run."""
    cols, n = ctx.columns, ctx.rows
    emails, dates = invalid(stats, "email"), invalid(stats, "date")
    empty_cells = sum(n - s["filled"] for s in stats.values())
    total_cells = max(n * len(cols), 1)
    reasons = score_reasons(n, stats, duplicates, emails, dates, empty_cells / total_cells)
    reasons += [(f.message, f.points) for f in findings if f.points > 0]
    score = round(max(0.0, 100.0 - sum(p for _, p in reasons)))
    explained = " ".join(r for r, _ in reasons) if reasons else "No problems found."
    res.kpi("Quality score", score, "score", "Out of 100. " + explained)
    res.kpi("Rows", n, "rows", "Rows in the file, not counting the header.")
    res.kpi("Columns", len(cols), "", "Columns in the file.")
    res.kpi(
        "Duplicate rows",
        duplicates,
        "rows",
        "Rows that repeat an earlier row exactly."
        + (" Found by comparing a 64-bit hash of each row." if n > exact_rows else ""),
    )
    res.kpi("Empty cells", 100.0 * empty_cells / total_cells, "%", "Share of cells left blank.")
    res.kpi(
        "Findings",
        len(findings),
        "",
        "Problems that a misreading of the file would hide: implausible dates, dates that "
        "disagree with each other, mixed formats, numbers stored as text, similar labels, "
        "null tokens and the file's layout. See the Findings table.",
    )
    res.table("Column profile", _PROFILE_COLUMNS, _profile_rows(ctx, stats, tops, approx_note))
    if any(stats[c["name"]]["approx"] for c in cols):
        res.note(
            f"This table has more than {exact_rows:,} rows, so the distinct counts of its "
            f"large text columns are estimates ({approx_note}) and their top values come "
            "from a frequent-values sketch, with exact counts. Every other figure is exact."
        )
    res.table("Issues", ["Issue", "Points lost"], [[t, round(p, 1)] for t, p in reasons])
    checks = [["E-mail", k, v["bad"], v["example"]] for k, v in emails.items()]
    checks += [["Date", k, v["bad"], v["example"]] for k, v in dates.items()]
    res.table("Invalid values", ["Check", "Column", "Invalid values", "Example"], checks)
    res.table(
        "Findings",
        ["Check", "Column", "Cells", "Where", "Finding", "Points lost"],
        [[f.check, f.column, f.cells, f.where(), f.message, round(f.points, 1)] for f in findings],
    )
    worst = sorted(cols, key=lambda c: stats[c["name"]]["filled"])[:20]
    res.chart(
        "Empty cells by column (%)",
        "bar",
        [c["name"] for c in worst],
        [("Empty %", [100.0 * (n - stats[c["name"]]["filled"]) / n if n else 0.0 for c in worst])],
    )
    kinds: dict[str, int] = {}
    for c in cols:
        kinds[c["type"]] = kinds.get(c["type"], 0) + 1
    res.chart("Column types", "doughnut", list(kinds), [("Columns", list(kinds.values()))])


def invalid(stats: dict, kind: str) -> dict[str, dict[str, Any]]:
    found = {}
    for name, s in stats.items():
        if f"{kind}_bad" not in s or not s["filled"]:
            continue
        bad, example = s[f"{kind}_bad"], s[f"{kind}_example"]
        if kind == "date" and bad > 0.5 * s["filled"]:
            continue  # mostly not dates: the name misled us
        found[name] = {"bad": bad, "example": example, "filled": s["filled"]}
    return found


def score_reasons(n, stats, duplicates, emails, dates, empty_share) -> list[tuple[str, float]]:
    """The points lost for empty cells, empty and one-value columns, duplicates and invalid
    e-mails and dates."""
    reasons: list[tuple[str, float]] = []
    if empty_share > 0:
        reasons.append(
            (f"{100 * empty_share:.1f}% of cells are empty.", min(25.0, 50 * empty_share))
        )
    all_empty = [k for k, s in stats.items() if s["filled"] == 0]
    if all_empty:
        reasons.append(
            (
                f"{len(all_empty)} column(s) are completely empty, e.g. '{all_empty[0]}'.",
                min(10.0, 3.0 * len(all_empty)),
            )
        )
    constant = [k for k, s in stats.items() if s["distinct"] == 1 and n > 1]
    if constant:
        reasons.append(
            (
                f"{len(constant)} column(s) hold one value only, e.g. '{constant[0]}'.",
                min(6.0, 2.0 * len(constant)),
            )
        )
    if duplicates:
        share = duplicates / n
        reasons.append(
            (
                f"{duplicates:,} rows ({100 * share:.1f}%) are exact duplicates.",
                min(20.0, 5 + 60 * share),
            )
        )
    for label, found in (("e-mail addresses", emails), ("dates", dates)):
        for col, v in found.items():
            if v["bad"]:
                share = v["bad"] / v["filled"]
                reasons.append(
                    (
                        f"Column '{col}' has {v['bad']:,} invalid {label}, e.g. '{v['example']}'.",
                        min(15.0, 3 + 40 * share),
                    )
                )
    return reasons
