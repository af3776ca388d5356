"""The listening view: what buyers look for, straight from the journey log, by period, in
words; every row leads to the deals behind it (``deals_behind``). The ideas open deals voted
for, with the pipeline value behind each, come from the ideas board (``ideas_in_demand``).

Ideas: "open" is the pipeline's one definition (``numbers.open_condition``); a deal's value is
its ``Deal.value`` (net, from ``portal.pipeline.value``). An account with several voters
counts its deal's value once per idea; currencies are never added together."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import distinct, func, select

from portal.extensions import db
from portal.models import Account, Deal, Event, Idea, IdeaVote, Testimonial
from portal.pipeline.board import names_of_products
from portal.pipeline.numbers import open_condition
from portal.pipeline.stages import list_stages
from portal.pipeline.words import reason_words, recipe_title

TOP = 10
# The event properties a row can be narrowed by: name -> how it is read from the props.
PROPS = {
    "query": lambda: Event.props["query"].as_string(),
    "results": lambda: Event.props["results"].as_integer(),
    "recipe": lambda: Event.props["recipe"].as_string(),
    "reason": lambda: Event.props["reason"].as_string(),
    "testimonial_id": lambda: Event.props["testimonial_id"].as_integer(),
}
KINDS = (
    "searched",
    "product_viewed",
    "testimonials_viewed",
    "testimonial_voted",
    "demo_completed",
    "demo_failed",
    "upload_rejected",
    "question_asked",
    "reference_requested",
    "sheet_downloaded",
)


@dataclass
class Row:
    label: str
    count: int
    args: dict  # the drill-down's query arguments


def _since(query, since: datetime | None):
    return query.where(Event.occurred_at >= since) if since is not None else query


def _counts(kind: str, keys: tuple, since: datetime | None, *where) -> list[tuple]:
    count = func.count().label("n")
    query = (
        select(*keys, count)
        .where(Event.kind == kind, keys[-1].is_not(None), *where)
        .group_by(*keys)
        .order_by(count.desc(), *keys)
        .limit(TOP)
    )
    return [tuple(row) for row in db.session.execute(_since(query, since))]


def _by_product(kind: str, since: datetime | None) -> list[Row]:
    rows = _counts(kind, (Event.product_id,), since)
    names = names_of_products({pid for pid, _ in rows})
    return [
        Row(names.get(pid, f"Product #{pid}"), n, {"kind": kind, "product": pid}) for pid, n in rows
    ]


def _searches(since: datetime | None, *where) -> list[Row]:
    return [
        Row(f"“{q}”", n, {"kind": "searched", "query": q})
        for q, n in _counts("searched", (PROPS["query"](),), since, *where)
    ]


def _helpful(since: datetime | None) -> list[Row]:
    rows = _counts("testimonial_voted", (PROPS["testimonial_id"](),), since)
    ids = [tid for tid, _ in rows]
    titles = dict(
        db.session.execute(select(Testimonial.id, Testimonial.title).where(Testimonial.id.in_(ids)))
        if ids
        else []
    )
    return [
        Row(
            f"“{titles[tid]}”" if tid in titles else "A removed testimonial",
            n,
            {"kind": "testimonial_voted", "testimonial_id": tid},
        )
        for tid, n in rows
    ]


def _failures(since: datetime | None) -> list[Row]:
    """Failed runs by demo and reason, then uploads refused before any run, by reason."""
    runs = [
        Row(
            f"{recipe_title(recipe)}: {reason_words(reason)}",
            n,
            {"kind": "demo_failed", "recipe": recipe or "", "reason": reason},
        )
        for recipe, reason, n in _counts(
            "demo_failed", (PROPS["recipe"](), PROPS["reason"]()), since
        )
    ]
    uploads = [
        Row(
            f"Upload refused: {reason_words(reason)}",
            n,
            {"kind": "upload_rejected", "reason": reason},
        )
        for reason, n in _counts("upload_rejected", (PROPS["reason"](),), since)
    ]
    return sorted(runs + uploads, key=lambda row: -row.count)[:TOP]


def compute(days: int = 30, now: datetime | None = None) -> dict[str, list[Row]]:
    now = now or datetime.now(UTC)
    since = now - timedelta(days=days) if days else None
    return {
        "searches": _searches(since),
        "no_results": _searches(since, PROPS["results"]() == 0),
        "viewed": _by_product("product_viewed", since),
        "testimonials": _by_product("testimonials_viewed", since),
        "helpful": _helpful(since),
        "recipes": [
            Row(recipe_title(r), n, {"kind": "demo_completed", "recipe": r})
            for r, n in _counts("demo_completed", (PROPS["recipe"](),), since)
        ],
        "failures": _failures(since),
        "questions": _by_product("question_asked", since),
        "references": _by_product("reference_requested", since),
        "sheets": _by_product("sheet_downloaded", since),
    }


def deals_behind(
    kind: str, props: dict[str, str | int], product_id: int | None, days: int, limit: int = 200
) -> list[tuple[Deal, Account, int]]:
    """The deals whose buyers did ``kind`` (narrowed by product and props) in the period,
    with how often, most first."""
    if kind not in KINDS:
        return []
    where = [Event.kind == kind]
    if product_id is not None:
        where.append(Event.product_id == product_id)
    for name, value in props.items():
        where.append(PROPS[name]() == value)
    if days:
        where.append(Event.occurred_at >= datetime.now(UTC) - timedelta(days=days))
    count = func.count(Event.id).label("n")
    hits = select(Event.account_id, count).where(*where).group_by(Event.account_id).subquery()
    return [
        tuple(row)
        for row in db.session.execute(
            select(Deal, Account, hits.c.n)
            .join(Account, Account.id == Deal.account_id)
            .join(hits, hits.c.account_id == Deal.account_id)
            .order_by(hits.c.n.desc(), Account.name)
            .limit(limit)
        )
    ]


@dataclass
class IdeaDemand:
    idea: Idea
    open_votes: int = 0  # votes from people whose account has an open deal
    open_deals: int = 0
    value: dict[str, int] = field(default_factory=dict)  # {currency: Σ open deal value}


def ideas_in_demand(limit: int | None = TOP) -> list[IdeaDemand]:
    """The ideas most voted for by open deals, with the open pipeline value behind each;
    most open-deal votes first, then the most value."""
    is_open = open_condition(list_stages())
    votes = db.session.execute(
        select(IdeaVote.idea_id, func.count(IdeaVote.id), func.count(distinct(Deal.id)))
        .join(Deal, Deal.account_id == IdeaVote.account_id)
        .join(Idea, Idea.id == IdeaVote.idea_id)
        .where(is_open, Idea.merged_into_id.is_(None), Idea.is_hidden.is_(False))
        .group_by(IdeaVote.idea_id)
    ).all()
    if not votes:
        return []
    pairs = select(IdeaVote.idea_id, IdeaVote.account_id).distinct().subquery()
    values = db.session.execute(
        select(pairs.c.idea_id, Deal.currency, func.sum(Deal.value))
        .join(Deal, Deal.account_id == pairs.c.account_id)
        .where(is_open, pairs.c.idea_id.in_([idea_id for idea_id, _, _ in votes]))
        .group_by(pairs.c.idea_id, Deal.currency)
    ).all()
    by_idea = {idea_id: IdeaDemand(None, n, deals) for idea_id, n, deals in votes}  # type: ignore[arg-type]
    for idea_id, currency, total in values:
        if total:
            by_idea[idea_id].value[currency] = int(total)
    ideas = db.session.scalars(select(Idea).where(Idea.id.in_(by_idea)))
    for idea in ideas:
        by_idea[idea.id].idea = idea
    ranked = sorted(
        by_idea.values(),
        key=lambda d: (-d.open_votes, -max(d.value.values(), default=0), d.idea.id),
    )
    return ranked[:limit] if limit is not None else ranked


def ideas_by_value(rows: list[IdeaDemand], currency: str) -> list[IdeaDemand]:
    """The same ideas ranked by the open pipeline value behind them in ``currency``."""
    return sorted(
        (row for row in rows if row.value.get(currency)),
        key=lambda row: (-row.value[currency], row.idea.id),
    )
