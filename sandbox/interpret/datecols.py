"""Settling the date columns of a table, the clearest first, so each informs the next."""

from __future__ import annotations

import re
from datetime import date

from sandbox.interpret import headers
from sandbox.interpret.dates import Reading
from sandbox.interpret.describe import date_reason, null_note
from sandbox.interpret.model import Interpretation
from sandbox.interpret.plausibility import Table, choose, row_dates

_FY = re.compile(r"^(?:FY|GJ|WJ|EX)\s?'?(\d{2}|\d{4})$", re.I)
_YEAR_HEADER = re.compile(r"year|jahr|annee|\bano\b|\banno\b|jaar|\bfy\b|fiscal|exercice|ejercicio")


def _period_rows(f, settled: dict) -> list | None:
    """Per row (year, quarter or None, month or None) if the column names a period."""
    reading = settled.get(f.name)
    if f.kind == "date" and reading is not None and reading.order == "q":
        days = row_dates(f.row_values(), reading)
        return [_quarter(d) if d else None for d in days]
    if f.kind == "date" and reading is not None and reading.order in ("my", "ym"):
        days = row_dates(f.row_values(), reading)
        return [_month(d) if d else None for d in days]
    if f.kind == "number" and _YEAR_HEADER.search(headers.norm(f.name)):
        rows = f.row_values()
        years = [int(v) if v and v.isdigit() and 1900 <= int(v) <= 2100 else None for v in rows]
        return years_only(years)
    if f.kind == "text" and f.present and _fy_head(f):
        rows = f.row_values()
        out = []
        for v in rows:
            m = _FY.match(v) if v else None
            year = int(m.group(1)) if m else None
            out.append((2000 + year if year < 100 else year, None, None) if year else None)
        if sum(1 for p in out if p) >= max(1, len([v for v in rows if v]) // 2):
            return out
    return None


def _fy_head(f) -> bool:
    head = [v.strip() for v in f.values[:200] if v and v.strip()]
    return bool(head) and all(_FY.match(v) for v in head[:20])


def years_only(years: list) -> list | None:
    if not any(years):
        return None
    return [(y, None, None) if y else None for y in years]


def _quarter(day: int) -> tuple[int, int, None]:
    d = date.fromordinal(day)
    return d.year, (d.month - 1) // 3 + 1, None


def _month(day: int) -> tuple[int, None, int]:
    d = date.fromordinal(day)
    return d.year, None, d.month


def _partners(name: str, dated: dict, settled: dict) -> list:
    side = headers.role(name)
    if side is None:
        return []
    out = []
    for other, f in dated.items():
        if other == name or headers.role(other) in (None, side):
            continue
        rows = f.row_values()
        if other in settled:
            by_key = {"*": row_dates(rows, settled[other])}
        else:
            by_key = {r.key: row_dates(rows, r) for r in f.readings}
        out.append((other, headers.role(other), by_key))
    return out


def settle_dates(facts: dict, locale: bool | None, today: date) -> dict[str, Interpretation]:
    """The interpretation of every date column, with evidence from the whole table."""
    dated = {n: f for n, f in facts.items() if f.kind == "date"}
    settled: dict[str, Reading] = {
        n: f.readings[0] for n, f in dated.items() if len(f.readings) == 1
    }
    orders = [r.order for r in settled.values() if r.order in ("dmy", "mdy")]
    periods = []
    for name, f in facts.items():
        rows = _period_rows(f, settled)
        if rows:
            periods.append((name, rows))
    out = {}
    for name, f in sorted(dated.items(), key=lambda kv: len(kv[1].readings)):
        table = Table(
            today=today,
            periods=[p for p in periods if p[0] != name],
            partners=_partners(name, dated, settled),
            other_orders=orders,
            comma_locale=locale,
            name=name,
        )
        choice = choose(f.row_values(), f.readings, table)
        settled[name] = choice.reading
        r = choice.reading
        out[name] = Interpretation(
            type=r.kind,
            format=r.fmt,
            nulls=f.tokens,
            null_count=f.nulls,
            reason=date_reason(r, choice.others, choice.evidence, null_note(f.tokens, f.nulls)),
            ambiguous=choice.ambiguous,
            alternatives=tuple(f"{o.kind}:{o.fmt}" for o in choice.others),
        )
    return out
