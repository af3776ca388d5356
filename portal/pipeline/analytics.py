"""Seller analytics from Deal and StageTransition rows: funnel, time in stage, bottleneck,
weighted forecast, new deals per week, win rate. Filters: product and period."""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Deal, DealProduct, Stage, StageTransition
from portal.pipeline import history_figures, numbers
from portal.pipeline.settings import setting
from portal.pipeline.stages import list_stages

PERIODS = {30: "Last 30 days", 90: "Last 90 days", 365: "Last 12 months", 0: "All time"}


@dataclass
class FunnelStep:
    stage: Stage
    reached: int
    conversion: float | None  # share of those who reached this stage that reached the next
    median_days: float | None


def _day(value) -> date:
    """SQLite returns 'YYYY-MM-DD', PostgreSQL a date."""
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _deal_filter(product_id: int | None, since: datetime | None) -> list:
    where = []
    if since is not None:
        where.append(Deal.opened_at >= since)
    if product_id is not None:
        where.append(
            Deal.id.in_(select(DealProduct.deal_id).where(DealProduct.product_id == product_id))
        )
    return where


def _medians(product_id: int | None, since: datetime | None) -> dict[int, float]:
    """Median seconds spent in each stage, over the stage changes in the period. Read from
    the stage history once per change of it and period (history_figures)."""
    return dict(
        history_figures.cached(
            "seconds_in_stage", (product_id, since), lambda: _measure(product_id, since)
        )
    )


def _measure(product_id: int | None, since: datetime | None) -> dict[int, float]:
    query = select(StageTransition.from_stage_id, StageTransition.from_stage_seconds).where(
        StageTransition.from_stage_seconds.is_not(None)
    )
    if since is not None:
        query = query.where(StageTransition.occurred_at >= since)
    if product_id is not None:
        query = query.where(
            StageTransition.deal_id.in_(
                select(DealProduct.deal_id).where(DealProduct.product_id == product_id)
            )
        )
    durations: dict[int, list[int]] = defaultdict(list)
    for stage_id, seconds in db.session.execute(query):
        durations[stage_id].append(seconds)
    return {stage_id: statistics.median(values) for stage_id, values in durations.items()}


def period_start(now: datetime, days: int) -> datetime | None:
    """The last ``days`` whole days and today so far (0: all time). Whole days keep the
    period's figures the same all day, so they can be cached (history_figures)."""
    if not days:
        return None
    return now.replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=days)


def compute(product_id: int | None = None, days: int = 90, now: datetime | None = None) -> dict:
    """Everything the analytics page shows, as plain data (also rendered as charts)."""
    now = now or datetime.now(UTC)
    since = period_start(now, days)
    stages = list_stages()
    where = _deal_filter(product_id, since)

    per_stage, lost = {}, 0
    for stage_id, count, lost_count in db.session.execute(
        select(Deal.stage_id, func.count(), func.count(Deal.lost_at))
        .where(*where)
        .group_by(Deal.stage_id)
    ):
        per_stage[stage_id] = count
        lost += lost_count
    # Deals never move back (except when lost, and a lost deal keeps its stage), so a deal
    # reached every stage up to the one it is in.
    reached, running = [], 0
    for stage in reversed(stages):
        running += per_stage.get(stage.id, 0)
        reached.append(running)
    reached.reverse()
    by_stage = _medians(product_id, since)
    medians = [by_stage.get(stage.id) for stage in stages]
    funnel = []
    for index, stage in enumerate(stages):
        nxt = reached[index + 1] if index + 1 < len(stages) else None
        conversion = nxt / reached[index] if nxt is not None and reached[index] else None
        median = medians[index] / 86400 if medians[index] is not None else None
        funnel.append(FunnelStep(stage, reached[index], conversion, median))

    forecast_rows = numbers.forecast(stages, now.date(), numbers.product_filter(product_id))
    won_ids = [s.id for s in stages if s.is_won]
    won = per_stage_sum(per_stage, won_ids)
    decided = won + lost
    return {
        "funnel": funnel,
        "bottleneck": bottleneck(funnel),
        # Pipeline figures are today's (the period picks the deals opened in it above).
        "numbers": numbers.pipeline_numbers(stages, numbers.product_filter(product_id)),
        "forecast": forecast_rows,
        "forecast_total": numbers.sum_months(forecast_rows[:-1]),
        "weekly": new_deals_per_week(where, since, now),
        "won": won,
        "lost": lost,
        "win_rate": won / decided if decided else None,
        "total": reached[0] if reached else 0,
        "currency": setting("PIPELINE_CURRENCY"),
    }


def per_stage_sum(per_stage: dict, stage_ids: list[int]) -> int:
    return sum(per_stage.get(sid, 0) for sid in stage_ids)


def bottleneck(funnel: list[FunnelStep]) -> list[str]:
    """The largest drop and the longest wait, in words."""
    sentences = []
    drops = [
        (step.conversion, index)
        for index, step in enumerate(funnel[:-1])
        if step.conversion is not None and step.reached >= 1
    ]
    if drops:
        conversion, index = min(drops)
        here, there = funnel[index].stage.name, funnel[index + 1].stage.name
        sentences.append(
            f"The largest drop is from {here} to {there}: only {conversion:.0%} of the "
            f"{funnel[index].reached} deals that reached {here} went on to {there}."
        )
    waits = [
        (step.median_days, step.stage.name)
        for step in funnel
        if step.median_days is not None and not step.stage.is_won
    ]
    if waits:
        median, name = max(waits)
        sentences.append(f"Deals wait longest in {name}: {median:.1f} days (median).")
    return sentences


def new_deals_per_week(where: list, since: datetime | None, now: datetime) -> list[dict]:
    day = func.date(Deal.opened_at)
    rows = db.session.execute(select(day, func.count()).where(*where).group_by(day)).all()
    weeks: dict[date, int] = defaultdict(int)
    for value, count in rows:
        d = _day(value)
        weeks[d - timedelta(days=d.weekday())] += count
    start = (since or now).date() if since else (min(weeks) if weeks else now.date())
    monday = start - timedelta(days=start.weekday())
    result = []
    while monday <= now.date():
        result.append({"week": monday.isoformat(), "count": weeks.get(monday, 0)})
        monday += timedelta(days=7)
    return result[-60:]
