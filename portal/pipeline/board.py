"""The board: one column per stage, read from the pre-aggregated Deal rows.

The number of queries is fixed (stages, column totals, the cards of every column in one
UNION, then people and product names for the cards shown), whatever the number of deals.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import Select, func, or_, select, union_all
from sqlalchemy.orm import defer

from portal.bounds import MAX_ID, bounded_int
from portal.extensions import db
from portal.models import Account, Deal, DealProduct, Product, Stage, User
from portal.pipeline.numbers import PipelineNumbers, StageFigures, pipeline_numbers
from portal.pipeline.room_link import PlanStatus, plan_status
from portal.pipeline.scoring import score_at, score_log_for
from portal.pipeline.settings import setting
from portal.pipeline.stages import list_stages
from portal.pipeline.stalled import is_stalled, stalled_condition

SORTS = {
    "score": "Engagement score",
    "value": "Value",
    "activity": "Last activity",
    "days": "Days in stage",
    "name": "Account name",
}
STATUSES = {"open": "Open deals", "lost": "Lost deals", "all": "Open and lost"}


def _int(value: str | None) -> int | None:
    return bounded_int(value, 1, MAX_ID)


def _float(value: str | None) -> float | None:
    try:
        number = float(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None
    return number if number is None or (0 <= number < 1e9) else None


@dataclass
class BoardFilters:
    product_id: int | None = None
    owner: str = ""  # "", "me", "none" or a seller's id
    score_min: float | None = None
    score_max: float | None = None
    stalled: bool = False
    q: str = ""
    sort: str = "score"
    status: str = "open"

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> BoardFilters:
        """Read filters from query arguments; anything malformed is ignored, never an error."""
        owner = (args.get("owner") or "").strip()
        if owner not in ("", "me", "none") and _int(owner) is None:
            owner = ""
        sort = args.get("sort") or "score"
        status = args.get("status") or "open"
        return cls(
            product_id=_int(args.get("product")),
            owner=owner,
            score_min=_float(args.get("score_min")),
            score_max=_float(args.get("score_max")),
            stalled=args.get("stalled") in ("1", "on", "true", "yes"),
            q=" ".join((args.get("q") or "").split())[:100],
            sort=sort if sort in SORTS else "score",
            status=status if status in STATUSES else "open",
        )

    def as_args(self) -> dict[str, str]:
        """The non-default filters as query arguments (for links, export, polling)."""
        args = {
            "product": self.product_id,
            "owner": self.owner,
            "score_min": self.score_min,
            "score_max": self.score_max,
            "stalled": "1" if self.stalled else None,
            "q": self.q,
            "sort": self.sort if self.sort != "score" else None,
            "status": self.status if self.status != "open" else None,
        }
        return {k: (f"{v:g}" if isinstance(v, float) else str(v)) for k, v in args.items() if v}


def deal_conditions(
    filters: BoardFilters, stages: list[Stage], viewer_id: int | None, now: datetime
) -> list:
    """WHERE clauses for the filters (Account must be joined for the text search)."""
    half_life = float(setting("PIPELINE_HALF_LIFE_DAYS"))
    where = []
    if filters.status == "open":
        where.append(Deal.lost_at.is_(None))
    elif filters.status == "lost":
        where.append(Deal.lost_at.is_not(None))
    if filters.product_id is not None:
        where.append(
            Deal.id.in_(
                select(DealProduct.deal_id).where(DealProduct.product_id == filters.product_id)
            )
        )
    if filters.owner == "me":
        where.append(Deal.owner_id == viewer_id)
    elif filters.owner == "none":
        where.append(Deal.owner_id.is_(None))
    elif filters.owner:
        where.append(Deal.owner_id == int(filters.owner))
    if filters.score_min:
        where.append(Deal.score_log >= score_log_for(filters.score_min, now, half_life))
    if filters.score_max is not None:
        bound = score_log_for(filters.score_max, now, half_life)
        where.append(
            Deal.score_log.is_(None)
            if bound is None
            else or_(Deal.score_log.is_(None), Deal.score_log <= bound)
        )
    if filters.stalled:
        where.append(stalled_condition(stages, now))
    if filters.q:
        needle = filters.q.lower()
        where.append(
            or_(
                func.lower(Account.name).contains(needle, autoescape=True),
                func.lower(func.coalesce(Account.domain, "")).contains(needle, autoescape=True),
            )
        )
    return where


def _order(sort: str):
    return {
        "score": (Deal.score_log.desc().nulls_last(), Deal.id),
        "value": (Deal.value.desc(), Deal.id),
        "activity": (Deal.last_activity_at.desc(), Deal.id),
        "days": (Deal.stage_entered_at.asc(), Deal.id),
        "name": (Account.name, Deal.id),
    }[sort]


def filtered_deals(
    filters: BoardFilters, stages: list[Stage], viewer_id: int | None, now
) -> Select:
    """A select of (Deal, Account) matching the filters, in the chosen order."""
    return (
        select(Deal, Account)
        .join(Account, Account.id == Deal.account_id)
        .where(*deal_conditions(filters, stages, viewer_id, now))
        .order_by(*_order(filters.sort))
    )


@dataclass
class Card:
    deal: Deal
    account: Account
    people: list[str]
    more_people: int
    owner: str | None
    score: float
    days_in_stage: int
    stalled: bool
    products: list[str]
    plan: PlanStatus | None = None


@dataclass
class Column:
    figures: StageFigures
    cards: list[Card] = field(default_factory=list)

    @property
    def stage(self) -> Stage:
        return self.figures.stage

    @property
    def count(self) -> int:
        """The cards this column holds under the filters (lost ones too when shown)."""
        return self.figures.count + self.figures.lost

    @property
    def values(self) -> dict[str, int]:
        return self.figures.values

    @property
    def weighted(self) -> dict[str, int]:
        return self.figures.weighted


@dataclass
class Board:
    columns: list[Column]
    numbers: PipelineNumbers

    @property
    def total(self) -> int:
        return sum(column.count for column in self.columns)


# What a card never shows: not read from the database (and an error if a card reached it).
CARD_SKIPS = tuple(
    defer(column, raiseload=True)
    for column in (
        Deal.counters,
        Deal.cart,
        Deal.paid,
        Deal.tried_products,
        Deal.orders,
        Deal.quotes,
    )
)


def build_board(
    filters: BoardFilters, viewer_id: int | None, now: datetime | None = None, per_column=None
) -> Board:
    now = now or datetime.now(UTC)
    per_column = per_column or int(setting("PIPELINE_CARDS_PER_COLUMN"))
    stages = list_stages()
    where = deal_conditions(filters, stages, viewer_id, now)
    needs_account = bool(filters.q) or filters.sort == "name"

    numbers = pipeline_numbers(
        stages,
        where,
        join=(lambda q: q.join(Account, Account.id == Deal.account_id)) if filters.q else None,
    )
    columns = [Column(figures) for figures in numbers.stages]
    parts = []
    for column in columns:
        if not column.count:
            continue
        part = select(Deal.id).where(Deal.stage_id == column.stage.id, *where)
        if needs_account:
            part = part.join(Account, Account.id == Deal.account_id)
        parts.append(part.order_by(*_order(filters.sort)).limit(per_column).subquery().select())
    rows = []
    if parts:
        ids = union_all(*parts).subquery()
        rows = db.session.execute(
            select(Deal, Account)
            .options(*CARD_SKIPS)
            .join(Account, Account.id == Deal.account_id)
            .where(Deal.id.in_(select(ids.c.id)))
            .order_by(*_order(filters.sort))
        ).all()
    cards = _cards(rows, stages, now)
    by_id = {column.stage.id: column for column in columns}
    for card in cards:
        by_id[card.deal.stage_id].cards.append(card)
    return Board(columns, numbers)


def _cards(rows, stages: list[Stage], now: datetime) -> list[Card]:
    if not rows:
        return []
    half_life = float(setting("PIPELINE_HALF_LIFE_DAYS"))
    stage_of = {stage.id: stage for stage in stages}
    user_ids = set()
    product_ids = set()
    for deal, _account in rows:
        user_ids.update(deal.people[:3])
        if deal.owner_id:
            user_ids.add(deal.owner_id)
        product_ids.update(int(p) for p in deal.product_counters)
    names = names_of_users(user_ids)
    products = names_of_products(product_ids)
    cards = []
    for deal, account in rows:
        touched = sorted(
            deal.product_counters,
            key=lambda p: -sum(deal.product_counters[p].values()),
        )
        cards.append(
            Card(
                deal=deal,
                account=account,
                people=[names[u] for u in deal.people[:3] if u in names],
                more_people=max(0, len(deal.people) - 3),
                owner=names.get(deal.owner_id) if deal.owner_id else None,
                score=score_at(deal.score_log, now, half_life),
                days_in_stage=max(0, (now - deal.stage_entered_at).days),
                stalled=is_stalled(deal, stage_of.get(deal.stage_id), now),
                products=[products[int(p)] for p in touched if int(p) in products],
                plan=plan_status(deal.room, now.date()),
            )
        )
    return cards


def names_of_users(user_ids) -> dict[int, str]:
    if not user_ids:
        return {}
    rows = db.session.execute(select(User.id, User.name, User.email).where(User.id.in_(user_ids)))
    return {uid: (name or email.split("@", 1)[0]) for uid, name, email in rows}


def names_of_products(product_ids) -> dict[int, str]:
    if not product_ids:
        return {}
    return dict(
        db.session.execute(
            select(Product.id, Product.name).where(Product.id.in_(product_ids))
        ).all()
    )
