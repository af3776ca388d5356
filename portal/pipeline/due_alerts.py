"""Alerts no buyer action raises, found by a periodic job (``flask pipeline digest`` and the
worker run it before mailing): quotes about to expire, and deals gone quiet (stalled).

Each is raised once: a quote once per version, a stalled deal once per quiet spell (the key
holds the deal's last activity, so new activity and a new silence make a new alert)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from portal.extensions import db
from portal.models import Account, Deal, PlanStep, Quote
from portal.models.quotes import OPEN_STATUSES
from portal.pipeline.alerts import notify
from portal.pipeline.settings import setting
from portal.pipeline.stages import list_stages
from portal.pipeline.stalled import stalled_condition


def raise_due_alerts(now: datetime | None = None) -> int:
    """Raise the due "quote expiring" and "stalled" alerts. Returns how many were new."""
    now = now or datetime.now(UTC)
    return _expiring_quotes(now) + _stalled_deals(now) + _overdue_plan_steps(now)


def _expiring_quotes(now: datetime) -> int:
    soon = now + timedelta(days=float(setting("PIPELINE_QUOTE_EXPIRING_DAYS")))
    rows = db.session.execute(
        select(Quote, Deal)
        .join(Deal, Deal.account_id == Quote.account_id)
        .where(
            Quote.status.in_(OPEN_STATUSES),
            Quote.valid_until > now,
            Quote.valid_until <= soon,
            Deal.lost_at.is_(None),
        )
        .order_by(Quote.id)
    ).all()
    raised = 0
    for quote, deal in rows:
        message = (
            f"{deal.account.name}'s quote {quote.number} expires on "
            f"{quote.valid_until:%d %b %Y}: offer to renew it."
        )
        raised += bool(notify(deal, [("quote_expiring", f"quote:{quote.id}:expiring", message)]))
    return raised


def _stalled_deals(now: datetime) -> int:
    stages = {stage.id: stage for stage in list_stages()}
    rows = db.session.execute(
        select(Deal, Account)
        .join(Account, Account.id == Deal.account_id)
        .where(Deal.lost_at.is_(None), stalled_condition(list(stages.values()), now))
        .order_by(Deal.id)
    ).all()
    raised = 0
    for deal, account in rows:
        stage = stages[deal.stage_id]
        last = deal.last_activity_at.replace(tzinfo=deal.last_activity_at.tzinfo or UTC)
        days = (now - last).days
        key = f"stalled:{last:%Y%m%dT%H%M%S}"
        message = f"{account.name} has been quiet for {days} days in {stage.name}."
        raised += bool(notify(deal, [("stalled", key, message)]))
    return raised


def _overdue_plan_steps(now: datetime) -> int:
    """A plan step past its due date and not done: once per step and due date."""
    rows = db.session.execute(
        select(PlanStep, Deal)
        .join(Deal, Deal.account_id == PlanStep.account_id)
        .where(
            PlanStep.status == "active",
            PlanStep.done_at.is_(None),
            PlanStep.due_on < now.date(),
            Deal.lost_at.is_(None),
        )
        .order_by(PlanStep.id)
    ).all()
    raised = 0
    for step, deal in rows:
        late = (now.date() - step.due_on).days
        message = (
            f"{deal.account.name}'s plan step “{step.title}” is overdue by {late} "
            f"day{'s' if late != 1 else ''} (due {step.due_on:%d %b %Y})."
        )
        key = f"plan_step:{step.id}:{step.due_on.isoformat()}"
        raised += bool(notify(deal, [("plan_overdue", key, message)]))
    return raised
