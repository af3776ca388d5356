"""A deal's events told in plain words: "Dana (globex.example) ran Pipeline Lens on 12,430
rows". Names are looked up once per page of events; ``group`` then folds what a person would
read as one thing (a cart emptied by its order, the same thing done again that day) and each
line carries a link to what it is about."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from portal.extensions import db
from portal.journey.kinds import EVENT_KINDS
from portal.models import Account, Event, Idea, Plan, PlanStep, Product, User
from portal.pipeline.timeline_groups import link_of
from portal.pipeline.words import ROOM_KINDS, reason_words, room_sentence
from portal.templating import money


@dataclass
class Entry:
    event: Event
    text: str
    link: tuple[str, dict] | None = None  # (endpoint, url_for arguments)
    times: int = 1  # how many events this line stands for (the same thing, the same day)
    latest: Event | None = None
    suffix: str = ""  # " · 4 times today"

    @property
    def occurred_at(self) -> datetime:
        return (self.latest or self.event).occurred_at


def _who(user: User | None, account: Account) -> str:
    where = account.domain or account.name
    if user is None:
        return f"Someone at {where}"
    first = (user.name or "").split()[0] if user.name else user.email.split("@", 1)[0]
    return f"{first} ({where})"


def _n(value) -> str:
    return f"{value:,}" if isinstance(value, int) else "some"


def sentence(
    event: Event,
    who: str,
    product: str | None,
    plan: Plan | None,
    step: str | None = None,
    idea: str | None = None,
) -> str:
    """One event as a sentence (``product`` is its name, or None; ``step`` the title of the
    plan step it is about; ``idea`` an idea's title)."""
    p = event.props or {}
    if event.kind in ROOM_KINDS:
        return room_sentence(event.kind, p, who, product, step)
    thing = product or (plan.product.name if plan is not None else None) or "a product"
    amount = money(p["amount"], p.get("currency", "USD")) if "amount" in p else None
    plan_name = f"{thing} {plan.name}" if plan is not None else thing
    texts = {
        "product_viewed": f"{who} viewed {thing}",
        "products_compared": f"{who} compared {p.get('count') or 'several'} products",
        "searched": f"{who} searched for “{p.get('query', '')}”"
        + (f" ({_n(p['results'])} results)" if "results" in p else ""),
        "resource_downloaded": f"{who} downloaded a resource about {thing}",
        "sheet_downloaded": f"{who} downloaded the {thing} product sheet",
        "demo_uploaded": f"{who} uploaded {_n(p.get('rows'))} rows of their own data"
        + (f" ({p['format']})" if p.get("format") else "")
        + f" to try {thing}",
        "demo_started": f"{who} started a {thing} demo",
        "demo_completed": f"{who} ran {thing} on {_n(p.get('rows'))} rows",
        "demo_failed": f"{who}'s {thing} demo failed"
        + (f" ({p['reason'].replace('_', ' ')})" if p.get("reason") else ""),
        "demo_result_downloaded": f"{who} downloaded the {thing} demo results",
        "dataset_deleted": f"{who} deleted their uploaded data",
        "upload_rejected": f"{who}'s upload to try {thing} was refused because of "
        + reason_words(p.get("reason")),
        "testimonials_viewed": f"{who} read {p.get('count') or 'the'} testimonials about {thing}",
        "testimonial_voted": f"{who} found a {thing} testimonial helpful",
        "reference_requested": f"{who} asked to talk to a customer who uses {thing}",
        "question_asked": f"{who} asked a question about {thing}",
        "answer_viewed": f"{who} read answers about {thing}",
        "idea_posted": f"{who} posted the idea “{idea}”" if idea else f"{who} posted an idea",
        "idea_voted": f"{who} voted for “{idea}”" if idea else f"{who} voted for an idea",
        "cart_item_added": f"{who} put {p.get('quantity', 1)} × {plan_name} in the cart",
        "cart_item_removed": f"{who} took {plan_name} out of the cart",
        "checkout_started": f"{who} started checkout" + (f" for {amount}" if amount else ""),
        "quote_downloaded": f"{who} downloaded a quote",
        "quote_requested": f"{who} asked for a quote" + (f" of {amount}" if amount else ""),
        "quote_viewed": f"{who} opened their quote",
        "quote_accepted": f"{who} accepted a quote" + (f" of {amount}" if amount else ""),
        "order_placed": f"{who} placed an order"
        + (f" of {amount}" if amount else "")
        + (" to pay by invoice" if p.get("method") == "invoice" else ""),
        "order_paid": f"{who} paid {amount}" if amount else f"{who} paid an order",
        "order_refunded": f"{who} was refunded {amount}" if amount else f"{who} got a refund",
    }
    if event.kind in texts:
        return texts[event.kind]
    kind = EVENT_KINDS.get(event.kind)
    label = kind.label if kind else event.kind.replace("_", " ")
    return f"{who} {label}" + (f" ({product})" if product else "")


def describe(events: Sequence[Event], account: Account) -> list[Entry]:
    user_ids = {e.user_id for e in events if e.user_id}
    product_ids = {e.product_id for e in events if e.product_id}
    plan_ids = {
        e.props["plan_id"] for e in events if isinstance(e.props, dict) and e.props.get("plan_id")
    }
    users = (
        {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(user_ids)))}
        if user_ids
        else {}
    )
    products = (
        {
            pid: (name, slug)
            for pid, name, slug in db.session.execute(
                select(Product.id, Product.name, Product.slug).where(Product.id.in_(product_ids))
            )
        }
        if product_ids
        else {}
    )
    plans = (
        {p.id: p for p in db.session.scalars(select(Plan).where(Plan.id.in_(plan_ids)))}
        if plan_ids
        else {}
    )
    step_ids = {
        e.props["step_id"] for e in events if isinstance(e.props, dict) and e.props.get("step_id")
    }
    steps = (
        {
            step_id: title
            for step_id, title in db.session.execute(
                select(PlanStep.id, PlanStep.title).where(PlanStep.id.in_(step_ids))
            )
        }
        if step_ids
        else {}
    )
    idea_ids = {
        e.props["idea_id"] for e in events if isinstance(e.props, dict) and e.props.get("idea_id")
    }
    ideas = (
        dict(db.session.execute(select(Idea.id, Idea.title).where(Idea.id.in_(idea_ids))).all())
        if idea_ids
        else {}
    )
    entries = []
    for event in events:
        name, slug = products.get(event.product_id, (None, None))
        plan = plans.get((event.props or {}).get("plan_id"))
        if slug is None and plan is not None:
            slug = plan.product.slug
        who = _who(users.get(event.user_id), account)
        step = steps.get((event.props or {}).get("step_id"))
        idea = ideas.get((event.props or {}).get("idea_id"))
        text = sentence(event, who, name, plan, step=step, idea=idea)
        entries.append(Entry(event, text, link_of(event, slug)))
    return entries
