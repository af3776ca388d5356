"""The board's listing: one select per page, sorted and filtered in SQL.

The counts it shows live on the idea (see ``portal.models.ideas``) and the product comes in
the same query, so a page costs the same whether the board holds ten ideas or thousands.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, case, select
from sqlalchemy.orm import joinedload

from portal.bounds import MAX_ID, bounded_int
from portal.extensions import db
from portal.models import Idea
from portal.models.ideas import IDEA_STATUSES

SORTS: dict[str, str] = {
    "trending": "Trending",
    "top": "Top",
    "newest": "Newest",
    "status": "Status",
}


@dataclass(frozen=True)
class BoardFilters:
    sort: str = "trending"
    status: str | None = None
    product_id: int | None = None

    @classmethod
    def from_args(cls, args, product_id: int | None = None) -> BoardFilters:
        """Unknown values fall back to the defaults (a filter link never errors)."""
        sort = args.get("sort") if args.get("sort") in SORTS else "trending"
        status = args.get("status") if args.get("status") in IDEA_STATUSES else None
        if product_id is None:
            raw = args.get("product", "")
            product_id = bounded_int(raw, 1, MAX_ID)
        return cls(sort=sort, status=status, product_id=product_id)


def on_board() -> list:
    """SQL: the idea is on the board (not merged away, not hidden)."""
    return [Idea.merged_into_id.is_(None), Idea.is_hidden.is_(False)]


def board_ideas(filters: BoardFilters) -> Select:
    """A select of the board's ideas, for paginate."""
    query = select(Idea).where(*on_board()).options(joinedload(Idea.product))
    if filters.status:
        query = query.where(Idea.status == filters.status)
    if filters.product_id is not None:
        query = query.where(Idea.product_id == filters.product_id)
    newest = (Idea.created_at.desc(), Idea.id.desc())
    if filters.sort == "top":
        return query.order_by(Idea.vote_count.desc(), *newest)
    if filters.sort == "newest":
        return query.order_by(*newest)
    if filters.sort == "status":
        position = case({code: i for i, code in enumerate(IDEA_STATUSES)}, value=Idea.status)
        return query.order_by(position, Idea.vote_count.desc(), *newest)
    return query.order_by(Idea.trend_log.desc().nulls_last(), *newest)


@dataclass(frozen=True)
class IdeaHit:
    """An idea in the site search: plain values, so the page needs no reload after commit."""

    id: int
    title: str
    status_label: str
    vote_count: int
    customer_vote_count: int
    product_name: str


def search_ideas(terms: list[str], limit: int = 10) -> list[IdeaHit]:
    """Board ideas whose title or description has every term (for the site search)."""
    if not terms:
        return []
    query = select(Idea).where(*on_board()).options(joinedload(Idea.product))
    for term in terms:
        # Terms are letters and digits only (search_terms), so no LIKE wildcard gets in.
        pattern = f"%{term}%"
        query = query.where(Idea.title.ilike(pattern) | Idea.description_md.ilike(pattern))
    ideas = db.session.scalars(query.order_by(Idea.vote_count.desc(), Idea.id).limit(limit))
    return [
        IdeaHit(
            idea.id,
            idea.title,
            idea.status_label,
            idea.vote_count,
            idea.customer_vote_count,
            idea.product.name if idea.product else "",
        )
        for idea in ideas
    ]
