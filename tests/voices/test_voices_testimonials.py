"""Verified testimonials: who may write, moderation, the public page, votes, the summary."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import event, func, select

from portal import models
from portal.models import Event, HelpfulVote
from portal.voices import customers, errors, testimonials
from tests.factories import make_paid_order, make_plan, make_product, make_testimonial
from tests.voices.conftest import get_user, visible_text

VALID = {
    "rating": "4",
    "title": "Forecasts we can defend",
    "body": "We stopped arguing about gut feelings in the Monday forecast call within a month.",
    "role": "VP Sales",
    "industry": "logistics",
    "company_size": "201-1000",
    "display_choice": "initial",
}


def write(client, slug="pipeline-lens", **overrides):
    return client.post(f"/products/{slug}/testimonials/write", data={**VALID, **overrides})


# ---------------------------------------------------------------- who may write


def test_reviewing_a_product_one_did_not_buy_is_403_with_an_explanation(buyer_client, product):
    page = buyer_client.get("/products/pipeline-lens/testimonials/write")
    assert page.status_code == 403
    assert "Only customers who bought Pipeline Lens can review it" in page.text
    response = write(buyer_client)
    assert response.status_code == 403


def test_an_unpaid_or_other_product_order_does_not_verify(db, make_user, product):
    user = get_user(make_user().id)
    other = make_product()
    make_paid_order(user, make_plan(other))
    pending = make_paid_order(user, product.plans[0])
    pending.status = "awaiting_payment"
    db.session.flush()
    assert customers.verified_purchase(user.id, product.id) is None
    with pytest.raises(errors.NotAllowed):
        testimonials.submit_testimonial(user, product, **{**VALID, "rating": 4})


def test_a_customer_writes_a_testimonial_that_waits_for_moderation(
    db, make_customer, login_client, product
):
    customer = make_customer(product, name="Casey Jones", paid_at=datetime(2026, 3, 5, tzinfo=UTC))
    client = login_client(customer)
    response = write(client)
    assert response.status_code == 303
    testimonial = db.session.scalar(select(models.Testimonial))
    assert testimonial.status == "pending"
    assert testimonial.is_verified
    assert testimonial.display_name == "Casey J."
    assert testimonial.purchased_at.strftime("%Y-%m") == "2026-03"
    # Not published yet: the public page does not show it; the author sees the status.
    public = client.get("/products/pipeline-lens/testimonials").text
    assert "Waiting for review" in public
    assert "0 testimonials" in visible_text(public)


def test_form_errors_are_422_and_tied_to_fields(make_customer, login_client, product):
    client = login_client(make_customer(product))
    response = write(client, title="", body="too short", rating="9", industry="mars")
    assert response.status_code == 422
    assert 'aria-describedby="title-hint title-error"' in response.text
    assert "Write between 30 and 3000 characters." in response.text


# ---------------------------------------------------------------- moderation


def test_moderation_queue_is_for_sellers_and_admins(
    client, buyer_client, seller_client, admin_client
):
    assert client.get("/seller/moderation").status_code == 302
    assert buyer_client.get("/seller/moderation").status_code == 403
    assert seller_client.get("/seller/moderation").status_code == 200
    assert admin_client.get("/seller/moderation").status_code == 200


def test_a_buyer_cannot_approve(db, buyer_client, make_customer, product):
    author = get_user(make_customer(product).id)
    testimonial = make_testimonial(product, author, status="pending")
    db.session.commit()
    response = buyer_client.post(f"/seller/moderation/testimonials/{testimonial.id}/approve")
    assert response.status_code == 403
    db.session.refresh(testimonial)
    assert testimonial.status == "pending"


def test_approve_publishes_the_authors_words_unchanged(
    db, seller_client, make_customer, product, client
):
    author = get_user(make_customer(product).id)
    testimonial = make_testimonial(product, author, status="pending", title="Exactly my words")
    db.session.commit()
    queue = seller_client.get("/seller/moderation").text
    assert "Exactly my words" in queue
    response = seller_client.post(f"/seller/moderation/testimonials/{testimonial.id}/approve")
    assert response.status_code == 303
    db.session.refresh(testimonial)
    assert (testimonial.status, testimonial.title) == ("approved", "Exactly my words")
    page = client.get("/products/pipeline-lens/testimonials").text
    assert "Exactly my words" in page
    assert "Verified customer" in page
    assert "purchased March 2026" in page
    # A second decision on the same testimonial is refused politely.
    again = seller_client.post(
        f"/seller/moderation/testimonials/{testimonial.id}/approve", follow_redirects=True
    )
    assert "Someone already decided" in again.text


def test_reject_needs_a_reason_and_the_author_sees_it(
    db, seller_client, make_customer, login_client, product
):
    customer = make_customer(product)
    testimonial = make_testimonial(product, get_user(customer.id), status="pending")
    db.session.commit()
    url = f"/seller/moderation/testimonials/{testimonial.id}/reject"
    empty = seller_client.post(url, data={f"r{testimonial.id}-reason": ""})
    assert empty.status_code == 422
    assert "Tell the author why" in empty.text
    reason = "Please remove the discount code from the headline."
    assert seller_client.post(url, data={f"r{testimonial.id}-reason": reason}).status_code == 303
    author = login_client(customer)
    assert reason in author.get("/account/testimonials").text
    assert reason in author.get("/products/pipeline-lens/testimonials").text
    # Rewriting sends it back to the queue with the reason cleared.
    assert write(author).status_code == 303
    db.session.refresh(testimonial)
    assert (testimonial.status, testimonial.rejection_reason) == ("pending", "")


def test_imported_stories_are_labelled_and_never_verified(db, admin_client, seller_client, product):
    form = admin_client.get("/seller/moderation/import")
    assert form.status_code == 200
    assert seller_client.get("/seller/moderation/import").status_code == 403
    response = admin_client.post(
        "/seller/moderation/import",
        data={
            "product_id": str(product.id),
            "display_name": "Jordan Ellis, Quarry & Stone",
            "role": "CRO",
            "industry": "manufacturing",
            "company_size": "1001-5000",
            "rating": "5",
            "title": "Forecast error cut in half",
            "body": "Within two quarters the gap between forecast and bookings fell to 9%.",
            "source_note": "Case study on northwind.example, March 2025",
        },
    )
    assert response.status_code == 303
    story = db.session.scalar(select(models.Testimonial))
    assert (story.kind, story.status, story.is_verified) == ("imported", "approved", False)
    page = admin_client.get("/products/pipeline-lens/testimonials").text
    card = page.split(f'id="t{story.id}"', 1)[1].split("</article>", 1)[0]
    assert "Customer story" in card
    assert "Source: Case study on northwind.example, March 2025" in card
    assert "Verified customer" not in card


# ---------------------------------------------------------------- the public page


@pytest.fixture
def catalogue(db, make_customer, product):
    """Five published testimonials with different industries, sizes, ratings and votes."""
    specs = [
        ("Logistics five", "logistics", "201-1000", 5, 1),
        ("Retail four", "retail", "51-200", 4, 7),
        ("Retail two", "retail", "201-1000", 2, 3),
        ("Finance five", "financial", "5001+", 5, 0),
        ("Logistics three", "logistics", "1-50", 3, 2),
    ]
    authors = [make_customer(product).id for _ in range(len(specs) + 1)]
    for n, (title, industry, size, rating, helpful) in enumerate(specs):
        make_testimonial(
            product,
            get_user(authors[n]),
            title=title,
            industry=industry,
            company_size=size,
            rating=rating,
            helpful_count=helpful,
            created_at=datetime(2026, 1, 1 + n, tzinfo=UTC),
        )
    make_testimonial(product, get_user(authors[-1]), title="Hidden", status="pending")
    db.session.commit()


def titles(html: str) -> list[str]:
    import re

    return re.findall(r'<h3 class="h5" id="t\d+-title">([^<]+)</h3>', html)


def test_filters_and_sorting(client, catalogue):
    url = "/products/pipeline-lens/testimonials"
    assert titles(client.get(url).text) == [
        "Retail four",
        "Retail two",
        "Logistics three",
        "Logistics five",
        "Finance five",
    ]
    assert titles(client.get(url + "?sort=newest").text)[0] == "Logistics three"
    assert titles(client.get(url + "?industry=retail").text) == ["Retail four", "Retail two"]
    assert titles(client.get(url + "?industry=retail&company_size=51-200").text) == ["Retail four"]
    assert titles(client.get(url + "?rating=5&sort=newest").text) == [
        "Finance five",
        "Logistics five",
    ]
    empty = client.get(url + "?industry=education")
    assert titles(empty.text) == []
    assert "No testimonials match these filters yet" in empty.text
    # Nonsense filter values are ignored, never an error.
    assert client.get(url + "?rating=99&industry=<x>&sort=drop").status_code == 200


def test_summary_counts_only_published_in_one_query(app, db, catalogue, product):
    product_id = product.id
    statements = []

    def count(*_args, **_kwargs):
        statements.append(1)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        summary = testimonials.testimonial_summary(product_id)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(statements) == 1
    assert summary.count == 5
    assert summary.distribution == {5: 2, 4: 1, 3: 1, 2: 1, 1: 0}
    assert summary.average == pytest.approx(19 / 5)
    assert summary.percent(5) == 40


def test_summary_partial_for_the_product_page(app, db, catalogue, product):
    with app.test_request_context():
        html = app.jinja_env.get_template("voices/_testimonial_summary.html").render(
            product=product
        )
    assert "3.8" in html
    assert "5 testimonials" in html
    assert "/products/pipeline-lens/testimonials" in html
    assert 'style="width: 40%"' in html


def test_viewing_testimonials_records_an_event(db, buyer_client, catalogue, product):
    buyer_client.get("/products/pipeline-lens/testimonials?industry=retail")
    event_ = db.session.scalar(select(Event).where(Event.kind == "testimonials_viewed"))
    assert event_.product_id == product.id
    assert event_.props == {"count": 2}


def test_unknown_product_is_404(client):
    assert client.get("/products/nope/testimonials").status_code == 404


# ---------------------------------------------------------------- helpful votes


def test_a_second_vote_does_not_count_twice(db, buyer_client, make_customer, product):
    testimonial = make_testimonial(product, get_user(make_customer(product).id))
    db.session.commit()
    url = f"/testimonials/{testimonial.id}/helpful"
    first = buyer_client.post(url, follow_redirects=True)
    assert "marked as helpful" in first.text
    second = buyer_client.post(url, follow_redirects=True)
    assert second.status_code == 200
    assert "each person counts once" in visible_text(second.text)
    db.session.refresh(testimonial)
    assert testimonial.helpful_count == 1
    assert db.session.scalar(select(func.count()).select_from(HelpfulVote)) == 1
    kinds = db.session.scalars(select(Event.kind).where(Event.kind == "testimonial_voted")).all()
    assert kinds == ["testimonial_voted"]


def test_vote_service_keeps_the_transaction_usable_after_a_duplicate(db, make_user, product):
    author = get_user(make_user().id)
    voter = get_user(make_user().id)
    testimonial = make_testimonial(product, author)
    assert testimonials.vote_helpful(voter, testimonial.id) is True
    assert testimonials.vote_helpful(voter, testimonial.id) is False
    db.session.commit()  # the failed insert was only a savepoint
    db.session.refresh(testimonial)
    assert testimonial.helpful_count == 1


def test_votes_need_sign_in_and_not_on_own_or_unpublished(
    db, client, make_customer, login_client, product
):
    customer = make_customer(product)
    other = make_customer(product)
    own = make_testimonial(product, get_user(customer.id))
    pending = make_testimonial(product, get_user(other.id), status="pending", title="Pending")
    db.session.commit()
    assert client.post(f"/testimonials/{own.id}/helpful").status_code == 302  # to login
    author = login_client(customer)
    response = author.post(f"/testimonials/{own.id}/helpful", follow_redirects=True)
    assert "can't vote for your own" in visible_text(response.text)
    assert author.post(f"/testimonials/{pending.id}/helpful").status_code == 404
    db.session.refresh(own)
    assert own.helpful_count == 0


def test_vote_redirect_stays_on_the_site(db, buyer_client, make_customer, product):
    testimonial = make_testimonial(product, get_user(make_customer(product).id))
    db.session.commit()
    response = buyer_client.post(
        f"/testimonials/{testimonial.id}/helpful", data={"next": "https://evil.example/"}
    )
    assert response.headers["Location"].startswith("/products/pipeline-lens/testimonials")
