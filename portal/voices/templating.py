"""Template globals other areas use to show trusted voices on their pages.

The catalog's product page includes ``voices/_testimonial_summary.html`` and the customer area
includes ``voices/_account_references.html``; both get their data from these globals.
"""

from __future__ import annotations

from flask import url_for

from portal.models.voices import COMPANY_SIZES, INDUSTRIES, REFERENCE_TOPICS
from portal.voices import bp, questions, ratings, references, testimonials


@bp.app_template_global()
def testimonial_summary(product_id: int) -> testimonials.RatingSummary:
    """Count, average and star distribution of a product's published testimonials."""
    return testimonials.testimonial_summary(product_id)


@bp.app_template_global()
def card_ratings(products) -> dict[int, ratings.CardRating]:
    """Stars and review count per product id for a page of cards (one query for the page)."""
    return ratings.card_ratings(product.id for product in products)


@bp.app_template_global()
def typical_answer_days(product_id: int) -> int | None:
    """The measured median days to a question's first answer (rounded up), or None."""
    return questions.typical_answer_days(product_id)


@bp.app_template_global()
def reference_overview(user) -> references.ReferenceOverview | None:
    """The signed-in person's reference opt-in and waiting introductions, in brief."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return references.reference_overview(user)


@bp.app_template_global()
def product_page_url(product) -> str:
    """The catalog's page for a product."""
    return url_for("catalog.product", slug=product.slug)


@bp.app_template_filter("industry_label")
def industry_label(code: str) -> str:
    return INDUSTRIES.get(code, code)


@bp.app_template_filter("company_size_label")
def company_size_label(code: str) -> str:
    return COMPANY_SIZES.get(code, code)


@bp.app_template_filter("topic_labels")
def topic_labels(codes) -> list[str]:
    return [REFERENCE_TOPICS[c] for c in codes or () if c in REFERENCE_TOPICS]


@bp.app_template_filter("month_year")
def month_year(moment) -> str:
    return moment.strftime("%B %Y") if moment else ""
