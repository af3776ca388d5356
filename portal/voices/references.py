"""Reference calls, the asking side: a prospect asks to talk to a customer like them, customers
opt in with a profile, sellers see the queue and the opted-in customers ranked by fit.

Status: requested → proposed → introduced → completed, or declined (see ``introductions``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Select, case, func, or_, select

from portal.extensions import db
from portal.journey.services import Actor, record_event
from portal.models import Product, ReferenceProfile, ReferenceRequest, User
from portal.models.base import utcnow
from portal.models.voices import (
    AVAILABILITY_MAX,
    COMPANY_SIZES,
    INDUSTRIES,
    MESSAGE_MAX,
    MONTHLY_CAP_MAX,
    REFERENCE_TOPICS,
    ROLE_MAX,
)
from portal.voices.customers import customers_of, is_customer
from portal.voices.errors import InvalidInput, NotAllowed, OpenRequestExists
from portal.voices.text import check_choice, check_topics, clean_text


def request_reference(
    requester: User,
    product: Product,
    *,
    industry: str,
    company_size: str,
    role: str,
    topics: Iterable[str],
    message: str,
    actor: Actor | None = None,
) -> ReferenceRequest:
    """A prospect asks to talk to a customer like them; sellers see it on their queue."""
    if requester.has_role("seller"):
        raise NotAllowed("The vendor's team brokers introductions; prospects ask for them.")
    values = {
        "industry": check_choice(industry, INDUSTRIES, "your industry", "industry"),
        "company_size": check_choice(
            company_size, COMPANY_SIZES, "your company size", "company_size"
        ),
        "role": clean_text(role, label="your role", max_len=ROLE_MAX, field="role"),
        "topics": check_topics(topics),
        "message": clean_text(
            message,
            label="what you want to learn",
            max_len=MESSAGE_MAX,
            min_len=15,
            field="message",
            multiline=True,
        ),
    }
    open_request = db.session.scalar(
        select(ReferenceRequest.id).where(
            ReferenceRequest.requester_id == requester.id,
            ReferenceRequest.product_id == product.id,
            ReferenceRequest.status.in_(("requested", "proposed")),
        )
    )
    if open_request is not None:
        raise OpenRequestExists(
            f"You already asked to talk to a {product.name} customer; we're on it.",
            open_request,
        )
    reference_request = ReferenceRequest(
        product_id=product.id, requester_id=requester.id, status="requested", **values
    )
    db.session.add(reference_request)
    db.session.flush()
    record_event(actor, "reference_requested", product, request_id=reference_request.id)
    return reference_request


def reference_profile(user_id: int) -> ReferenceProfile | None:
    return db.session.scalar(select(ReferenceProfile).where(ReferenceProfile.user_id == user_id))


def save_reference_profile(
    user: User,
    *,
    is_active: bool,
    industry: str,
    company_size: str,
    role: str,
    topics: Iterable[str],
    availability: str,
    monthly_cap: int,
) -> ReferenceProfile:
    """Opt in (or out) as a reference customer: topics, availability, a monthly cap."""
    if not is_customer(user.id):
        raise NotAllowed(
            "Reference calls are with customers: once your company has bought a product, "
            "you can offer to talk to prospects here."
        )
    if not isinstance(monthly_cap, int) or not 1 <= monthly_cap <= MONTHLY_CAP_MAX:
        raise InvalidInput(
            f"Choose between 1 and {MONTHLY_CAP_MAX} introductions a month.", "monthly_cap"
        )
    profile = reference_profile(user.id)
    if profile is None:
        profile = ReferenceProfile(user_id=user.id)
        db.session.add(profile)
    profile.is_active = bool(is_active)
    profile.industry = check_choice(industry, INDUSTRIES, "your industry", "industry")
    profile.company_size = check_choice(
        company_size, COMPANY_SIZES, "a company size", "company_size"
    )
    profile.role = clean_text(role, label="your role", max_len=ROLE_MAX, field="role")
    profile.topics = check_topics(topics)
    profile.availability = clean_text(
        availability, label="your availability", max_len=AVAILABILITY_MAX, field="availability"
    )
    profile.monthly_cap = monthly_cap
    db.session.flush()
    return profile


def _month_start(now: datetime | None = None) -> datetime:
    now = now or utcnow()
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def introductions_this_month(user_ids: Iterable[int]) -> dict[int, int]:
    """How much of each reference's monthly cap is used: open proposals + this month's intros."""
    ids = list(user_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(ReferenceRequest.reference_id, func.count())
        .where(
            ReferenceRequest.reference_id.in_(ids),
            or_(
                ReferenceRequest.status == "proposed",
                ReferenceRequest.introduced_at >= _month_start(),
            ),
        )
        .group_by(ReferenceRequest.reference_id)
    ).all()
    return {int(user_id): int(count) for user_id, count in rows}


@dataclass
class Candidate:
    """An opted-in customer of the requested product, with how well they fit the prospect."""

    user: User
    profile: ReferenceProfile
    since: datetime
    score: int
    used: int
    reasons: list[str] = field(default_factory=list)

    @property
    def remaining(self) -> int:
        return max(0, self.profile.monthly_cap - self.used)

    @property
    def fit(self) -> str:
        if self.score >= 5:
            return "Strong fit"
        return "Good fit" if self.score >= 3 else "Some fit"


def _size_distance(a: str, b: str) -> int:
    order = list(COMPANY_SIZES)
    if a not in order or b not in order:
        return 99
    return abs(order.index(a) - order.index(b))


def rank_references(reference_request: ReferenceRequest, limit: int = 5) -> list[Candidate]:
    """Opted-in customers of the product, best fit first; those at their cap come last.

    Fit: same industry (+3), same company size (+2) or a neighbouring one (+1), and +1 per
    topic the prospect wants to learn about that the customer talks about (up to 3).
    """
    customers = customers_of(reference_request.product_id)
    requester = reference_request.requester
    excluded = [reference_request.requester_id, *(reference_request.declined_reference_ids or [])]
    rows = db.session.execute(
        select(ReferenceProfile, User, customers.c.since)
        .join(User, User.id == ReferenceProfile.user_id)
        .join(customers, customers.c.user_id == ReferenceProfile.user_id)
        .where(
            ReferenceProfile.is_active.is_(True),
            User.id.not_in(excluded),
            User.account_id != requester.account_id,
        )
    ).all()
    used = introductions_this_month(profile.user_id for profile, _user, _since in rows)
    wanted = set(reference_request.topics or ())
    candidates = []
    for profile, user, since in rows:
        score, reasons = 0, []
        if profile.industry == reference_request.industry:
            score += 3
            reasons.append(f"Same industry ({INDUSTRIES[profile.industry]})")
        distance = _size_distance(profile.company_size, reference_request.company_size)
        if distance == 0:
            score += 2
            reasons.append("Same company size")
        elif distance == 1:
            score += 1
            reasons.append("Similar company size")
        shared = [t for t in REFERENCE_TOPICS if t in wanted and t in (profile.topics or ())]
        if shared:
            score += min(3, len(shared))
            reasons.append("Talks about " + ", ".join(REFERENCE_TOPICS[t] for t in shared))
        candidates.append(
            Candidate(
                user=user,
                profile=profile,
                since=since,
                score=score,
                used=used.get(user.id, 0),
                reasons=reasons,
            )
        )
    candidates.sort(key=lambda c: (c.remaining == 0, -c.score, c.used, c.since, c.user.id))
    return candidates[:limit]


def requests_for_seller(status: str) -> Select:
    """Reference requests in one status, the oldest waiting first."""
    return (
        select(ReferenceRequest)
        .where(ReferenceRequest.status == status)
        .order_by(ReferenceRequest.created_at, ReferenceRequest.id)
    )


def request_counts() -> dict[str, int]:
    rows = db.session.execute(
        select(ReferenceRequest.status, func.count()).group_by(ReferenceRequest.status)
    ).all()
    return {status: int(count) for status, count in rows}


def my_requests(user_id: int) -> list[ReferenceRequest]:
    return list(
        db.session.scalars(
            select(ReferenceRequest)
            .where(ReferenceRequest.requester_id == user_id)
            .order_by(ReferenceRequest.created_at.desc(), ReferenceRequest.id.desc())
        )
    )


def introductions_for(customer_id: int) -> tuple[list[ReferenceRequest], list[ReferenceRequest]]:
    """(waiting for the customer's answer, accepted ones) for a reference customer."""
    rows = list(
        db.session.scalars(
            select(ReferenceRequest)
            .where(ReferenceRequest.reference_id == customer_id)
            .order_by(ReferenceRequest.proposed_at.desc(), ReferenceRequest.id.desc())
        )
    )
    waiting = [r for r in rows if r.status == "proposed"]
    accepted = [r for r in rows if r.status in ("introduced", "completed")]
    return waiting, accepted


@dataclass(frozen=True)
class ReferenceOverview:
    """What the customer area shows about references in a few lines."""

    is_customer: bool
    profile: ReferenceProfile | None
    waiting: int
    open_requests: int


def reference_overview(user: User) -> ReferenceOverview:
    waiting_cond = (ReferenceRequest.reference_id == user.id) & (
        ReferenceRequest.status == "proposed"
    )
    # Still in play: nobody answered yet, or a customer said no and the seller may try again.
    open_cond = (ReferenceRequest.requester_id == user.id) & (
        ReferenceRequest.status.in_(("requested", "proposed"))
        | ((ReferenceRequest.status == "declined") & (ReferenceRequest.close_reason == ""))
    )
    waiting, open_requests = db.session.execute(
        select(
            func.coalesce(func.sum(case((waiting_cond, 1), else_=0)), 0),
            func.coalesce(func.sum(case((open_cond, 1), else_=0)), 0),
        ).where(
            or_(ReferenceRequest.reference_id == user.id, ReferenceRequest.requester_id == user.id)
        )
    ).one()
    return ReferenceOverview(
        is_customer=is_customer(user.id),
        profile=reference_profile(user.id),
        waiting=int(waiting),
        open_requests=int(open_requests),
    )
