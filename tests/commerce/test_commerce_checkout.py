"""Checkout: company details, invoice orders, quotes, card availability, confirmations."""

import io
import re

from pypdf import PdfReader
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Cart, Event, Order, OrderStatusChange, Plan
from tests.commerce.support import BILLING, add, checkout, place, review, reviewed_fingerprint
from tests.conftest import AuthActions


def _order() -> Order:
    return db.session.scalar(select(Order))


def test_checkout_requires_sign_in(client):
    response = client.get("/checkout")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_empty_cart_checkout_goes_back_to_the_cart(buyer_client):
    response = buyer_client.get("/checkout", follow_redirects=True)
    assert "Your cart is empty" in response.text


def test_invoice_checkout_creates_an_order_quote_and_email(buyer_client, plan_id, outbox, db):
    add(buyer_client, plan_id, "4")  # $196.00
    page = buyer_client.get("/checkout")
    assert page.status_code == 200
    assert 'name="legal_name"' in page.text
    response = checkout(buyer_client, "invoice", country="DE")
    assert response.status_code == 302
    order = _order()
    assert response.headers["Location"].endswith(f"/orders/{order.id}/confirmation")
    assert order.status == "awaiting_payment" and order.payment_method == "invoice"
    assert (order.subtotal, order.tax, order.total) == (19600, 3724, 23324)
    assert (order.billing_name, order.billing_country, order.po_number) == (
        "Acme Logistics Ltd",
        "DE",
        "PO-4711",
    )
    assert order.paid_at is None and order.quote_valid_until is not None
    assert [line.quantity for line in order.lines] == [4]
    assert db.session.scalar(select(Cart)).items == []

    confirmation = buyer_client.get(response.headers["Location"])
    assert f"order {order.number} is placed" in confirmation.text
    assert "Download the quote" in confirmation.text

    mails = outbox()
    assert len(mails) == 1 and order.number in mails[0]["Subject"]
    assert buyer_client.user.email in mails[0]["To"]

    kinds = [e.kind for e in db.session.scalars(select(Event).order_by(Event.id))]
    assert kinds == [
        "logged_in",
        "cart_item_added",
        "checkout_started",
        "cart_item_removed",
        "order_placed",
    ]
    placed = db.session.scalar(select(Event).where(Event.kind == "order_placed"))
    assert placed.props == {
        "order_id": order.id,
        "number": order.number,
        "amount": 23324,
        "net": 19600,  # the pipeline's value is net of tax
        "currency": "USD",
        "method": "invoice",
    }
    started = db.session.scalar(select(Event).where(Event.kind == "checkout_started"))
    assert started.props == {"amount": 19600, "currency": "USD"}


