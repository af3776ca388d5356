"""Reviews with depth: sub-ratings, likelihood to recommend (NPS), pros, cons and use case;
the product's figures; and the 90-day rule for updating a published review.

NPS is the standard definition over the reviews that answered "how likely are you to
recommend" (0–10): percent of promoters (9–10) minus percent of detractors (0–6), rounded
to a whole number.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import case, func, select

from portal.extensions import db
from portal.models import Testimonial, TestimonialRevision
from portal.models.voices import PROS_MAX, SUB_RATINGS, USE_CASE_MAX
from portal.voices.errors import Conflict, InvalidInput
from portal.voices.text import clean_text

UPDATE_AFTER_DAYS = 90
REVISION_FIELDS = (
    "rating", "title", "body", "role", "industry", "company_size", *SUB_RATINGS,
    "recommend", "pros", "cons", "use_case",
)  # fmt: skip


def _score(value, low: int, high: int, field: str, label: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = None
    if number is None or not low <= number <= high:
        raise InvalidInput(f"Rate {label} from {low} to {high}.", field)
    return number


def clean_depth(
    *,
    ease_of_use=None,
    support_rating=None,
    value_rating=None,
    recommend=None,
    pros: str = "",
    cons: str = "",
    use_case: str = "",
) -> dict:
    """The optional depth of a review, checked: 1–5 sub-ratings, 0–10 recommend, texts."""
    scores = {"ease_of_use": ease_of_use, "support_rating": support_rating}
    scores["value_rating"] = value_rating
    values = {
        field: _score(value, 1, 5, field, SUB_RATINGS[field].lower())
        for field, value in scores.items()
    }
    values["recommend"] = _score(recommend, 0, 10, "recommend", "how likely you'd recommend it")
    texts = {"pros": (pros, "what you like"), "cons": (cons, "what could be better")}
    for field, (text, label) in texts.items():
        values[field] = clean_text(text, label=label, max_len=PROS_MAX, field=field, multiline=True)
    values["use_case"] = clean_text(
        use_case, label="the use case", max_len=USE_CASE_MAX, field="use_case"
    )
    return values


def update_allowed_from(testimonial: Testimonial) -> datetime | None:
    """When the author may update a published review (None: not published, any time)."""
    if testimonial.status != "approved" or testimonial.moderated_at is None:
        return None
    published = testimonial.moderated_at
    published = published if published.tzinfo else published.replace(tzinfo=UTC)
    return published + timedelta(days=UPDATE_AFTER_DAYS)


def keep_published_version(testimonial: Testimonial, now: datetime | None = None) -> None:
    """Before a published review is updated: refuse within 90 days, else keep a revision."""
    allowed = update_allowed_from(testimonial)
    now = now or datetime.now(UTC)
    if allowed is not None and now < allowed:
        raise Conflict(
            f"Your review is published; you can update it from {allowed:%d %B %Y}, 90 days "
            "after it went up, so readers see experience, not edits."
        )
    snapshot = {field: getattr(testimonial, field) for field in REVISION_FIELDS}
    db.session.add(
        TestimonialRevision(
            testimonial_id=testimonial.id, snapshot=snapshot, published_at=testimonial.moderated_at
        )
    )


@dataclass(frozen=True)
class ProductRatings:
    """Averages of the sub-ratings (None: nobody rated it) and the NPS over ``answers``."""

    averages: dict[str, float | None]
    answers: int
    promoters: int
    detractors: int

    @property
    def nps(self) -> int | None:
        if not self.answers:
            return None
        return round(100 * (self.promoters - self.detractors) / self.answers)


def product_ratings(product_id: int) -> ProductRatings:
    """The sub-rating averages and NPS of a product's published reviews, in one query."""
    recommend = Testimonial.recommend
    row = db.session.execute(
        select(
            *(func.avg(getattr(Testimonial, field)) for field in SUB_RATINGS),
            func.count(recommend),
            func.sum(case((recommend >= 9, 1), else_=0)),
            func.sum(case((recommend <= 6, 1), else_=0)),
        ).where(Testimonial.product_id == product_id, Testimonial.status == "approved")
    ).one()
    averages = {
        field: float(value) if value is not None else None
        for field, value in zip(SUB_RATINGS, row[:3], strict=True)
    }
    return ProductRatings(averages, int(row[3] or 0), int(row[4] or 0), int(row[5] or 0))


@dataclass(frozen=True)
class CardRating:
    """A product's stars on a catalog card or in compare: verified, published reviews."""

    average: float
    count: int

    @property
    def full_stars(self) -> int:
        """Whole stars to draw (the average rounded to the nearest star)."""
        return int(self.average + 0.5)


def card_ratings(product_ids: Iterable[int]) -> dict[int, CardRating]:
    """Average stars and count of the verified, published reviews of each product, in one
    grouped query for the whole page; a product without any is absent ("No reviews yet")."""
    ids = list(dict.fromkeys(product_ids))
    if not ids:
        return {}
    rows = db.session.execute(
        select(Testimonial.product_id, func.avg(Testimonial.rating), func.count())
        .where(
            Testimonial.product_id.in_(ids),
            Testimonial.status == "approved",
            Testimonial.kind == "verified",
        )
        .group_by(Testimonial.product_id)
    ).all()
    return {int(pid): CardRating(float(avg), int(n)) for pid, avg, n in rows if n}
