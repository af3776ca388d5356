"""The depth of the demo reviews (sub-ratings, recommend 0–10, pros, cons, use case) and the
vendor's public replies under some of them, keyed by (customer, product slug) of
``demo_content.TESTIMONIALS``. Industry and company size come from the customer."""

from __future__ import annotations

from sqlalchemy import select

from portal.extensions import db
from portal.models import Testimonial, VendorReply

# (customer, slug): (ease of use, support, value, recommend, pros, cons, use case)
DEPTH = {
    ("priya", "pipeline-lens"): (5, 4, 5, 10,
        "Stalled-deal list; weighted forecast we trust", "Report styling is basic",
        "Weekly forecast call for 40 reps"),
    ("daniel", "pipeline-lens"): (4, 4, 4, 8,
        "HubSpot connector; conversion by segment", "Scheduled PDF reports are plain",
        "RevOps reporting for a team of one"),
    ("aisha", "pipeline-lens"): (5, 5, 5, 9,
        "Useful with 30 deals a year; fair Starter price", "Few templates for consultancies",
        "Choosing which proposals to chase"),
    ("lena", "pipeline-lens"): (3, 4, 3, 6,
        "Forecast and stalled-deal alerts", "Win/loss needs reasons our reps never filled in",
        "Regional sales reviews"),
    ("marcus", "pipeline-lens"): (4, 3, 4, 8,
        "The trial on our own export", "Support replies took a day at times",
        "B2B pipeline of an online shop"),
    ("hannah", "data-doctor"): (4, 5, 5, 10,
        "Duplicate detection at scale; audit trail", "Rules editor takes practice",
        "Core banking migration"),
    ("tomas", "data-doctor"): (4, 4, 4, 8,
        "Cleaned 8 years of contacts", "Health-specific fields need custom rules",
        "Patient-contact data in the CRM"),
    ("daniel", "data-doctor"): (5, 4, 4, 9,
        "Nightly checks run without attention", "Alert e-mails could group better",
        "Board-report data quality"),
    ("priya", "data-doctor"): (5, 5, 4, 9,
        "Migration dry runs; clear reports", "Licence is per source system",
        "CRM migration"),
    ("sofia", "demand-radar"): (4, 5, 5, 10,
        "Safety stock down 18%; planners trust it", "Initial SKU mapping took two weeks",
        "Inventory planning for 3 plants"),
    ("kenji", "demand-radar"): (4, 4, 4, 8,
        "Seasonality beats our spreadsheet", "Promotions need manual flags",
        "Store replenishment"),
    ("lena", "demand-radar"): (4, 4, 4, 7,
        "A quarter number sales believes", "Excel export is clumsy",
        "Quarterly sales planning"),
    ("marcus", "segment-studio"): (5, 4, 5, 10,
        "Win-back list paid for itself in a month", "Segment names are hard to share",
        "Win-back e-mail campaigns"),
    ("rachel", "segment-studio"): (5, 4, 4, 8,
        "Marketing uses it without a data scientist", "Few education examples",
        "Course enrolment campaigns"),
    ("tomas", "segment-studio"): (3, 3, 3, 5,
        "Useful churn list", "Healthcare data needed work first",
        "Patient retention outreach"),
    ("kenji", "segment-studio"): (4, 5, 5, 9,
        "Churn risk early enough to call", "Scores update weekly, not daily",
        "Loyalty-member retention"),
    ("aisha", "segment-studio"): (4, 4, 3, 7,
        "Works on a small client base", "Pricey for 200 clients",
        "Client account reviews"),
    ("casey", "pipeline-lens"): (5, 5, 4, 9,
        "Monday stalled-deal alerts", "Mobile view is cramped",
        "Weekly pipeline meeting"),
    ("oliver", "data-doctor"): (3, 4, 4, 7,
        "Checks across many legacy systems", "On-premise set-up is slow",
        "Council resident records"),
    ("felix", "data-doctor"): (2, 2, 3, 3,
        "Powerful checks once running", "The on-premise upgrade was painful",
        "Compliance data checks at a bank"),
    ("nadia", "demand-radar"): (4, 4, 5, 9,
        "Fresh-produce waste down", "Store-level tuning takes time",
        "Fresh-produce ordering"),
    ("ben", "pipeline-lens"): (5, 4, 5, 10,
        "Board-ready forecast ranges", "Wish it had a Slack digest",
        "Board forecast reporting"),
}  # fmt: skip

# (customer, slug): the vendor's public reply (published), mostly under the critical reviews.
REPLIES = {
    ("felix", "data-doctor"): (
        "Felix, thank you for the candid review. The 4.2 on-premise upgrade asked too much of "
        "your team; since 4.3 upgrades run as one signed package with a rollback step. Our "
        "support lead would like to walk your next upgrade through with you."
    ),
    ("lena", "pipeline-lens"): (
        "Thanks, Lena. Win/loss is only as good as the reasons reps give: Pipeline Lens now "
        "asks for a reason when a deal closes, with your own list of choices."
    ),
    ("tomas", "segment-studio"): (
        "Thank you, Tomas. We've published a guide to preparing healthcare data for "
        "segmentation, written with two hospital customers."
    ),
    ("marcus", "pipeline-lens"): (
        "Marcus, sorry for the slow replies. Support now answers within four business hours "
        "on every plan."
    ),
}


def apply_demo_depth(products: dict, users: dict, seller) -> tuple[int, int]:
    """Give the demo reviews their depth (once: a review that has a "recommend" answer is
    left alone) and the published vendor replies. Returns (reviews deepened, replies added)."""
    keys = {(users[key].id, products[slug].id): (key, slug) for key, slug in DEPTH}
    reviews = db.session.scalars(
        select(Testimonial).where(
            Testimonial.author_id.in_({user_id for user_id, _ in keys}),
            Testimonial.product_id.in_({product_id for _, product_id in keys}),
            Testimonial.status == "approved",
        )
    ).all()
    replied = set(db.session.scalars(select(VendorReply.testimonial_id)))
    deepened = replies = 0
    for review in reviews:
        key = keys.get((review.author_id, review.product_id))
        if key is None:
            continue
        if review.recommend is None:
            ease, support, value, recommend, pros, cons, use_case = DEPTH[key]
            review.ease_of_use, review.support_rating, review.value_rating = ease, support, value
            review.recommend, review.pros, review.cons = recommend, pros, cons
            review.use_case = use_case
            deepened += 1
        if key in REPLIES and review.id not in replied and seller is not None:
            db.session.add(
                VendorReply(
                    testimonial_id=review.id,
                    author_id=seller.id,
                    body=REPLIES[key],
                    status="approved",
                    moderated_by_id=seller.id,
                    moderated_at=review.moderated_at,
                    created_at=review.moderated_at,
                )
            )
            replies += 1
    db.session.flush()
    return deepened, replies
