"""Reference calls: the request, the ranking, the state machine, privacy and e-mails."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from portal.models import Event, ReferenceProfile, ReferenceRequest
from portal.voices import errors, introductions, references
from tests.factories import make_reference_profile
from tests.voices.conftest import get_user, visible_text

REQUEST = {
    "industry": "logistics",
    "company_size": "201-1000",
    "role": "Head of Sales",
    "topics": ["rollout", "roi"],
    "message": "How long did it take before your reps trusted the forecast?",
}


def ask(client, product, **overrides):
    data = {**REQUEST, "product_id": str(product.id), **overrides}
    return client.post("/references/request", data=data)


@pytest.fixture
def reference(db, make_user, make_customer, product):
    """An opted-in customer (Riley at Harborline) of the product."""
    make_user(role="buyer", email="someone@harborline.example", company="Harborline Freight")
    customer = make_customer(
        product, email="riley@harborline.example", name="Riley Reference", company="Harborline"
    )
    make_reference_profile(get_user(customer.id))
    db.session.commit()
    return customer


@pytest.fixture
def prospect(make_user):
    return make_user(email="pat@globex.example", name="Pat Prospect", company="Globex")


def make_request(db, prospect, product, **fields) -> ReferenceRequest:
    values = {**REQUEST, **fields}
    request_ = references.request_reference(get_user(prospect.id), product, **values)
    db.session.commit()
    return request_


# ---------------------------------------------------------------- asking


def test_anonymous_visitors_are_sent_to_sign_in_and_back(client, product):
    page = client.get("/products/pipeline-lens/testimonials")
    assert "Sign in to ask" in page.text
    response = ask(client, product)
    assert response.status_code == 303
    assert "/login?next=/products/pipeline-lens/testimonials%23talk" in response.headers["Location"]


def test_a_prospect_requests_a_reference(db, login_client, prospect, product):
    client = login_client(prospect)
    page = client.get("/products/pipeline-lens/testimonials")
    assert 'id="talk"' in page.text and "Talk to a customer like you" in page.text
    response = ask(client, product)
    assert response.status_code == 303
    item = db.session.scalar(select(ReferenceRequest))
    assert response.headers["Location"] == f"/references/requests/{item.id}"
    assert (item.status, item.industry, item.topics) == (
        "requested",
        "logistics",
        REQUEST["topics"],
    )
    event_ = db.session.scalar(select(Event).where(Event.kind == "reference_requested"))
    assert event_.props == {"request_id": item.id}
    assert event_.product_id == product.id
    # Asking again while the first is open leads to the open one, not a duplicate.
    again = ask(client, product)
    assert again.headers["Location"] == f"/references/requests/{item.id}"
    assert len(db.session.scalars(select(ReferenceRequest)).all()) == 1
    assert "Looking for a customer" in client.get("/products/pipeline-lens/testimonials").text


def test_bad_request_input_is_422_on_the_testimonials_page(db, login_client, prospect, product):
    client = login_client(prospect)
    response = ask(client, product, industry="", message="short", topics=["bribery"])
    assert response.status_code == 422
    assert "Choose your industry." in response.text
    assert "Write between 15 and 1000 characters." in response.text
    assert db.session.scalar(select(ReferenceRequest)) is None
    assert ask(client, product, product_id="999").status_code == 404
    assert ask(client, product, product_id="abc").status_code == 404


def test_sellers_do_not_request_references(seller_client, product):
    assert "your references page" in seller_client.get("/products/pipeline-lens/testimonials").text
    assert ask(seller_client, product).status_code == 403


# ---------------------------------------------------------------- opting in


def test_only_customers_opt_in(db, login_client, make_customer, prospect, product):
    page = login_client(prospect).get("/account/references")
    assert "Once your company has bought a product" in page.text
    denied = login_client(prospect).post(
        "/account/references",
        data={"is_active": "y", "industry": "retail", "company_size": "1-50", "monthly_cap": "2"},
    )
    assert denied.status_code == 403

    customer = make_customer(product)
    client = login_client(customer)
    bad = client.post(
        "/account/references",
        data={"is_active": "y", "industry": "retail", "company_size": "1-50", "monthly_cap": "50"},
    )
    assert bad.status_code == 422
    assert "Choose between 1 and 10." in bad.text
    ok = client.post(
        "/account/references",
        data={
            "is_active": "y",
            "industry": "retail",
            "company_size": "1-50",
            "role": "COO",
            "topics": ["rollout", "support"],
            "availability": "Fridays",
            "monthly_cap": "3",
        },
    )
    assert ok.status_code == 303
    profile = db.session.scalar(select(ReferenceProfile))
    assert (profile.is_active, profile.topics, profile.monthly_cap) == (
        True,
        ["rollout", "support"],
        3,
    )


# ---------------------------------------------------------------- ranking


def test_candidates_are_ranked_by_fit_and_capacity(db, make_customer, make_user, product, prospect):
    def customer(name, **profile):
        user = make_customer(product, name=name, email=f"{name.lower()}@{name.lower()}.example")
        return user.id, profile

    specs = [
        customer("Exact", industry="logistics", company_size="201-1000", topics=["rollout"]),
        customer("Industry", industry="logistics", company_size="1-50", topics=["support"]),
        customer("Topics", industry="retail", company_size="1001-5000", topics=["roi", "rollout"]),
        customer("Full", industry="logistics", company_size="201-1000", monthly_cap=1),
        customer("Quiet", industry="retail", company_size="1-50", is_active=False),
    ]
    not_a_customer = make_user(email="nobody@else.example").id
    for user_id, profile in [*specs, (not_a_customer, {})]:
        make_reference_profile(get_user(user_id), **profile)
    item = make_request(db, prospect, product)
    # "Full" already has an introduction this month.
    other = ReferenceRequest(
        product_id=product.id,
        requester_id=not_a_customer,
        industry="retail",
        company_size="1-50",
        message="Earlier request from someone else",
        status="introduced",
        reference_id=specs[3][0],
        introduced_at=datetime.now(UTC) - timedelta(hours=1),
    )
    db.session.add(other)
    db.session.commit()

    ranked = references.rank_references(item)
    names = [c.user.name for c in ranked]
    # Exact 3+2+1, Topics 1 (neighbouring size) + 2 topics, Industry 3 (older customer wins
    # the tie), Full would fit best but has no introductions left this month.
    assert names == ["Exact", "Industry", "Topics", "Full"]
    assert ranked[0].fit == "Strong fit"
    assert ranked[0].reasons[:2] == ["Same industry (Logistics & transport)", "Same company size"]
    assert ranked[-1].remaining == 0


def test_the_prospects_own_colleagues_are_not_candidates(db, make_customer, product):
    colleague = make_customer(product, email="chris@globex.example")
    make_reference_profile(get_user(colleague.id))
    db.session.commit()
    prospect = get_user(make_customer(product, email="pat@globex.example").id)
    item = references.request_reference(prospect, product, **REQUEST)
    assert references.rank_references(item) == []


# ---------------------------------------------------------------- the state machine


def test_full_flow_only_introduces_after_acceptance(
    db, seller_client, login_client, outbox, reference, prospect, product
):
    prospect_client = login_client(prospect)
    assert ask(prospect_client, product).status_code == 303
    item = db.session.scalar(select(ReferenceRequest))

    board = seller_client.get("/seller/references")
    assert board.status_code == 200
    assert "Riley Reference" in board.text and "Strong fit" in board.text
    proposed = seller_client.post(
        f"/seller/references/{item.id}/propose",
        data={"reference_id": str(reference.id), "note": "Riley did the same rollout last year."},
    )
    assert proposed.status_code == 303
    db.session.refresh(item)
    assert (item.status, item.reference_id) == ("proposed", reference.id)

    # Only the customer was asked; nothing about the prospect's contact is in that mail, and
    # nothing about the customer reaches the prospect.
    mails = outbox()
    assert [m["To"] for m in mails] == ["riley@harborline.example"]
    assert "pat@globex.example" not in mails[0].get_body(("plain",)).get_content()
    for page in (
        prospect_client.get(f"/references/requests/{item.id}").text,
        prospect_client.get("/account/references").text,
        prospect_client.get("/products/pipeline-lens/testimonials").text,
    ):
        assert "riley@harborline.example" not in page
        assert "Riley" not in page

    customer_client = login_client(reference)
    settings = customer_client.get("/account/references").text
    assert "Introductions waiting for you (1)" in settings
    assert "How long did it take before your reps trusted the forecast?" in settings
    assert "pat@globex.example" not in settings

    accepted = customer_client.post(f"/account/references/{item.id}/accept")
    assert accepted.status_code == 303
    db.session.refresh(item)
    assert item.status == "introduced" and item.introduced_at is not None

    mails = outbox()
    assert sorted(m["To"] for m in mails[1:]) == ["pat@globex.example", "riley@harborline.example"]
    to_prospect = next(m for m in mails[1:] if m["To"] == "pat@globex.example")
    to_customer = next(m for m in mails[1:] if m["To"] == "riley@harborline.example")
    assert "riley@harborline.example" in to_prospect.get_body(("plain",)).get_content()
    assert "Tuesday afternoons" in to_prospect.get_body(("plain",)).get_content()
    assert "pat@globex.example" in to_customer.get_body(("plain",)).get_content()
    assert "riley@harborline.example" in prospect_client.get(f"/references/requests/{item.id}").text

    # A double click on accept sends nothing more.
    again = customer_client.post(f"/account/references/{item.id}/accept", follow_redirects=True)
    assert "already introduced" in again.text
    assert len(outbox()) == 3

    done = prospect_client.post(f"/references/requests/{item.id}/complete")
    assert done.status_code == 303
    db.session.refresh(item)
    assert item.status == "completed"


def test_decline_hides_the_customer_and_allows_another_proposal(
    db, make_customer, outbox, reference, prospect, product, make_user
):
    seller = get_user(make_user(role="seller").id)
    second = make_customer(product, email="sam@other.example", name="Sam Second")
    make_reference_profile(get_user(second.id))
    item = make_request(db, prospect, product)
    introductions.propose_reference(seller, item.id, reference.id)
    introductions.decline_introduction(get_user(reference.id), item.id)
    db.session.commit()
    assert (item.status, item.reference_id) == ("declined", None)
    assert item.declined_reference_ids == [reference.id]
    # The customer who said no is not proposed again for this request.
    assert [c.user.id for c in references.rank_references(item)] == [second.id]
    with pytest.raises(errors.InvalidInput):
        introductions.propose_reference(seller, item.id, reference.id)
    introductions.propose_reference(seller, item.id, second.id)
    assert item.status == "proposed"
    assert outbox() == []  # services never mail; routes do after the commit


@pytest.mark.parametrize(
    ("action", "start"),
    [
        ("accept", "requested"),
        ("decline", "introduced"),
        ("complete", "proposed"),
        ("complete", "requested"),
        ("propose", "introduced"),
        ("propose", "completed"),
        ("close", "proposed"),
        ("close", "completed"),
    ],
)
def test_illegal_transitions_are_refused(
    db, make_user, reference, prospect, product, action, start
):
    seller = get_user(make_user(role="seller").id)
    customer = get_user(reference.id)
    item = make_request(db, prospect, product)
    item.status = start
    item.reference_id = customer.id
    db.session.commit()
    calls = {
        "accept": lambda: introductions.accept_introduction(customer, item.id),
        "decline": lambda: introductions.decline_introduction(customer, item.id),
        "complete": lambda: introductions.complete_introduction(seller, item.id),
        "propose": lambda: introductions.propose_reference(seller, item.id, customer.id),
        "close": lambda: introductions.close_request(seller, item.id, "Nobody fits right now"),
    }
    with pytest.raises(errors.Conflict):
        calls[action]()
    db.session.refresh(item)
    assert item.status == start


def test_only_the_proposed_customer_answers(
    db, login_client, make_customer, make_user, reference, prospect, product
):
    seller = get_user(make_user(role="seller").id)
    item = make_request(db, prospect, product)
    introductions.propose_reference(seller, item.id, reference.id)
    db.session.commit()
    intruder = login_client(make_customer(product))
    assert intruder.post(f"/account/references/{item.id}/accept").status_code == 404
    assert login_client(prospect).post(f"/account/references/{item.id}/accept").status_code == 404
    assert login_client(prospect).get("/references/requests/999").status_code == 404
    assert intruder.get(f"/references/requests/{item.id}").status_code == 404
    db.session.refresh(item)
    assert item.status == "proposed"


def test_the_monthly_cap_is_respected(db, make_user, make_customer, reference, product):
    seller = get_user(make_user(role="seller").id)
    profile = references.reference_profile(reference.id)
    profile.monthly_cap = 1
    first = make_request(db, make_user(), product)
    second = make_request(db, make_user(), product)
    introductions.propose_reference(seller, first.id, reference.id)
    with pytest.raises(errors.Conflict, match="limit of 1 introductions"):
        introductions.propose_reference(seller, second.id, reference.id)


def test_seller_pages_are_for_sellers(client, buyer_client, seller_client, admin_client):
    assert client.get("/seller/references").status_code == 302
    assert buyer_client.get("/seller/references").status_code == 403
    assert buyer_client.post("/seller/references/1/propose").status_code == 403
    assert seller_client.get("/seller/references?status=nonsense").status_code == 200
    assert admin_client.get("/seller/references").status_code == 200


def test_close_request_with_a_reason(db, seller_client, prospect, product, login_client):
    item = make_request(db, prospect, product)
    assert seller_client.post(f"/seller/references/{item.id}/close", data={"reason": ""})
    db.session.refresh(item)
    assert item.status == "requested"
    seller_client.post(
        f"/seller/references/{item.id}/close", data={"reason": "No customer in your region yet."}
    )
    db.session.refresh(item)
    assert (item.status, item.close_reason) == ("declined", "No customer in your region yet.")
    page = login_client(prospect).get(f"/references/requests/{item.id}")
    assert "No customer in your region yet." in page.text


def test_account_partial_summarises_references(
    app, db, make_user, reference, prospect, product, login_client
):
    seller = get_user(make_user(role="seller").id)
    item = make_request(db, prospect, product)
    introductions.propose_reference(seller, item.id, reference.id)
    db.session.commit()
    overview = references.reference_overview(get_user(reference.id))
    assert (overview.is_customer, overview.waiting, overview.open_requests) == (True, 1, 0)
    mine = references.reference_overview(get_user(prospect.id))
    assert (mine.is_customer, mine.waiting, mine.open_requests) == (False, 0, 1)

    from flask import render_template
    from flask_login import login_user

    with app.test_request_context():
        login_user(get_user(reference.id))
        html = render_template("voices/_account_references.html")
    text = visible_text(html)
    assert "1 introduction waiting for your answer." in text
    assert "You're a reference customer: up to 2 introductions a month." in text
    assert "/account/references" in html
