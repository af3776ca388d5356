"""Stripe events that are correctly signed but malformed: 400 and logged (Stripe would retry a
5xx for days, and no retry makes them valid); unknown payment intents: 200, nothing applied."""

import json
import logging

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Order, Payment, ProcessedWebhookEvent
from tests.commerce.support import intent_object, post_webhook, stripe_event
from tests.commerce.test_commerce_webhook import card_order

HUGE = str(2**63)


def _event(kind: str, data) -> bytes:
    """A signed-shaped event whose ``data`` is given verbatim (maybe not even an object)."""
    return json.dumps(
        {"id": f"evt_bad_{abs(hash(json.dumps(data)))}", "type": kind, "data": data}
    ).encode()


MALFORMED = {
    "data is a list": ("payment_intent.succeeded", []),
    "data is a string": ("charge.refunded", "x"),
    "no object": ("payment_intent.succeeded", {}),
    "object is a list": ("payment_intent.succeeded", {"object": [1, 2]}),
    "object is a charge": (
        "payment_intent.succeeded",
        {"object": {"object": "charge", "id": "ch"}},
    ),
    "intent without id": ("payment_intent.succeeded", {"object": {"amount": 100}}),
    "id is a number": ("payment_intent.succeeded", {"object": {"id": 12}}),
    "id is a list": ("payment_intent.payment_failed", {"object": {"id": ["pi"]}}),
    "metadata is a string": ("payment_intent.succeeded", {"object": {"id": "pi", "metadata": "x"}}),
    "amount is text": ("payment_intent.succeeded", {"object": {"id": "pi", "amount": "ten"}}),
    "amount is huge": ("payment_intent.succeeded", {"object": {"id": "pi", "amount": 2**64}}),
    "amount is true": ("payment_intent.succeeded", {"object": {"id": "pi", "amount": True}}),
    "error is text": (
        "payment_intent.payment_failed",
        {"object": {"id": "pi", "last_payment_error": "card declined"}},
    ),
    "charge intent is an object": ("charge.refunded", {"object": {"payment_intent": {"id": 1}}}),
    "refunds is a list": ("charge.refunded", {"object": {"payment_intent": "pi", "refunds": []}}),
    "refund data holds text": (
        "charge.refunded",
        {"object": {"payment_intent": "pi", "refunds": {"data": ["re_1"]}}},
    ),
    "amount refunded is text": (
        "charge.refunded",
        {"object": {"payment_intent": "pi", "amount_refunded": "all"}},
    ),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_signed_malformed_events_are_400_and_logged(client, stripe_config, app, caplog, case):
    kind, data = MALFORMED[case]
    with caplog.at_level(logging.WARNING, logger="portal.commerce.payment_routes"):
        response = post_webhook(client, _event(kind, data))
    assert response.status_code == 400, response.text
    assert response.json["error"] == "malformed event"
    assert "malformed Stripe event" in caplog.text
    with app.app_context():
        assert db.session.scalar(select(func.count(ProcessedWebhookEvent.id))) == 0


@pytest.mark.parametrize(
    "metadata",
    [
        {},
        {"order_id": HUGE, "attempt_id": HUGE},
        {"order_id": "-1", "attempt_id": "1"},
        {"order_id": "1e3", "attempt_id": "x"},
    ],
)
def test_unknown_payment_intents_are_acknowledged_and_ignored(client, stripe_config, metadata):
    obj = {"id": "pi_unknown", "amount": 100, "currency": "usd", "metadata": metadata}
    response = post_webhook(client, stripe_event("payment_intent.succeeded", obj))
    assert response.status_code == 200 and response.json["status"] == "not_ours"
    charge = {"object": "charge", "payment_intent": "pi_unknown", "amount_refunded": 100}
    refund = post_webhook(client, stripe_event("charge.refunded", charge))
    assert refund.status_code == 200 and refund.json["status"] == "not_ours"


def test_a_malformed_event_for_a_real_order_changes_nothing(
    buyer_client, plan_id, stripe_config, app
):
    attempt = card_order(app, buyer_client, plan_id)
    obj = {**intent_object(attempt), "amount_received": "all of it"}
    response = post_webhook(buyer_client, stripe_event("payment_intent.succeeded", obj))
    assert response.status_code == 400
    good = post_webhook(
        buyer_client, stripe_event("payment_intent.succeeded", intent_object(attempt))
    )
    assert good.json["status"] == "paid"
    with app.app_context():
        assert db.session.get(Order, attempt.order_id).status == "paid"
        assert db.session.scalar(select(func.count(Payment.id))) == 1
