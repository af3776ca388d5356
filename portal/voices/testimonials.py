"""Testimonials: writing one (verified customers only), imported customer stories, moderation,
helpful votes and the rating summary.

Services take the acting user (and a journey ``Actor`` where the action is a buying signal),
validate, raise the voices errors and only ``flush()``; the route or CLI commits.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Select, func, select, update
from sqlalchemy.exc import IntegrityError

from portal.extensions import db
from portal.journey.services import Actor, record_event
from portal.models import HelpfulVote, Product, Testimonial, User
from portal.models.base import utcnow
from portal.models.voices import (
    BODY_MAX,
    COMPANY_SIZES,
    DISPLAY_CHOICES,
    INDUSTRIES,
    NAME_MAX,
    REASON_MAX,
    ROLE_MAX,
    SOURCE_MAX,
    TITLE_MAX,
)
from portal.voices.customers import display_name_for, verified_purchase
from portal.voices.errors import Conflict, InvalidInput, NotAllowed, NotFound
from portal.voices.ratings import clean_depth, keep_published_version
from portal.voices.text import check_choice, clean_text


@dataclass(frozen=True)
class RatingSummary:
    """Approved testimonials of a product: how many, the average, stars → count; and the
    verified reviews alone (the figure on catalog cards, see ``ratings.card_ratings``)."""

    count: int
    average: float | None
    distribution: dict[int, int]
    verified_count: int = 0
    verified_average: float | None = None

    def percent(self, stars: int) -> int:
        return round(100 * self.distribution.get(stars, 0) / self.count) if self.count else 0


def testimonial_summary(product_id: int) -> RatingSummary:
    """The rating summary and distribution of a product, in one aggregate query."""
    rows = db.session.execute(
        select(Testimonial.rating, Testimonial.kind, func.count())
        .where(Testimonial.product_id == product_id, Testimonial.status == "approved")
        .group_by(Testimonial.rating, Testimonial.kind)
    ).all()
    distribution = {stars: 0 for stars in range(5, 0, -1)}
    verified = {stars: 0 for stars in range(5, 0, -1)}
    for rating, kind, count in rows:
        distribution[int(rating)] += int(count)
        if kind == "verified":
            verified[int(rating)] += int(count)
    total, verified_total = sum(distribution.values()), sum(verified.values())
    return RatingSummary(
        count=total,
        average=_mean(distribution),
        distribution=distribution,
        verified_count=verified_total,
        verified_average=_mean(verified),
    )


def _mean(distribution: dict[int, int]) -> float | None:
    total = sum(distribution.values())
    return sum(s * n for s, n in distribution.items()) / total if total else None


def approved_testimonials(
    product_id: int,
    *,
    industry: str | None = None,
    company_size: str | None = None,
    rating: int | None = None,
    sort: str = "helpful",
) -> Select:
    """A select of a product's published testimonials, filtered and sorted (for paginate)."""
    query = select(Testimonial).where(
        Testimonial.product_id == product_id, Testimonial.status == "approved"
    )
    if industry:
        query = query.where(Testimonial.industry == industry)
    if company_size:
        query = query.where(Testimonial.company_size == company_size)
    if rating:
        query = query.where(Testimonial.rating == rating)
    if sort == "newest":
        return query.order_by(Testimonial.created_at.desc(), Testimonial.id.desc())
    return query.order_by(
        Testimonial.helpful_count.desc(), Testimonial.created_at.desc(), Testimonial.id.desc()
    )


def own_testimonial(user_id: int, product_id: int) -> Testimonial | None:
    return db.session.scalar(
        select(Testimonial).where(
            Testimonial.author_id == user_id, Testimonial.product_id == product_id
        )
    )


def submit_testimonial(
    author: User,
    product: Product,
    *,
    rating: int,
    title: str,
    body: str,
    role: str,
    industry: str,
    company_size: str,
    display_choice: str,
    **depth,
) -> Testimonial:
    """Write (or rewrite) the author's testimonial; it waits for moderation either way.

    ``depth``: the optional sub-ratings, likelihood to recommend, pros, cons and use case
    (see ``portal.voices.ratings.clean_depth``). A published review can be updated once it
    has been up for ``UPDATE_AFTER_DAYS``; the published version is kept as a revision."""
    purchased_at = verified_purchase(author.id, product.id)
    if purchased_at is None:
        raise NotAllowed(
            f"Only customers who bought {product.name} can review it, so every review here "
            "comes from a real purchase. If your company bought it under a colleague's login, "
            "ask them to write it."
        )
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise InvalidInput("Choose a rating from 1 to 5 stars.", "rating")
    values = {
        "rating": rating,
        "title": clean_text(title, label="a title", max_len=TITLE_MAX, min_len=3, field="title"),
        "body": clean_text(
            body,
            label="your experience",
            max_len=BODY_MAX,
            min_len=30,
            field="body",
            multiline=True,
        ),
        "role": clean_text(role, label="your role", max_len=ROLE_MAX, min_len=2, field="role"),
        "industry": check_choice(industry, INDUSTRIES, "an industry", "industry"),
        "company_size": check_choice(company_size, COMPANY_SIZES, "a company size", "company_size"),
        "display_choice": check_choice(
            display_choice, DISPLAY_CHOICES, "how to show your name", "display_choice"
        ),
    }
    values.update(clean_depth(**depth))
    testimonial = own_testimonial(author.id, product.id)
    if testimonial is None:
        testimonial = Testimonial(product_id=product.id, author_id=author.id, kind="verified")
        db.session.add(testimonial)
    elif testimonial.status == "approved":
        keep_published_version(testimonial)
    for key, value in values.items():
        setattr(testimonial, key, value)
    testimonial.display_name = display_name_for(author, values["display_choice"])
    testimonial.purchased_at = purchased_at
    # A rewrite goes back to the queue: moderators approve words, not authors.
    testimonial.status = "pending"
    testimonial.rejection_reason = ""
    testimonial.moderated_at = None
    testimonial.moderated_by_id = None
    db.session.flush()
    return testimonial


