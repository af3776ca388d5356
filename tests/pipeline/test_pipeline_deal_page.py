"""A deal's page: committee, timeline in plain words, next steps, notes, lost."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from portal.models import DealNote, StageTransition
from tests.factories import deal_of, make_plan, make_product, record

NOW = datetime.now(UTC)


def test_timeline_tells_what_the_committee_did_in_plain_words(db, seller_client, make_user):
    dana = make_user(email="dana@acme.example", name="Dana Prospect")
    make_user(email="kim@acme.example", name="Kim Quiet")
    lens = make_product(name="Pipeline Lens")
    plan = make_plan(lens, name="Team", unit_amount=4900)
    record(dana, "demo_completed", lens, run_id="r1", recipe="lens", rows=12430)
    record(dana, "demo_failed", lens, run_id="r2", recipe="lens", reason="missing_column")
    record(dana, "testimonials_viewed", lens, count=4)
    record(dana, "reference_requested", lens, request_id=3)
    record(dana, "cart_item_added", lens, plan_id=plan.id, quantity=3)
    record(dana, "searched", query="Forecast  SALES", results=0)
    db.session.commit()
    page = seller_client.get(f"/seller/deals/{deal_of(dana).id}").text

    assert "Dana (acme.example) ran Pipeline Lens on 12,430 rows" in page
    assert "Dana (acme.example)&#39;s Pipeline Lens demo failed (missing column)" in page
    assert "Dana (acme.example) read 4 testimonials about Pipeline Lens" in page
    assert "Dana (acme.example) asked to talk to a customer who uses Pipeline Lens" in page
    assert "Dana (acme.example) put 3 × Pipeline Lens Team in the cart" in page
    assert "searched for “forecast sales” (0 results)" in page
    # the committee: both people, the quiet one flagged
    assert "Dana Prospect" in page and "Kim Quiet" in page and "no tracked activity" in page
    # cart, stage history naming the events, next steps
    assert "3 × Pipeline Lens — Team — $147.00" in page
    assert "entered Deciding" in page or "→ Deciding" in page
    assert "Arrange the reference call they asked for" in page
    assert "Offer help with their data" not in page  # one failure, one success


def test_next_steps_follow_the_deals_state(db, seller_client, make_user):
    buyer = make_user(email="lee@initech.example")
    lens = make_product(name="Lens")
    big = make_plan(lens, unit_amount=600_000, per_seat=False)
    record(buyer, "product_viewed", lens)
    record(buyer, "product_viewed", lens)
    record(buyer, "demo_completed", lens, run_id="r", recipe="x", rows=10)
    db.session.commit()
    page = seller_client.get(f"/seller/deals/{deal_of(buyer).id}").text
    assert "Send the product sheet" in page
    assert "Offer a reference call" in page  # tried, no cart, no customer heard from
    record(buyer, "cart_item_added", lens, plan_id=big.id, quantity=1)
    record(buyer, "checkout_started", amount=600_000, currency="USD")
    db.session.commit()
    page = seller_client.get(f"/seller/deals/{deal_of(buyer).id}").text
    assert "Offer invoice payment or a quote" in page
    assert "Help them finish checkout" in page


def test_notes_and_lost_through_the_forms(db, seller_client, make_user):
    buyer = make_user(email="lee@initech.example")
    record(buyer, "product_viewed", 1, at=NOW - timedelta(days=2))
    db.session.commit()
    deal_id = deal_of(buyer).id

    empty = seller_client.post(f"/seller/deals/{deal_id}/notes", data={"body": "  "})
    assert empty.status_code == 422
    assert 'aria-describedby="body-error"' in empty.text
    response = seller_client.post(
        f"/seller/deals/{deal_id}/notes", data={"body": "Called Lee <b>today</b>"}
    )
    assert response.status_code == 302
    page = seller_client.get(f"/seller/deals/{deal_id}").text
    assert "Called Lee &lt;b&gt;today&lt;/b&gt;" in page
    assert db.session.scalar(select(DealNote.body)) == "Called Lee <b>today</b>"

    assert (
        seller_client.post(f"/seller/deals/{deal_id}/lost", data={"reason": ""}).status_code == 422
    )
    response = seller_client.post(
        f"/seller/deals/{deal_id}/lost", data={"reason": "Chose a spreadsheet"}
    )
    assert response.status_code == 302
    page = seller_client.get(f"/seller/deals/{deal_id}").text
    assert "Lost: Chose a spreadsheet" in page
    transition = db.session.scalar(select(StageTransition).where(StageTransition.kind == "lost"))
    assert transition.actor_id == seller_client.user.id
    assert transition.reason == "Chose a spreadsheet"


def test_a_sellers_notes_and_tokens_are_in_their_data_export(db, seller_client, make_user):
    buyer = make_user()
    record(buyer, "product_viewed", 1)
    db.session.commit()
    seller_client.post(f"/seller/deals/{deal_of(buyer).id}/notes", data={"body": "Met at fair"})
    seller_client.post("/seller/api-tokens", data={"name": "CRM"})
    data = seller_client.get("/account/data").json
    assert data["pipeline"]["notes"][0]["body"] == "Met at fair"
    assert data["pipeline"]["api_tokens"][0]["name"] == "CRM"
    assert "token_hash" not in str(data)
