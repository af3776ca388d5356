"""POST /webhooks/stripe: signatures, idempotency, ordering, amounts, refunds."""

import json
import logging
import threading
import time

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import (
    CreditNote,
    Event,
    Order,
    OrderStatusChange,
    Payment,
    PaymentAttempt,
    ProcessedWebhookEvent,
)
from tests.commerce.support import (
    add,
    checkout,
    intent_object,
    post_webhook,
    sign,
    stripe_event,
)


def card_order(app, client, plan_id, quantity="2", provider_ref="pi_test_1"):
    """A card order whose PaymentIntent ``provider_ref`` is open (Stripe itself is not
    reachable in these tests, so the intent id is filled in as Stripe would have)."""
    add(client, plan_id, quantity)
    assert checkout(client, "card").status_code == 302
    with app.app_context():
        attempt = db.session.scalar(select(PaymentAttempt).order_by(PaymentAttempt.id.desc()))
        if provider_ref:
            attempt.provider_ref = provider_ref
            attempt.status = "open"
        db.session.commit()
        db.session.refresh(attempt)
        db.session.expunge(attempt)
        return attempt


def count(model) -> int:
    return db.session.scalar(select(func.count(model.id)))


def test_bad_signature_is_400_and_logged(client, stripe_config, caplog, app):
    payload = stripe_event("payment_intent.succeeded", {"id": "pi_x"})
    with caplog.at_level(logging.WARNING):
        response = post_webhook(client, payload, sign(payload, secret="whsec_wrong"))
    assert response.status_code == 400
    assert "rejected a Stripe webhook" in caplog.text
    assert post_webhook(client, payload, "garbage").status_code == 400
    assert post_webhook(client, b"not json", sign(b"not json")).status_code == 400
    stale = sign(payload, timestamp=int(time.time()) - 3600)
    assert post_webhook(client, payload, stale).status_code == 400
    with app.app_context():
        assert count(ProcessedWebhookEvent) == 0


def test_webhook_without_configured_secret_is_refused(client, app):
    payload = stripe_event("payment_intent.succeeded", {"id": "pi_x"})
    assert post_webhook(client, payload).status_code == 400


def test_unknown_event_types_are_ignored_with_200(client, stripe_config, app):
    payload = stripe_event("customer.created", {"id": "cus_1"})
    response = post_webhook(client, payload)
    assert response.status_code == 200 and response.json["status"] == "ignored"
    with app.app_context():
        assert count(ProcessedWebhookEvent) == 0


def test_webhook_is_the_csrf_exempt_route(client, stripe_config):
    # No CSRF token, yet not refused for CSRF (it is verified by signature instead).
    payload = stripe_event("customer.created", {"id": "cus_1"})
    assert post_webhook(client, payload).status_code == 200
    assert client.post("/cart/items", data={}, csrf=False).status_code == 400


def test_succeeded_marks_the_order_paid_once_even_delivered_ten_times(
    buyer_client, plan_id, stripe_config, app, outbox
):
    attempt = card_order(app, buyer_client, plan_id)
    payload = stripe_event("payment_intent.succeeded", intent_object(attempt))
    statuses = [post_webhook(buyer_client, payload).json["status"] for _ in range(10)]
    assert statuses == ["paid"] + ["duplicate"] * 9
    # Stripe may also send the same news under another event id.
    again = stripe_event("payment_intent.succeeded", intent_object(attempt))
    assert post_webhook(buyer_client, again).json["status"] == "already_paid"
    with app.app_context():
        order = db.session.get(Order, attempt.order_id)
        assert order.status == "paid" and order.paid_at is not None
        assert count(Payment) == 1
        assert count(ProcessedWebhookEvent) == 2
        paid = db.session.scalars(select(Event).where(Event.kind == "order_paid")).all()
        assert len(paid) == 1 and paid[0].props["amount"] == order.total
    assert sum("Payment received" in m["Subject"] for m in outbox()) == 1
    assert "Paid" in buyer_client.get(f"/orders/{attempt.order_id}").text


