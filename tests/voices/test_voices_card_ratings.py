"""Stars on the catalog cards and as a row in compare: the average and count of verified,
published reviews (checked in plain Python over the reviews written here), "No reviews yet"
without any, and one aggregate query for the whole page whatever the catalog size."""

from __future__ import annotations

import re
import statistics

from portal.extensions import db as _db
from portal.models import User
from tests.catalog.test_catalog_queries import counting_queries
from tests.factories import make_plan, make_product, make_testimonial
from tests.voices.conftest import visible_text

# (rating, kind, status): only verified + approved count on a card.
REVIEWS = [
    (5, "verified", "approved"),
    (4, "verified", "approved"),
    (4, "verified", "approved"),
    (2, "verified", "approved"),
    (1, "imported", "approved"),  # a customer story, not a verified review
    (1, "verified", "pending"),
    (3, "verified", "rejected"),
]


def _reviewed_product(make_user, slug: str, reviews) -> None:
    # People first: make_user commits in its own context, which a pending write would block.
    author_ids = [make_user().id if kind == "verified" else None for _, kind, _ in reviews]
    product = make_product(slug=slug, name=slug.replace("-", " ").title())
    make_plan(product)
    for (rating, kind, status), author_id in zip(reviews, author_ids, strict=True):
        author = _db.session.get(User, author_id) if author_id else None
        make_testimonial(product, author, rating=rating, kind=kind, status=status)
    _db.session.commit()


def _expected(reviews) -> tuple[str, int]:
    counted = [r for r, kind, status in reviews if kind == "verified" and status == "approved"]
    return f"{statistics.mean(counted):.1f}", len(counted)


def _card_text(page: str, name: str) -> str:
    cards = re.findall(r'<article class="card h-100 product-card".*?</article>', page, re.S)
    (card,) = [c for c in cards if f">{name}</a>" in c]
    return visible_text(card)


def test_cards_and_compare_show_verified_stars_or_no_reviews_yet(db, client, make_user):
    _reviewed_product(make_user, "pipeline-lens", REVIEWS)
    _reviewed_product(make_user, "demand-radar", [(1, "imported", "approved")])
    average, count = _expected(REVIEWS)
    assert (average, count) == ("3.8", 4)  # the figures a person reads: 15 / 4 stars

    page = client.get("/products").text
    assert f"{average} ({count} verified reviews)" in _card_text(page, "Pipeline Lens")
    assert "No reviews yet" in _card_text(page, "Demand Radar")
    assert f"Rated {average} out of 5 from {count} verified reviews" in page

    compare = client.get("/compare?p=pipeline-lens,demand-radar").text
    row = re.search(r'<tr class="rating-row">.*?</tr>', compare, re.S).group(0)
    cells = [visible_text(c) for c in re.findall(r"<td>(.*?)</td>", row, re.S)]
    assert f"{average} ({count} verified reviews)" in cells[0]
    assert "No reviews yet" in cells[1]

    # The product page's summary counts customer stories too, and says what the card shows.
    everything = [r for r, _, status in REVIEWS if status == "approved"]
    summary = visible_text(client.get("/products/pipeline-lens").text)
    assert f"{statistics.mean(everything):.1f} out of 5 · {len(everything)} testimonials" in summary
    assert (
        f"Verified reviews alone: {average} from {count} (the figure on product cards)" in summary
    )


def _statements(app, engine, url: str) -> int:
    client = app.test_client()
    with counting_queries(engine) as statements:
        assert client.get(url).status_code == 200
    return len(statements)


def test_the_ratings_cost_one_query_per_page_not_one_per_product(app, db, make_user):
    for n in range(3):
        _reviewed_product(make_user, f"product-a{n}", REVIEWS[: n + 2])
    small = {url: _statements(app, db.engine, url) for url in ("/products", "/")}
    compare_url = "/compare?p=product-a0,product-a1,product-a2"
    small[compare_url] = _statements(app, db.engine, compare_url)
    for n in range(3, 15):
        _reviewed_product(make_user, f"product-a{n}", REVIEWS[: n % 5 + 1])
    big = {url: _statements(app, db.engine, url) for url in small}
    assert big == small
