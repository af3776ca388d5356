"""Data Doctor's check of dates against the quarter or year written next to them: a date
2020-10-16 beside "Q4 2016". A quarter column has few labels, so each is parsed once (in
Python) and the comparison over the rows is integer arithmetic in the one extra pass."""

from __future__ import annotations

import re
from typing import Any

from ..sql import ident, literal
from .doctor_findings import MAX_PAIRS, Finding, Pass, interp, share_points

_YEAR_NAME = re.compile(r"year|jahr|ann[eé]e|a[nñ]o|anno|jaar|^fy|fiscal")
_QUARTER_RE = re.compile(
    r"^\s*(?:FY\s*)?(?:Q([1-4])[\s/\-.]*((?:19|20)\d\d)|((?:19|20)\d\d)[\s/\-.]*Q([1-4]))\s*$",
    re.IGNORECASE,
)
_NOT_PERIOD = re.compile(r"exp|birth|born|found|built|model|since")
_GENERIC_WORDS = {"date", "datum", "quarter", "qtr", "year", "fiscal", "fy", "period", "at",
                  "on", "of", "the", "am", "de", "du", "la", "el", "van", "day"}  # fmt: skip


def quarter_key(label: Any) -> int | None:
    """``"Q4 2016"`` / ``"2016-Q4"`` -> ``20164`` (year * 10 + quarter); None otherwise."""
    m = _QUARTER_RE.match(str(label))
    if not m:
        return None
    q, year = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
    return int(year) * 10 + int(q)


def _read_from_quarters(c: dict) -> bool:
    return c["type"] in ("date", "datetime") and "%q" in str(interp(c).get("format") or "")


def quarter_label(shown_date: str) -> str:
    """``"2016-07-01"`` (a quarter's first day, as shown) -> ``"2016-Q3"``."""
    try:
        year, month = int(shown_date[:4]), int(shown_date[5:7])
    except ValueError:
        return shown_date
    return f"{year}-Q{(month - 1) // 3 + 1}"


def _words(name: str) -> set[str]:
    return set(re.findall(r"[^\W\d_]+", name.casefold())) - _GENERIC_WORDS


def _quarter_sql(c: dict, stats: dict) -> tuple[str, str, bool] | None:
    """If ``c`` is a quarter or year column (quarter labels such as "Q4 2016", a date read
    from quarters with "%Y-Q%q", or an integer column of years named so): SQL for its
    year * 10 + quarter (or its year), SQL showing its value, and whether it is years only.
    Years that are not periods of the row (a card's expiry, a birth year) are left out."""
    name, q, kind = c["name"], ident(c["name"]), c["type"]
    s = stats[name]
    if _read_from_quarters(c):
        # shown as its date, labelled in Python (a printf on every row costs ~0.2 CPU-s at 1M)
        return f"(year({q}) * 10 + quarter({q}))", q, False
    if kind == "integer" and _YEAR_NAME.search(name.casefold()):
        low, high = s.get("min"), s.get("max")
        if low is not None and high is not None and 1900 <= low <= high <= 2100:
            return None if _NOT_PERIOD.search(name.casefold()) else (q, q, True)
    groups = s.get("groups")
    if kind != "text" or not groups or len(groups) < s["distinct"] or not s["filled"]:
        return None
    keys = {v: quarter_key(v) for v, _ in groups}
    if sum(k for v, k in groups if keys[v]) < 0.9 * s["filled"]:
        return None
    cases = " ".join(f"WHEN {literal(v)} THEN {key}" for v, key in keys.items() if key)
    return f"(CASE {q} {cases} END)", q, False


def quarter_probes(probes: Pass, columns, dates, stats) -> list[tuple[str, str]]:
    """Every (quarter or year column, date column) pair, compared row by row."""
    pairs = []
    for c in columns:
        period = _quarter_sql(c, stats)
        if period is None:
            continue
        key, shown, year_only = period
        for d in dates:
            if d["name"] == c["name"] or len(pairs) >= MAX_PAIRS:
                continue
            qd = ident(d["name"])
            mine = f"year({qd})" if year_only else f"(year({qd}) * 10 + quarter({qd}))"
            tag = f"qtr:{c['name']}:{d['name']}"
            probes.where(tag, f"{mine} <> {key}", [qd, shown])
            probes.add(f"{tag}:both", f"count_if({qd} IS NOT NULL AND {key} IS NOT NULL)")
            pairs.append((c["name"], d["name"]))
    return pairs


def quarter_findings(found: dict, pairs: list[tuple[str, str]], columns) -> list[Finding]:
    """A quarter column is compared with the date column it belongs to: the one sharing a
    word of its name ("Close Quarter" / "Close Date"), else the one agreeing with it most
    often, if that one agrees in most rows (else the two are not about the same event)."""
    out = []
    interps = {c["name"]: interp(c) for c in columns}
    for qcol in dict.fromkeys(q for q, _ in pairs):
        mine = [d for q, d in pairs if q == qcol]
        named = [d for d in mine if _words(d) & _words(qcol)]

        def agreement(d: str, qcol: str = qcol) -> float:
            tag = f"qtr:{qcol}:{d}"
            both = int(found[f"{tag}:both"] or 0)
            return (both - int(found[f"{tag}:n"] or 0)) / both if both else -1.0

        best = max(mine, key=agreement)
        chosen = named or ([best] if agreement(best) >= 0.5 else [])
        for d in chosen:
            tag = f"qtr:{qcol}:{d}"
            n, both = int(found[f"{tag}:n"] or 0), int(found[f"{tag}:both"] or 0)
            if not n:
                continue
            rows = tuple(found[f"{tag}:rows"] or ())
            vd, vq = found[f"{tag}:ex"]
            if _read_from_quarters(next(c for c in columns if c["name"] == qcol)):
                vq = quarter_label(vq)
            text = (
                f"{n:,} of {both:,} rows have a '{d}' outside the period in '{qcol}'. "
                f"First: row {rows[0]}, {vd} next to '{vq}'."
            )
            if interps[d].get("ambiguous") or interps[d].get("alternatives"):
                text += f" The dates of '{d}' may be read the wrong way round; check its reading."
            fiscal = re.search(r"fiscal|\bfy", qcol.casefold())
            if fiscal and n > 0.5 * both:
                text += " (A fiscal year that starts in another month shifts every row alike.)"
            out.append(Finding("Dates vs period", f"{d} / {qcol}", n, text,
                               share_points(5, n / both, 30), rows=rows))  # fmt: skip
    return out
