"""One definition of every pipeline number; the board, analytics, CSV export and API read it.

- **open**: not in the won stage (Customer) and not lost (``open_condition`` / ``deal_status``);
- **weighted pipeline**: Σ open value × stage probability, per currency (never summed across
  currencies), rounded once at the end: ``(Σ value × probability + 50) // 100``;
- **forecast**: each open deal's weighted value in its expected close month. A deal is expected
  to close the measured median time to close after it entered its stage (from the stage
  history of won deals); one already past that needs at least the median of the next stage.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import and_, func, select

from portal.extensions import db
from portal.models import Deal, DealProduct, Stage, StageTransition
from portal.pipeline import history_figures

# A stage with no won deal through it yet: this many days per stage left to the purchase.
DEFAULT_STAGE_DAYS = 14
FORECAST_MONTHS = 6


def won_stage_ids(stages: Iterable[Stage]) -> list[int]:
    return [stage.id for stage in stages if stage.is_won]


def open_condition(stages: Iterable[Stage]):
    """SQL: the deal is open (the twin of ``deal_status(...) == "open"``)."""
    won = won_stage_ids(stages)
    condition = Deal.lost_at.is_(None)
    return and_(condition, Deal.stage_id.not_in(won)) if won else condition


def deal_status(deal: Deal, stage: Stage | None) -> str:
    """ "lost", "won" or "open" - the words the CSV and the API use."""
    if deal.lost_at is not None:
        return "lost"
    return "won" if stage is not None and stage.is_won else "open"


def product_filter(product_id: int | None) -> list:
    """SQL: deals that touched the product (none: every deal)."""
    if product_id is None:
        return []
    return [Deal.id.in_(select(DealProduct.deal_id).where(DealProduct.product_id == product_id))]


def weighted(value_times_percent: int) -> int:
    return (value_times_percent + 50) // 100


@dataclass
class StageFigures:
    stage: Stage
    count: int = 0  # not lost
    lost: int = 0
    values: dict[str, int] = field(default_factory=dict)  # {currency: minor units}

    @property
    def weighted(self) -> dict[str, int]:
        if self.stage.is_won:
            return {}
        return {cur: weighted(v * self.stage.probability) for cur, v in self.values.items()}


@dataclass
class PipelineNumbers:
    stages: list[StageFigures]

    def _open(self) -> list[StageFigures]:
        return [s for s in self.stages if not s.stage.is_won]

    @property
    def open_count(self) -> int:
        return sum(s.count for s in self._open())

    @property
    def open_value(self) -> dict[str, int]:
        return _add(s.values for s in self._open())

    @property
    def weighted(self) -> dict[str, int]:
        """Rounded once over all stages (not a sum of rounded columns)."""
        raw = _add(
            {cur: v * s.stage.probability for cur, v in s.values.items()} for s in self._open()
        )
        return {cur: weighted(v) for cur, v in raw.items()}

    @property
    def lost(self) -> int:
        return sum(s.lost for s in self.stages)

    @property
    def won_count(self) -> int:
        return sum(s.count for s in self.stages if s.stage.is_won)

    @property
    def won_value(self) -> dict[str, int]:
        return _add(s.values for s in self.stages if s.stage.is_won)

    def as_dict(self) -> dict:
        return {
            "open": {"count": self.open_count, "value": self.open_value},
            "weighted": self.weighted,
            "won": {"count": self.won_count, "value": self.won_value},
            "lost": self.lost,
            "stages": [
                {
                    "id": s.stage.id,
                    "name": s.stage.name,
                    "probability": s.stage.probability,
                    "count": s.count,
                    "value": s.values,
                    "weighted": s.weighted,
                }
                for s in self.stages
            ],
        }


def _add(parts: Iterable[dict[str, int]]) -> dict[str, int]:
    total: dict[str, int] = defaultdict(int)
    for part in parts:
        for currency, amount in part.items():
            total[currency] += amount
    return dict(sorted(total.items()))


def pipeline_numbers(stages: Sequence[Stage], where: Sequence = (), join=None) -> PipelineNumbers:
    """Counts and values per stage and currency of the deals matching ``where`` (lost deals
    counted apart). ``join``: a callable adding the joins ``where`` needs to a select.
    One grouped query; cost grows with stages × currencies, not deals."""
    is_lost = Deal.lost_at.is_not(None)
    query = select(Deal.stage_id, Deal.currency, is_lost, func.count(), func.sum(Deal.value))
    query = query.where(*where)
    if join is not None:
        query = join(query)
    figures = {stage.id: StageFigures(stage) for stage in stages}
    for stage_id, currency, lost, count, value in db.session.execute(
        query.group_by(Deal.stage_id, Deal.currency, is_lost)
    ):
        if stage_id not in figures:
            continue
        if lost:  # lost deals are not pipeline: counted apart, their value left out
            figures[stage_id].lost += count
        else:
            figures[stage_id].count += count
            if value:
                figures[stage_id].values[currency] = int(value)
    return PipelineNumbers([figures[stage.id] for stage in stages])


def median_days_to_close(stages: Sequence[Stage]) -> dict[int, float]:
    """Days from entering each stage to entering the won stage, median over won deals; a
    stage without such a deal gets the next stage's figure plus ``DEFAULT_STAGE_DAYS``.
    Read from the stage history once per change of it (history_figures)."""
    order = tuple((stage.id, stage.is_won) for stage in stages)
    return dict(
        history_figures.cached("days_to_close", order, lambda: _measure_days_to_close(stages))
    )


def _measure_days_to_close(stages: Sequence[Stage]) -> dict[int, float]:
    won = won_stage_ids(stages)
    measured: dict[int, list[float]] = defaultdict(list)
    if won:
        won_deals = select(StageTransition.deal_id).where(StageTransition.to_stage_id.in_(won))
        entries = db.session.execute(
            select(
                StageTransition.deal_id,
                StageTransition.to_stage_id,
                func.min(StageTransition.occurred_at),
            )
            .where(StageTransition.deal_id.in_(won_deals), StageTransition.to_stage_id.is_not(None))
            .group_by(StageTransition.deal_id, StageTransition.to_stage_id)
        )
        by_deal: dict[int, dict[int, datetime]] = defaultdict(dict)
        for deal_id, stage_id, at in entries:
            by_deal[deal_id][stage_id] = at
        for entered in by_deal.values():
            closed = min((entered[s] for s in won if s in entered), default=None)
            for stage_id, at in entered.items():
                if stage_id not in won and closed is not None and at <= closed:
                    measured[stage_id].append((closed - at).total_seconds() / 86400)
    result: dict[int, float] = {}
    following = 0.0
    for stage in reversed(stages):
        if stage.is_won:
            following = 0.0
        elif measured.get(stage.id):
            following = statistics.median(measured[stage.id])
        else:
            following += DEFAULT_STAGE_DAYS
        result[stage.id] = following
    return result


def close_rules(
    stages: Sequence[Stage], to_close: dict[int, float], today: date
) -> dict[int, tuple[timedelta, date]]:
    """Per open stage: the time from entering it to the purchase (its median to close) and the
    soonest close (today + the next open stage's median), for ``expected_close``."""
    open_stages = [s for s in stages if not s.is_won]
    rules = {}
    for index, stage in enumerate(open_stages):
        nxt = open_stages[index + 1].id if index + 1 < len(open_stages) else None
        soonest = today + timedelta(days=to_close.get(nxt, 0.0) if nxt is not None else 0.0)
        rules[stage.id] = (timedelta(days=to_close.get(stage.id, DEFAULT_STAGE_DAYS)), soonest)
    return rules


def expected_close(entered: date, rule: tuple[timedelta, date]) -> date:
    """Entered + the stage's median to close; never before today + the next stage's median."""
    to_close, soonest = rule
    return max(entered + to_close, soonest)


def month_keys(today: date, months: int = FORECAST_MONTHS) -> list[tuple[int, int]]:
    year, month, keys = today.year, today.month, []
    for _ in range(months):
        keys.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return keys


def forecast(stages: Sequence[Stage], today: date, where: Sequence = ()) -> list[dict]:
    """Weighted value of the open deals by expected close month, per currency: the next
    ``FORECAST_MONTHS`` months, then "Later". [{"month", "start", "value": {currency: n}}]"""
    rules = close_rules(stages, median_days_to_close(stages), today)
    probability = {s.id: s.probability for s in stages}
    day = func.date(Deal.stage_entered_at)
    query = (
        select(Deal.stage_id, Deal.currency, day, func.sum(Deal.value))
        .where(open_condition(stages), Deal.value > 0, *where)
        .group_by(Deal.stage_id, Deal.currency, day)
    )
    keys = month_keys(today)
    shown = set(keys)
    raw: dict[tuple[int, int] | str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for stage_id, currency, entered, value in db.session.execute(query):
        rule = rules.get(stage_id)
        if rule is None:
            continue
        close = expected_close(as_date(entered), rule)
        key = (close.year, close.month) if (close.year, close.month) in shown else "later"
        raw[key][currency] += int(value) * probability[stage_id]
    rows = [
        {
            "month": date(y, m, 1).strftime("%b %Y"),
            "start": date(y, m, 1).isoformat(),
            "value": {c: weighted(v) for c, v in sorted(raw[(y, m)].items())},
        }
        for y, m in keys
    ]
    later = {c: weighted(v) for c, v in sorted(raw["later"].items())}
    rows.append({"month": "Later", "start": None, "value": later})
    return rows


def sum_months(rows: Iterable[dict]) -> dict[str, int]:
    """The forecast rows' values added up per currency."""
    return _add(row["value"] for row in rows)


def as_date(value) -> date:
    """SQLite returns 'YYYY-MM-DD', PostgreSQL a date."""
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