def test_concurrent_duplicate_deliveries_record_one_payment(
    buyer_client, plan_id, stripe_config, app
):
    attempt = card_order(app, buyer_client, plan_id)
    payload = stripe_event("payment_intent.succeeded", intent_object(attempt))
    barrier = threading.Barrier(10)
    codes = []

    def deliver():
        client = app.test_client()
        barrier.wait()
        codes.append(post_webhook(client, payload).status_code)

    threads = [threading.Thread(target=deliver) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert codes == [200] * 10
    with app.app_context():
        assert count(Payment) == 1
        assert count(ProcessedWebhookEvent) == 1
        assert db.session.get(Order, attempt.order_id).status == "paid"


def test_webhook_before_the_order_is_visible_ends_consistent(
    buyer_client, plan_id, stripe_config, app
):
    # Stripe's event names order 1 / attempt 1 before this instance can see them.
    early = {
        "id": "pi_early",
        "amount": 11662,  # 2 seats at $49.00, plus 19 % German VAT
        "amount_received": 11662,
        "currency": "usd",
        "status": "succeeded",
        "metadata": {"order_id": "1", "attempt_id": "1"},
    }
    payload = stripe_event("payment_intent.succeeded", early)
    assert post_webhook(buyer_client, payload).status_code == 409  # Stripe retries later
    with app.app_context():
        assert count(ProcessedWebhookEvent) == 0

    # The order appears; the intent id was never stored (as after a crash mid-request).
    attempt = card_order(app, buyer_client, plan_id, provider_ref=None)
    assert (attempt.order_id, attempt.id, attempt.provider_ref) == (1, 1, None)
    response = post_webhook(buyer_client, payload)  # Stripe's retry
    assert response.status_code == 200 and response.json["status"] == "paid"
    with app.app_context():
        order = db.session.get(Order, 1)
        assert order.status == "paid"
        assert order.attempts[0].provider_ref == "pi_early"
        assert count(Payment) == 1


def test_amount_or_currency_mismatch_does_not_pay(buyer_client, plan_id, stripe_config, app):
    attempt = card_order(app, buyer_client, plan_id)
    for obj in (intent_object(attempt, amount=100), intent_object(attempt, currency="eur")):
        response = post_webhook(buyer_client, stripe_event("payment_intent.succeeded", obj))
        assert response.json["status"] == "amount_mismatch"
    with app.app_context():
        order = db.session.get(Order, attempt.order_id)
        assert order.status == "pending" and order.paid_at is None
        assert count(Payment) == 0
        assert "does not match" in order.history[-1].note


def test_failed_payment_offers_a_retry_and_late_failures_do_not_unpay(
    buyer_client, plan_id, stripe_config, app
):
    attempt = card_order(app, buyer_client, plan_id)
    failed = intent_object(attempt, status="requires_payment_method")
    failed["last_payment_error"] = {"message": "Your card was declined."}
    response = post_webhook(buyer_client, stripe_event("payment_intent.payment_failed", failed))
    assert response.json["status"] == "failed"
    page = buyer_client.get(f"/orders/{attempt.order_id}/pay").text
    assert "Your card was declined." in page and "Try the card payment again" in page
    with app.app_context():
        order = db.session.get(Order, attempt.order_id)
        assert order.status == "failed" and order.attempts[0].status == "failed"

    # Retrying starts attempt 2 (Stripe is unreachable here: a clear message, still unpaid).
    response = buyer_client.post(f"/orders/{attempt.order_id}/pay", follow_redirects=True)
    assert "couldn&#39;t reach our card processor" in response.text
    with app.app_context():
        order = db.session.get(Order, attempt.order_id)
        assert order.status == "pending"
        assert [a.number for a in order.attempts] == [1, 2]
        second = order.attempts[1]
        second.provider_ref, second.status = "pi_test_2", "open"
        db.session.commit()
        db.session.refresh(second)
        db.session.expunge(second)
    paid = stripe_event("payment_intent.succeeded", intent_object(second))
    assert post_webhook(buyer_client, paid).json["status"] == "paid"
    # A late (out-of-order) failure of the first attempt changes nothing.
    late = stripe_event("payment_intent.payment_failed", failed)
    assert post_webhook(buyer_client, late).json["status"] == "stale"
    with app.app_context():
        assert db.session.get(Order, attempt.order_id).status == "paid"


def test_charge_refunded_before_and_after_payment(buyer_client, plan_id, stripe_config, app):
    attempt = card_order(app, buyer_client, plan_id)
    charge = {
        "id": "ch_1",
        "object": "charge",
        "payment_intent": attempt.provider_ref,
        "amount": attempt.amount,
        "amount_refunded": attempt.amount,
        "refunds": {"data": [{"id": "re_1", "amount": attempt.amount}]},
    }
    refund_event = stripe_event("charge.refunded", charge)
    assert post_webhook(buyer_client, refund_event).status_code == 409  # not paid yet
    post_webhook(buyer_client, stripe_event("payment_intent.succeeded", intent_object(attempt)))
    assert post_webhook(buyer_client, refund_event).json["status"] == "refunded"
    assert post_webhook(buyer_client, refund_event).json["status"] == "duplicate"
    with app.app_context():
        order = db.session.get(Order, attempt.order_id)
        assert order.status == "refunded"
        note = db.session.scalar(select(CreditNote))
        assert note.stripe_refund_id == "re_1" and note.amount == order.total
        assert count(CreditNote) == 1
        assert db.session.scalar(select(Event.props).where(Event.kind == "order_refunded")) == {
            "order_id": order.id,
            "amount": order.total,
            "currency": "USD",
        }


def test_events_for_other_integrations_are_acknowledged(client, stripe_config, app):
    obj = {"id": "pi_elsewhere", "amount": 100, "currency": "usd", "metadata": {}}
    response = post_webhook(client, stripe_event("payment_intent.succeeded", obj))
    assert response.status_code == 200 and response.json["status"] == "not_ours"


def test_history_records_the_failure_reason(buyer_client, plan_id, stripe_config, app):
    attempt = card_order(app, buyer_client, plan_id)
    failed = intent_object(attempt, status="requires_payment_method")
    failed["last_payment_error"] = {"message": "Insufficient funds."}
    post_webhook(buyer_client, stripe_event("payment_intent.payment_failed", failed))
    with app.app_context():
        notes = db.session.scalars(select(OrderStatusChange.note)).all()
        assert any("Insufficient funds." in n for n in notes)
    assert json.loads(buyer_client.get(f"/orders/{attempt.order_id}/status.json").data) == {
        "status": "failed",
        "label": "Card payment failed",
    }
