"""Choosing between date readings that all fit: evidence from the whole table.

Order of evidence, strongest first (the first one that tells the readings apart decides):

1. agreement with a quarter/year column in the same rows ("Q4 2016", "FY2016", 2016);
2. paired columns: a start (created, Erstellt am, start) is not after its end (closed,
   Abschlussdatum, end) in the same row;
3. not in the future: dates more than two years after ``today`` are implausible;
4. a compact range: one reading keeps the dates within a few years, another spreads them
   over decades;
5. neighbours: consecutive rows close in time under one reading, jumping under another;
6. the order the other date columns of the file use (only a hint: flagged ambiguous);
7. the file's locale: decimal commas, headers in a day-first language (flagged ambiguous);
8. nothing settles it: year first, then day first (flagged ambiguous).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sandbox.interpret.dates import Reading
from sandbox.interpret.months import ENGLISH

ORDER_WORDS = {
    "dmy": "day first",
    "mdy": "month first",
    "ymd": "year first",
}
_FALLBACK = {"ymd": 0, "dmy": 1, "mdy": 2}


@dataclass
class Choice:
    reading: Reading
    others: list[Reading]
    evidence: str  # the sentence part saying why
    ambiguous: bool


def _count(pairs: list[tuple], test) -> tuple[int, int]:
    """(pairs passing the test, pairs)."""
    return sum(1 for a, b in pairs if test(a, b)), len(pairs)


def row_dates(rows: list, reading: Reading) -> list[int | None]:
    ords = reading.ordinals
    return [ords.get(v) if v is not None else None for v in rows]


@dataclass
class Table:
    """What the whole table offers as evidence for one column's dates."""

    today: date
    periods: list[tuple[str, list]]  # (header, per row (year, quarter, month) or None)
    partners: list[tuple[str, str, dict]]  # (header, "start"/"end", reading key -> rows)
    other_orders: list[str]  # orders other date columns settled on by their values
    comma_locale: bool | None
    name: str = "this column"


def _period_scores(rows, readings, table):
    for header, periods in table.periods:
        counts = []
        for r in readings:
            days = row_dates(rows, r)
            pairs = [(d, p) for d, p in zip(days, periods, strict=False) if d and p]
            counts.append(_count(pairs, _same_period))
        example = next((p for p in periods if p), None)
        yield (
            counts,
            f"the column \u201c{header}\u201d says {_period_text(example)} in the same rows",
        )


def _same_period(day: int, period: tuple) -> bool:
    d = date.fromordinal(day)
    year, quarter, month = period
    if d.year != year or (month is not None and d.month != month):
        return False
    return quarter is None or (d.month - 1) // 3 + 1 == quarter


def _period_text(period) -> str:
    if not period:
        return "the period"
    year, quarter, month = period
    if month:
        return f"{ENGLISH[month - 1]} {year}"
    return f"Q{quarter} {year}" if quarter else str(year)


def _partner_scores(rows, readings, table):
    for header, side, by_key in table.partners:
        counts = []
        for r in readings:
            other = by_key.get(r.key) or by_key.get("*") or []
            days = row_dates(rows, r)
            pairs = [(a, b) for a, b in zip(days, other, strict=False) if a and b]
            if side == "end":
                counts.append(_count(pairs, lambda a, b: a <= b))
            else:
                counts.append(_count(pairs, lambda a, b: b <= a))
        first, then = (table.name, header) if side == "end" else (header, table.name)
        yield (
            counts,
            (
                f"read the other way, {{misses}} of {{total}} rows would have \u201c{first}\u201d "
                f"after \u201c{then}\u201d"
            ),
        )


def _decisive(counts: list[tuple[int, int]]) -> int | None:
    """The reading that fits (nearly) every row while each other one misses several."""
    if len(counts) < 2 or any(total == 0 for _, total in counts):
        return None
    misses = [total - good for good, total in counts]
    best = min(range(len(counts)), key=lambda i: misses[i])
    total = counts[best][1]
    if misses[best] > 0.05 * total:
        return None
    for i, miss in enumerate(misses):
        if i != best and (miss < max(2, 0.05 * total) or miss < 2 * misses[best] + 2):
            return None
    return best


