"""Card payments end to end against localstripe, a fake Stripe server, driven by the real
``stripe`` SDK: the server creates the PaymentIntent, the test confirms it with a test card
as Stripe.js would, localstripe sends the signed webhook to the live server, the order follows.
"""

import json
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import CreditNote, Order, Payment, PaymentAttempt
from tests.commerce.support import (
    WEBHOOK_SECRET,
    add,
    checkout,
    place,
    review,
    reviewed_fingerprint,
)
from tests.conftest import AuthActions


def stripe_api(base: str, path: str, data: dict | None = None, method: str = "POST") -> dict:
    body = urllib.parse.urlencode(data or {}).encode() if method == "POST" else None
    request = urllib.request.Request(
        base + path,
        data=body,
        method=method,
        headers={"Authorization": "Bearer sk_test_commerce"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return {"http_status": error.code, **json.loads(error.read() or b"{}")}


def pay_with(base: str, intent_id: str, card: str) -> dict:
    """What Stripe.js does when the buyer submits the Payment Element."""
    stripe_api(base, f"/v1/payment_intents/{intent_id}", {"payment_method": card})
    return stripe_api(base, f"/v1/payment_intents/{intent_id}/confirm")


def wait_for(app, order_id: int, status: str, timeout: float = 20) -> Order:
    deadline = time.monotonic() + timeout
    while True:
        with app.app_context():
            order = db.session.get(Order, order_id)
            if order.status == status or time.monotonic() > deadline:
                db.session.expunge(order)
                return order
        time.sleep(0.2)


@pytest.fixture
def webhooks(localstripe, live_server):
    """localstripe delivers signed events to this test's live server."""
    stripe_api(
        localstripe,
        "/_config/webhooks/testdrive",
        {"url": f"{live_server.url}/webhooks/stripe", "secret": WEBHOOK_SECRET},
    )
    return live_server


def _attempt(app, order_id: int, number: int = -1) -> PaymentAttempt:
    with app.app_context():
        attempts = db.session.scalars(
            select(PaymentAttempt)
            .where(PaymentAttempt.order_id == order_id)
            .order_by(PaymentAttempt.number)
        ).all()
        attempt = attempts[number]
        db.session.expunge(attempt)
        return attempt


def _card_checkout(client, app, plan_id, quantity="2") -> int:
    add(client, plan_id, quantity)
    response = checkout(client, "card")  # review, then "Place order"
    with app.app_context():
        order_id = db.session.scalar(select(Order.id).order_by(Order.id.desc()))
    assert response.headers["Location"] == f"/orders/{order_id}/pay"
    return order_id


def test_card_payment_is_confirmed_by_the_signed_webhook(
    buyer_client, plan_id, localstripe, webhooks, app, outbox
):
    expected = 2 * 4900 + (2 * 4900 * 19 + 50) // 100  # two seats, 19 % German VAT
    add(buyer_client, plan_id, "2")
    shown = review(buyer_client, "card")
    assert f'will charge your card <strong data-testid="review-total">${expected / 100:.2f}' in (
        shown.text
    )
    placed = place(buyer_client, reviewed_fingerprint(shown.text), "card")
    with app.app_context():
        order_id = db.session.scalar(select(Order.id))
    assert placed.headers["Location"] == f"/orders/{order_id}/pay"
    page = buyer_client.get(f"/orders/{order_id}/pay")
    assert 'id="payment-element"' in page.text
    assert "pk_test_commerce" in page.text
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "https://js.stripe.com" in csp
    assert (
        "https://js.stripe.com" not in buyer_client.get("/cart").headers["Content-Security-Policy"]
    )

    attempt = _attempt(app, order_id)
    intent = stripe_api(localstripe, f"/v1/payment_intents/{attempt.provider_ref}", method="GET")
    with app.app_context():
        order = db.session.get(Order, order_id)
        assert intent["amount"] == order.total == expected  # what the review showed
        assert intent["currency"] == "usd"
        assert intent["metadata"]["order_id"] == str(order_id)
        assert order.status == "pending"  # nothing is paid before Stripe says so

    confirmed = pay_with(localstripe, attempt.provider_ref, "pm_card_visa")
    assert confirmed["status"] == "succeeded"
    order = wait_for(app, order_id, "paid")
    assert order.status == "paid" and order.paid_at is not None
    with app.app_context():
        payments = db.session.scalars(select(Payment)).all()
        assert [(p.provider, p.reference, p.amount) for p in payments] == [
            ("stripe", attempt.provider_ref, expected)
        ]
    assert any("Payment received" in m["Subject"] for m in outbox())


def test_declined_card_leaves_the_order_unpaid_with_a_retry(
    buyer_client, plan_id, localstripe, webhooks, app
):
    order_id = _card_checkout(buyer_client, app, plan_id)
    first = _attempt(app, order_id)
    declined = pay_with(localstripe, first.provider_ref, "pm_card_chargeCustomerFail")
    assert declined["http_status"] == 402
    order = wait_for(app, order_id, "failed")
    assert order.status == "failed" and order.paid_at is None
    page = buyer_client.get(f"/orders/{order_id}/pay").text
    assert "Your card was declined." in page and "Try the card payment again" in page

    buyer_client.post(f"/orders/{order_id}/pay")  # the retry: a new PaymentIntent
    second = _attempt(app, order_id)
    assert second.number == 2 and second.provider_ref != first.provider_ref
    assert 'id="payment-element"' in buyer_client.get(f"/orders/{order_id}/pay").text
    pay_with(localstripe, second.provider_ref, "pm_card_visa")
    assert wait_for(app, order_id, "paid").status == "paid"


def test_admin_refund_goes_through_stripe_and_reaches_the_order(
    buyer_client, plan_id, localstripe, webhooks, app, make_user
):
    order_id = _card_checkout(buyer_client, app, plan_id)
    pay_with(localstripe, _attempt(app, order_id).provider_ref, "pm_card_visa")
    wait_for(app, order_id, "paid")

    admin = app.test_client()
    AuthActions(admin).login(make_user(role="admin").email)
    response = admin.post(f"/seller/orders/{order_id}/refund", data={"reason": "Duplicate"})
    assert response.status_code == 302
    with app.app_context():
        order = db.session.get(Order, order_id)
        note = db.session.scalar(select(CreditNote))
        assert order.status == "refunded"
        assert note.stripe_refund_id.startswith("re_") and note.amount == order.total
        refunds = stripe_api(
            localstripe,
            f"/v1/refunds?payment_intent={order.attempts[0].provider_ref}",
            method="GET",
        )
    assert [r["amount"] for r in refunds["data"]] == [order.total]


def test_stripe_down_then_up_creates_exactly_one_payment_intent(
    buyer_client, plan_id, stripe_config, localstripe_url, app
):
    stripe_config["STRIPE_API_BASE"] = "http://127.0.0.1:9"  # down
    order_id = _card_checkout(buyer_client, app, plan_id)
    assert _attempt(app, order_id).status == "error"

    stripe_config["STRIPE_API_BASE"] = localstripe_url  # back
    buyer_client.post(f"/orders/{order_id}/pay")
    buyer_client.post(f"/orders/{order_id}/pay")  # an impatient second click
    attempt = _attempt(app, order_id)
    assert (attempt.number, attempt.status) == (1, "open")
    with app.app_context():
        number = db.session.get(Order, order_id).number
    intents = stripe_api(localstripe_url, "/v1/payment_intents?limit=100", method="GET")["data"]
    ours = [i for i in intents if i["metadata"].get("order_number") == number]
    assert [i["id"] for i in ours] == [attempt.provider_ref]