def test_quote_pdf_has_lines_tax_total_terms_bank_and_validity(buyer_client, plan_id, db):
    add(buyer_client, plan_id, "2")
    checkout(buyer_client, "invoice", country="FR")
    order = _order()
    response = buyer_client.get(f"/orders/{order.id}/quote.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    text = PdfReader(io.BytesIO(response.data)).pages[0].extract_text()
    for expected in (
        "Quote / pro-forma invoice",
        order.number,
        "Valid until",
        "Pipeline Lens - Team",
        "USD 98.00",  # subtotal
        "Tax (20 %)",
        "USD 19.60",
        "USD 117.60",
        "net 30 days",
        "IBAN",
        "PO-4711",
        "Acme Logistics Ltd",
    ):
        assert expected in text, expected
    event = db.session.scalar(select(Event).where(Event.kind == "quote_downloaded"))
    assert event.props == {"order_id": order.id}


def test_another_buyers_order_and_quote_are_not_found(buyer_client, make_user, plan_id, app):
    # No ``db`` fixture here: an app context held by the test would be shared by both
    # clients' requests (and with it Flask-Login's cached user).
    add(buyer_client, plan_id, "1")
    checkout(buyer_client)
    with app.app_context():
        order_id = db.session.scalar(select(Order.id))
    other = app.test_client()
    AuthActions(other).login(make_user().email)
    for path in (f"/orders/{order_id}", f"/orders/{order_id}/quote.pdf", f"/orders/{order_id}/pay"):
        assert other.get(path).status_code == 404
    assert buyer_client.get(f"/orders/{order_id}").status_code == 200


def test_amount_tampered_in_the_form_is_ignored(buyer_client, plan_id, db):
    add(buyer_client, plan_id, "3")
    checkout(buyer_client, "invoice", total="1", amount="1", subtotal="1", unit_amount="1")
    order = _order()
    assert order.subtotal == 3 * 4900
    assert order.total == 3 * 4900 + (3 * 4900 * 1900 + 5000) // 10000  # DE: 19 %


def test_missing_company_details_are_422_with_messages(buyer_client, plan_id, db):
    add(buyer_client, plan_id, "1")
    response = checkout(buyer_client, legal_name="", address="", country="")
    assert response.status_code == 422
    for message in (
        "Enter the name for the invoice.",
        "Enter the billing address.",
        "Choose the billing country.",
    ):
        assert message in response.text
    assert re.search(r'aria-describedby="[^"]*legal_name-error"', response.text)
    assert db.session.scalar(select(func.count(Order.id))) == 0


def test_review_shows_the_exact_total_and_the_order_equals_it(buyer_client, plan_id, db):
    add(buyer_client, plan_id, "7")
    shown = review(buyer_client, "invoice")
    assert shown.status_code == 200 and "Review your order" in shown.text
    subtotal = 7 * 4900
    total = subtotal + (subtotal * 19 + 50) // 100  # 19 % German VAT, rounded half up
    amount = f'<strong data-testid="review-total">${total / 100:,.2f}</strong>'
    assert f"will invoice you {amount}" in shown.text
    assert db.session.scalar(select(func.count(Order.id))) == 0  # reviewing orders nothing
    placed = place(buyer_client, reviewed_fingerprint(shown.text), "invoice")
    assert placed.status_code == 302
    assert (_order().subtotal, _order().total) == (subtotal, total)


def test_a_price_changed_after_the_review_shows_the_new_review(buyer_client, plan_id, db):
    add(buyer_client, plan_id, "2")
    shown = review(buyer_client)
    db.session.get(Plan, plan_id).unit_amount = 5900
    db.session.commit()
    response = place(buyer_client, reviewed_fingerprint(shown.text))
    assert response.status_code == 409
    assert "The total changed since you reviewed it" in response.text
    assert "Prices changed since you added them" in response.text
    new_total = 2 * 5900 + (2 * 5900 * 19 + 50) // 100
    assert f"${new_total / 100:,.2f}" in response.text and "was $49.00" in response.text
    assert db.session.scalar(select(func.count(Order.id))) == 0  # never charged silently

    response = place(buyer_client, reviewed_fingerprint(response.text))
    assert response.status_code == 302
    assert (_order().subtotal, _order().total) == (2 * 5900, new_total)


def test_card_is_not_offered_without_stripe(buyer_client, plan_id):
    add(buyer_client, plan_id, "1")
    page = buyer_client.get("/checkout").text
    assert 'value="card"' not in page
    assert "Card payment isn&#39;t set up on this portal" in page
    response = checkout(buyer_client, "card")
    assert response.status_code == 422


def test_big_ticket_is_invoice_only_with_a_reason(
    buyer_client, enterprise_plan_id, stripe_config, db
):
    add(buyer_client, enterprise_plan_id, "1")
    page = buyer_client.get("/checkout").text
    assert 'value="card"' not in page
    assert "above what we take by card" in page
    response = checkout(buyer_client, "card", country="US")
    assert response.status_code == 422
    assert db.session.scalar(select(func.count(Order.id))) == 0
    response = checkout(buyer_client, "invoice", country="US")
    assert response.status_code == 302
    assert _order().total == 120_000_000


def test_card_limit_is_configurable(buyer_client, plan_id, stripe_config):
    add(buyer_client, plan_id, "2")
    assert 'value="card"' in buyer_client.get("/checkout").text
    stripe_config["CARD_LIMIT"] = 5000
    assert 'value="card"' not in buyer_client.get("/checkout").text


def test_order_page_lists_history_and_orders_page_lists_the_order(buyer_client, plan_id, db):
    add(buyer_client, plan_id, "1")
    checkout(buyer_client)
    order = _order()
    listing = buyer_client.get("/orders").text
    assert order.number in listing and "Awaiting payment" in listing
    detail = buyer_client.get(f"/orders/{order.id}").text
    assert "History" in detail and "Quote issued" in detail
    assert db.session.scalar(select(func.count(OrderStatusChange.id))) == 1


def test_orders_page_empty_state(buyer_client):
    assert "You have no orders yet." in buyer_client.get("/orders").text


def test_billing_details_are_prefilled_from_the_last_order(buyer_client, plan_id):
    add(buyer_client, plan_id, "1")
    checkout(buyer_client)
    add(buyer_client, plan_id, "1")
    page = buyer_client.get("/checkout").text
    assert BILLING["legal_name"] in page and "DE136695976" in page