def import_story(
    admin: User,
    product: Product,
    *,
    display_name: str,
    role: str,
    industry: str,
    company_size: str,
    rating: int,
    title: str,
    body: str,
    source_note: str,
) -> Testimonial:
    """Publish a customer story from elsewhere (a case study, a review site), admin only.

    It is labelled "Customer story" with its source and never carries the verified badge.
    """
    if not admin.is_admin:
        raise NotAllowed("Only administrators can import customer stories.")
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise InvalidInput("Choose a rating from 1 to 5 stars.", "rating")
    story = Testimonial(
        product_id=product.id,
        author_id=None,
        kind="imported",
        rating=rating,
        title=clean_text(title, label="a title", max_len=TITLE_MAX, min_len=3, field="title"),
        body=clean_text(
            body, label="the story", max_len=BODY_MAX, min_len=30, field="body", multiline=True
        ),
        role=clean_text(role, label="the role", max_len=ROLE_MAX, field="role"),
        industry=check_choice(industry, INDUSTRIES, "an industry", "industry"),
        company_size=check_choice(company_size, COMPANY_SIZES, "a company size", "company_size"),
        display_choice="full",
        display_name=clean_text(
            display_name, label="the name", max_len=NAME_MAX, field="display_name"
        ),
        source_note=clean_text(
            source_note, label="the source", max_len=SOURCE_MAX, min_len=5, field="source_note"
        ),
        status="approved",
        moderated_by_id=admin.id,
        moderated_at=utcnow(),
    )
    db.session.add(story)
    db.session.flush()
    return story


def moderation_queue() -> Select:
    """Testimonials waiting for a decision, oldest first."""
    return (
        select(Testimonial)
        .where(Testimonial.status == "pending")
        .order_by(Testimonial.created_at, Testimonial.id)
    )


def pending_count() -> int:
    return db.session.scalar(
        select(func.count()).select_from(Testimonial).where(Testimonial.status == "pending")
    )


def _moderate(moderator: User, testimonial_id: int, status: str, reason: str = "") -> Testimonial:
    if not moderator.has_role("seller"):
        raise NotAllowed("Only the vendor's team can moderate testimonials.")
    result = db.session.execute(
        update(Testimonial)
        .where(Testimonial.id == testimonial_id, Testimonial.status == "pending")
        .values(
            status=status,
            rejection_reason=reason,
            moderated_by_id=moderator.id,
            moderated_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    )
    testimonial = db.session.get(Testimonial, testimonial_id)
    if testimonial is None:
        raise NotFound("That testimonial does not exist.")
    if result.rowcount != 1:
        raise Conflict("Someone already decided on that testimonial.")
    db.session.flush()
    db.session.refresh(testimonial)
    return testimonial


def approve_testimonial(moderator: User, testimonial_id: int) -> Testimonial:
    """Publish a pending testimonial exactly as the author wrote it."""
    return _moderate(moderator, testimonial_id, "approved")


def reject_testimonial(moderator: User, testimonial_id: int, reason: str) -> Testimonial:
    """Turn a testimonial down with a reason the author will read."""
    reason = clean_text(
        reason, label="a reason for the author", max_len=REASON_MAX, min_len=5, field="reason"
    )
    return _moderate(moderator, testimonial_id, "rejected", reason)


def vote_helpful(user: User, testimonial_id: int, actor: Actor | None = None) -> bool:
    """Count ``user`` as finding a testimonial helpful. False when they already had.

    The unique (testimonial, user) pair is the guard: a second vote, even a concurrent one,
    fails the insert inside a savepoint and never reaches the counter.
    """
    testimonial = db.session.get(Testimonial, testimonial_id)
    if testimonial is None or testimonial.status != "approved":
        raise NotFound("That testimonial is not published.")
    if testimonial.author_id == user.id:
        raise NotAllowed("You can't vote for your own testimonial.")
    try:
        with db.session.begin_nested():
            db.session.add(HelpfulVote(testimonial_id=testimonial_id, user_id=user.id))
    except IntegrityError:
        return False
    db.session.execute(
        update(Testimonial)
        .where(Testimonial.id == testimonial_id)
        .values(helpful_count=Testimonial.helpful_count + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(testimonial)
    record_event(actor, "testimonial_voted", testimonial.product_id, testimonial_id=testimonial_id)
    return True


def voted_ids(user_id: int | None, testimonial_ids: Iterable[int]) -> set[int]:
    """Which of these testimonials the user already found helpful."""
    ids = list(testimonial_ids)
    if user_id is None or not ids:
        return set()
    return set(
        db.session.scalars(
            select(HelpfulVote.testimonial_id).where(
                HelpfulVote.user_id == user_id, HelpfulVote.testimonial_id.in_(ids)
            )
        )
    )


def recount_helpful(testimonial_ids: Iterable[int]) -> None:
    counts = (
        select(func.count())
        .select_from(HelpfulVote)
        .where(HelpfulVote.testimonial_id == Testimonial.id)
        .scalar_subquery()
    )
    ids = list(testimonial_ids)
    if ids:
        db.session.execute(
            update(Testimonial)
            .where(Testimonial.id.in_(ids))
            .values(helpful_count=counts)
            .execution_options(synchronize_session=False)
        )
