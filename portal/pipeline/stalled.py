""" "Stalled": a flag, not a stage. A deal is stalled when its stage has a stalled-after period
(0 = never) and the buyer has been quiet for longer than that. One definition, for Python
(``is_stalled``) and SQL (``stalled_condition``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, false, or_

from portal.models import Deal, Stage


def quiet_since(stage: Stage, now: datetime) -> datetime:
    """Activity before this moment means a deal in ``stage`` is stalled."""
    return now - timedelta(days=stage.stalled_after_days)


def is_stalled(deal: Deal, stage: Stage | None, now: datetime | None = None) -> bool:
    now = now or datetime.now(UTC)
    if stage is None or not stage.stalled_after_days or deal.lost_at is not None:
        return False
    return deal.last_activity_at < quiet_since(stage, now)


def stalled_condition(stages: list[Stage], now: datetime):
    """SQL: the deal sits in a stage with a stalled-after period and was quiet for longer."""
    parts = [
        and_(Deal.stage_id == stage.id, Deal.last_activity_at < quiet_since(stage, now))
        for stage in stages
        if stage.stalled_after_days > 0
    ]
    return or_(*parts) if parts else false()
