"""The listening view: what buyers look for, straight from the journey log, by period."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Event
from portal.pipeline.board import names_of_products

TOP = 10


def _counts(kind: str, key, since: datetime | None, *where, limit: int = TOP) -> list[tuple]:
    count = func.count().label("n")
    query = (
        select(key, count)
        .where(Event.kind == kind, key.is_not(None), *where)
        .group_by(key)
        .order_by(count.desc(), key)
        .limit(limit)
    )
    if since is not None:
        query = query.where(Event.occurred_at >= since)
    return [tuple(row) for row in db.session.execute(query)]


def _by_product(kind: str, since: datetime | None) -> list[tuple[str, int]]:
    rows = _counts(kind, Event.product_id, since)
    names = names_of_products({pid for pid, _ in rows})
    return [(names.get(pid, f"Product #{pid}"), n) for pid, n in rows]


def compute(days: int = 30, now: datetime | None = None) -> dict:
    now = now or datetime.now(UTC)
    since = now - timedelta(days=days) if days else None
    query = Event.props["query"].as_string()
    results = Event.props["results"].as_integer()
    recipe = Event.props["recipe"].as_string()
    reason = Event.props["reason"].as_string()
    testimonial = Event.props["testimonial_id"].as_integer()
    failures = [
        (f"{r or 'unknown recipe'}: {why}", n)
        for (r, why), n in _pairs("demo_failed", recipe, reason, since)
    ]
    return {
        "searches": _counts("searched", query, since),
        "no_results": _counts("searched", query, since, results == 0),
        "viewed": _by_product("product_viewed", since),
        "testimonials": _by_product("testimonials_viewed", since),
        "helpful": [
            (f"Testimonial #{tid}", n)
            for tid, n in _counts("testimonial_voted", testimonial, since)
        ],
        "recipes": _counts("demo_completed", recipe, since),
        "failures": failures,
        "questions": _by_product("question_asked", since),
        "references": _by_product("reference_requested", since),
        "sheets": _by_product("sheet_downloaded", since),
    }


def _pairs(kind: str, first, second, since: datetime | None) -> list:
    count = func.count().label("n")
    query = (
        select(first, second, count)
        .where(Event.kind == kind, second.is_not(None))
        .group_by(first, second)
        .order_by(count.desc())
        .limit(TOP)
    )
    if since is not None:
        query = query.where(Event.occurred_at >= since)
    return [((a, b), n) for a, b, n in db.session.execute(query)]