def _future_scores(readings, table):
    """Per reading (distinct dates not after today + 2 years, distinct dates) and the latest."""
    limit = date(table.today.year + 2, table.today.month, 1).toordinal()
    counts, latest = [], []
    for r in readings:
        values = r.days
        counts.append((sum(1 for v in values if v <= limit), len(values)))
        latest.append(max(values) if values else 0)
    return counts, latest


def _spread_scores(readings) -> list[float]:
    spans = []
    for r in readings:
        values = r.days
        spans.append(max(values) - min(values) if values else 0)
    return spans


def _neighbour_steps(rows, readings) -> list[float]:
    out = []
    for r in readings:
        days = [d for d in row_dates(rows, r) if d]
        steps = [abs(b - a) for a, b in zip(days, days[1:], strict=False)]
        out.append(sum(steps) / len(steps) if steps else 0.0)
    return out


def choose(rows: list, readings: list[Reading], table: Table) -> Choice:
    """The most plausible reading, why, and whether it is still a guess."""
    if len(readings) == 1:
        return _only(readings[0], table)
    for counts, why in [
        *_period_scores(rows, readings, table),
        *_partner_scores(rows, readings, table),
    ]:
        best = _decisive(counts)
        if best is not None:
            runner = min(
                (i for i in range(len(counts)) if i != best),
                key=lambda i: counts[i][1] - counts[i][0],
            )
            good, total = counts[runner]
            why = why.replace("{misses}", str(total - good)).replace("{total}", str(total))
            return _pick(readings, best, why, False)
    future, latest = _future_scores(readings, table)
    best = _decisive(future)
    if best is not None:
        worst = max(range(len(readings)), key=lambda i: latest[i])
        year = date.fromordinal(latest[worst]).year
        return _pick(readings, best, f"read the other way the dates would run to {year}", False)
    spans = _spread_scores(readings)
    narrow = min(range(len(readings)), key=lambda i: spans[i])
    if all(spans[narrow] * 3 + 366 < s for i, s in enumerate(spans) if i != narrow):
        return _pick(readings, narrow, _spread_text(readings, narrow, spans), False)
    steps = _neighbour_steps(rows, readings)
    near = min(range(len(readings)), key=lambda i: steps[i])
    if all(steps[near] * 2 + 1 < s for i, s in enumerate(steps) if i != near):
        return _pick(
            readings, near, "read this way, dates in neighbouring rows lie close together", False
        )
    return _weak_choice(readings, table)


def _only(reading: Reading, table: Table) -> Choice:
    """The one reading; flagged when two-digit years put dates decades after today."""
    if "%y" in reading.key and reading.days:
        latest = date.fromordinal(max(reading.days))
        if latest.year > table.today.year + 10:
            why = (
                f"two-digit years read the usual way run to {latest.year}; "
                "if they mean 19xx, the column cannot be read as dates yet"
            )
            return Choice(reading, [], why, True)
    return Choice(reading, [], "", False)


def _spread_text(readings, narrow, spans) -> str:
    values = readings[narrow].days
    lo, hi = date.fromordinal(min(values)).year, date.fromordinal(max(values)).year
    span = f"{lo}" if lo == hi else f"{lo} to {hi}"
    return f"this keeps the dates within {span}, the other way spreads them over decades"


def _weak_choice(readings: list[Reading], table: Table) -> Choice:
    orders = [r.order for r in readings]
    for order in table.other_orders:
        if order in orders:
            word = ORDER_WORDS.get(order, order)
            return _pick(
                readings, orders.index(order), f"other dates in the file are {word}", True, True
            )
    if table.comma_locale and "dmy" in orders:
        return _pick(
            readings,
            orders.index("dmy"),
            "the file uses decimal commas or a language that writes the day first",
            True,
            True,
        )
    best = min(range(len(readings)), key=lambda i: _FALLBACK.get(orders[i], 9))
    return _pick(readings, best, "nothing else in the file tells the order either", True, True)


def _pick(readings, index, why, ambiguous, unsettled=False) -> Choice:
    others = [r for i, r in enumerate(readings) if i != index]
    if unsettled:
        why = "no value settles the order; " + why
    return Choice(readings[index], others, why, ambiguous)
