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


def _period_step(header: str, periods: list):
    """Evidence from a quarter/year/month column: the date falls in the period of its row."""

    def step(rows, readings, table) -> tuple[list[int], str]:
        counts = []
        for r in readings:
            days = row_dates(rows, r)
            pairs = [(d, p) for d, p in zip(days, periods, strict=False) if d and p]
            counts.append(_count(pairs, _same_period))
        example = next((p for p in periods if p), None)
        why = f"the column \u201c{header}\u201d says {_period_text(example)} in the same rows"
        return _counted(counts, why)

    return step


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


def _partner_step(header: str, side: str, by_key: dict):
    """Evidence from a paired column: a start is not after its end in the same row."""

    def step(rows, readings, table) -> tuple[list[int], str]:
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
        why = (
            f"read the other way, {{misses}} of {{total}} rows would have \u201c{first}\u201d "
            f"after \u201c{then}\u201d"
        )
        return _counted(counts, why)

    return step


def _keep(counts: list[tuple[int, int]]) -> list[int]:
    """The readings not clearly worse: a reading is out when it misses several rows (at least
    2 and 5 %) and more than twice as many as the best one, which misses at most 5 %."""
    if any(total == 0 for _, total in counts):
        return list(range(len(counts)))
    misses = [total - good for good, total in counts]
    best = min(misses)
    total = max(t for _, t in counts)
    if best > 0.05 * total:
        return list(range(len(counts)))
    return [
        i for i, miss in enumerate(misses) if miss < max(2, 0.05 * total) or miss < 2 * best + 2
    ]


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


def _counted(counts: list[tuple[int, int]], why: str) -> tuple[list[int], str]:
    keep = _keep(counts)
    out = [i for i in range(len(counts)) if i not in keep]
    if out:
        good, total = counts[min(out, key=lambda i: counts[i][1] - counts[i][0])]
        why = why.replace("{misses}", str(total - good)).replace("{total}", str(total))
    return keep, why


def _future_step(rows, readings, table) -> tuple[list[int], str]:
    future, latest = _future_scores(readings, table)
    keep = _keep(future)
    year = date.fromordinal(max(latest)).year if any(latest) else 0
    return keep, f"read the other way the dates would run to {year}"


def _spread_step(rows, readings, table) -> tuple[list[int], str]:
    spans = _spread_scores(readings)
    narrow = min(range(len(readings)), key=lambda i: spans[i])
    keep = [i for i, span in enumerate(spans) if span <= spans[narrow] * 3 + 366]
    return keep, _spread_text(readings, narrow)


def _neighbour_step(rows, readings, table) -> tuple[list[int], str]:
    steps = _neighbour_steps(rows, readings)
    near = min(range(len(readings)), key=lambda i: steps[i])
    keep = [i for i, step in enumerate(steps) if step <= steps[near] * 2 + 1]
    return keep, "read this way, dates in neighbouring rows lie close together"


def _steps(table: Table) -> list:
    """The evidence, strongest first: functions (rows, readings, table) -> (kept, why)."""
    periods = [_period_step(header, rows) for header, rows in table.periods]
    partners = [_partner_step(*partner) for partner in table.partners]
    return [*periods, *partners, _future_step, _spread_step, _neighbour_step]


def choose(rows: list, readings: list[Reading], table: Table) -> Choice:
    """The most plausible reading, why, and whether it is still a guess.

    Each step of evidence drops the readings it shows to be clearly worse; the step that
    leaves one reading decides. What is left after all steps goes to the weak hints.
    """
    if len(readings) == 1:
        return _only(readings[0], table)
    alive = list(readings)
    dropped: list[Reading] = []
    for step in _steps(table):
        keep, why = step(rows, alive, table)
        if len(keep) == 1:
            winner = alive[keep[0]]
            others = [r for r in alive if r is not winner] + dropped
            return Choice(winner, others, why, False)
        if len(keep) < len(alive):
            dropped = [r for i, r in enumerate(alive) if i not in keep] + dropped
            alive = [alive[i] for i in keep]
    weak = _weak_choice(alive, table)
    return Choice(weak.reading, weak.others + dropped, weak.evidence, weak.ambiguous)


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


def _spread_text(readings, narrow) -> str:
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
