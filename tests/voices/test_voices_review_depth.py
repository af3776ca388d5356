"""Reviews with depth: sub-ratings, recommend 0–10 and the product's NPS (checked in plain
Python), pros, cons, use case; the vendor's one moderated public reply under a review; the
90-day rule for updating a published review, with its history kept."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from portal import models
from portal.models import VendorReply
from tests.factories import make_testimonial
from tests.voices.conftest import get_user

XSS = '<script>alert("x")</script>'
VALID = {
    "rating": "4",
    "title": "Forecast calls got short",
    "body": "We rolled it out to the whole sales team in a week and it paid off quickly.",
    "role": "Head of Sales",
    "industry": "logistics",
    "company_size": "201-1000",
    "display_choice": "initial",
    "ease_of_use": "5",
    "support_rating": "4",
    "value_rating": "3",
    "recommend": "9",
    "pros": f"Fast set-up {XSS}",
    "cons": f"Exports are clumsy {XSS}",
    "use_case": f"Weekly forecast {XSS}",
}


def test_a_review_with_sub_ratings_pros_and_cons(db, product, make_customer, login_client):
    customer = login_client(make_customer(product))
    response = customer.post(f"/products/{product.slug}/testimonials/write", data=VALID)
    assert response.status_code == 303
    review = db.session.scalar(select(models.Testimonial))
    assert (review.ease_of_use, review.support_rating, review.value_rating) == (5, 4, 3)
    assert (review.recommend, review.use_case) == (9, f"Weekly forecast {XSS}")
    review.status, review.moderated_at = "approved", datetime.now(UTC)
    db.session.commit()
    page = customer.get(f"/products/{product.slug}/testimonials").text
    assert "Ease of use" in page and "5 / 5" in page and "9 / 10" in page
    assert "Fast set-up" in page and "Exports are clumsy" in page
    assert XSS not in page and "&lt;script&gt;" in page


def test_out_of_range_scores_are_refused(product, make_customer, login_client):
    customer = login_client(make_customer(product))
    for field, value in (("recommend", "11"), ("ease_of_use", "0"), ("value_rating", "x")):
        response = customer.post(
            f"/products/{product.slug}/testimonials/write", data={**VALID, field: value}
        )
        assert response.status_code == 422, field


def test_nps_per_product_against_plain_python(db, product, make_customer, client):
    answers = [10, 9, 9, 8, 7, 6, 3, 0, 10, None]
    authors = [make_customer(product) for _ in answers]
    for author, score in zip(authors, answers, strict=True):
        make_testimonial(product, get_user(author.id), recommend=score)
    make_testimonial(product, None, recommend=0, status="pending")  # not published: left out
    db.session.commit()
    given = [s for s in answers if s is not None]
    promoters = sum(1 for s in given if s >= 9) / len(given) * 100
    detractors = sum(1 for s in given if s <= 6) / len(given) * 100
    expected = round(promoters - detractors)
    assert expected == 11
    page = client.get(f"/products/{product.slug}/testimonials").text
    assert f"NPS <strong>{expected}</strong> ({len(given)} answers)" in page


def test_a_vendor_reply_is_moderated_and_shown_under_the_review(
    db, product, make_customer, make_user, login_client, client
):
    customer, seller_user, buyer_user = (
        make_customer(product),
        make_user(role="seller"),
        make_user(),
    )
    review = make_testimonial(product, get_user(customer.id), title="Solid tool")
    db.session.commit()
    seller = login_client(seller_user)
    buyer = login_client(buyer_user)
    reply_path = f"/seller/testimonials/{review.id}/reply"
    assert buyer.post(reply_path, data={"body": "Not the vendor at all"}).status_code == 403
    response = seller.post(reply_path, data={"body": f"Thank you! Exports improve soon. {XSS}"})
    assert response.status_code == 303
    assert (
        "Thank you! Exports improve soon."
        not in client.get(f"/products/{product.slug}/testimonials").text
    )  # waiting for moderation
    reply = db.session.scalar(select(VendorReply))
    assert buyer.post(f"/seller/moderation/replies/{reply.id}/approve").status_code == 403
    seller.post(f"/seller/moderation/replies/{reply.id}/approve")
    page = client.get(f"/products/{product.slug}/testimonials").text
    card = page[page.index("Solid tool") :]
    assert "Reply from" in card and "Thank you! Exports improve soon." in card
    assert XSS not in page
    # One reply per review: writing again replaces it and sends it back to moderation.
    seller.post(reply_path, data={"body": "A second, better reply to this review."})
    assert db.session.scalars(select(VendorReply)).all() == [reply]
    db.session.refresh(reply)
    assert reply.status == "pending"


def test_a_published_review_updates_after_90_days_with_history(
    db, product, make_customer, login_client
):
    author = make_customer(product)
    review = make_testimonial(
        product, get_user(author.id), moderated_at=datetime.now(UTC) - timedelta(days=30)
    )
    db.session.commit()
    customer = login_client(author)
    path = f"/products/{product.slug}/testimonials/write"
    response = customer.post(path, data=VALID)
    assert response.status_code == 422 and "90 days" in response.text
    review.moderated_at = datetime.now(UTC) - timedelta(days=91)
    db.session.commit()
    assert customer.post(path, data=VALID).status_code == 303
    revision = db.session.scalar(select(models.TestimonialRevision))
    assert revision.snapshot["title"] == "It does what it says"
    db.session.refresh(review)
    assert (review.title, review.status) == ("Forecast calls got short", "pending")
