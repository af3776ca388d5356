"""Everything a deal's page shows, gathered in one place (the route only renders it)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from portal.extensions import db
from portal.models import Deal, DealNote, Event, Order, Plan, Quote, StageTransition, User
from portal.pipeline.board import names_of_products
from portal.pipeline.scoring import score_at
from portal.pipeline.settings import setting
from portal.pipeline.stages import list_stages
from portal.pipeline.stalled import is_stalled
from portal.pipeline.suggestions import next_steps
from portal.pipeline.timeline import describe
from portal.pipeline.timeline_groups import group
from portal.pipeline.value_links import value_source

# Shown together: how the buyer's validation went.
HIGHLIGHT_KINDS = (
    "demo_completed",
    "demo_failed",
    "testimonials_viewed",
    "question_asked",
    "reference_requested",
)


def deal_overview(deal: Deal, page: int = 1) -> dict:
    events_page = db.paginate(
        select(Event)
        .where(Event.account_id == deal.account_id)
        .order_by(Event.occurred_at.desc(), Event.id.desc()),
        page=page,
        per_page=30,
        error_out=False,
    )
    stage = {s.id: s for s in list_stages()}.get(deal.stage_id)
    product_names = names_of_products({int(p) for p in deal.product_counters})
    highlights = db.session.scalars(
        select(Event)
        .where(Event.account_id == deal.account_id, Event.kind.in_(HIGHLIGHT_KINDS))
        .order_by(Event.occurred_at.desc(), Event.id.desc())
        .limit(50)
    ).all()
    return {
        "deal": deal,
        "stage": stage,
        "value_source": value_source(deal),
        "timeline": group(describe(events_page.items, deal.account), datetime.now(UTC)),
        "events_page": events_page,
        "highlights": describe(highlights, deal.account),
        "per_product": [
            (product_names.get(int(pid), f"Product #{pid}"), counts)
            for pid, counts in sorted(
                deal.product_counters.items(), key=lambda item: -sum(item[1].values())
            )
        ],
        "committee": db.session.scalars(
            select(User).where(User.account_id == deal.account_id).order_by(User.created_at)
        ).all(),
        "involved": set(deal.people),
        "cart": cart_lines(deal),
        "orders": db.session.scalars(
            select(Order)
            .where(Order.account_id == deal.account_id)
            .order_by(Order.created_at.desc())
        ).all(),
        "quotes": db.session.scalars(
            select(Quote).where(Quote.account_id == deal.account_id).order_by(Quote.id.desc())
        ).all(),
        "now": datetime.now(UTC),
        "history": stage_history(deal),
        "notes": db.session.scalars(
            select(DealNote).where(DealNote.deal_id == deal.id).order_by(DealNote.created_at.desc())
        ).all(),
        "steps": next_steps(deal, stage, product_names),
        "score": score_at(deal.score_log, datetime.now(UTC), setting("PIPELINE_HALF_LIFE_DAYS")),
        "stalled": is_stalled(deal, stage),
    }


def stage_history(deal: Deal) -> list[tuple[StageTransition, str | None]]:
    """Each stage change with the buyer's action that caused it, in words."""
    transitions = db.session.scalars(
        select(StageTransition)
        .where(StageTransition.deal_id == deal.id)
        .order_by(StageTransition.occurred_at.desc(), StageTransition.id.desc())
    ).all()
    event_ids = {t.event_id for t in transitions if t.event_id}
    events = (
        db.session.scalars(select(Event).where(Event.id.in_(event_ids))).all() if event_ids else []
    )
    words = {entry.event.id: entry.text for entry in describe(events, deal.account)}
    # A change the room made has no event; its reason says what the room's figures were.
    return [
        (t, words.get(t.event_id) or (t.reason if t.kind == "advanced" else None) or None)
        for t in transitions
    ]


def cart_lines(deal: Deal) -> list[dict]:
    """The open cart with today's prices."""
    if not deal.cart:
        return []
    plans = {
        p.id: p
        for p in db.session.scalars(select(Plan).where(Plan.id.in_([int(k) for k in deal.cart])))
    }
    lines = []
    for plan_id, quantity in deal.cart.items():
        plan = plans.get(int(plan_id))
        if plan is not None:
            lines.append(
                {
                    "name": f"{plan.product.name} — {plan.name}",
                    "quantity": quantity,
                    "total": plan.unit_amount * quantity,
                    "currency": plan.currency,
                }
            )
    return lines
