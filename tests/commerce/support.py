"""Helpers for the commerce tests: plans, the checkout form, signed Stripe webhooks."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from itertools import count

from portal.extensions import db
from tests.factories import make_plan, make_product

WEBHOOK_SECRET = "whsec_test_commerce"
_event_ids = count(1)

BILLING = {
    "legal_name": "Acme Logistics Ltd",
    "address": "1 Dock Road\nLiverpool",
    "country": "GB",
    "tax_id": "GB123456789",
    "po_number": "PO-4711",
}


def create_plan(app, **fields) -> int:
    """A committed plan (default: Team, $49 per seat, 1–50 seats); returns its id."""
    product_fields = fields.pop("product", {})
    with app.app_context():
        plan = make_plan(make_product(**product_fields), **fields)
        db.session.commit()
        return plan.id


def add(client, plan_id: int, quantity="1", **kwargs):
    return client.post("/cart/items", data={"plan_id": plan_id, "quantity": quantity}, **kwargs)


def checkout(client, method: str = "invoice", **fields):
    data = {**BILLING, "payment_method": method, **fields}
    return client.post("/checkout", data=data)


def sign(payload: bytes, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """A ``Stripe-Signature`` header, computed the way Stripe documents it."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def stripe_event(kind: str, obj: dict, event_id: str | None = None) -> bytes:
    event = {
        "id": event_id or f"evt_test_{next(_event_ids)}_{time.time_ns()}",
        "object": "event",
        "type": kind,
        "created": int(time.time()),
        "data": {"object": obj},
    }
    return json.dumps(event).encode()


def intent_object(attempt, *, amount=None, currency=None, status="succeeded") -> dict:
    return {
        "id": attempt.provider_ref,
        "object": "payment_intent",
        "amount": attempt.amount if amount is None else amount,
        "amount_received": attempt.amount if amount is None else amount,
        "currency": (currency or attempt.currency).lower(),
        "status": status,
        "metadata": {"order_id": str(attempt.order_id), "attempt_id": str(attempt.id)},
    }


def post_webhook(client, payload: bytes, signature: str | None = None):
    return client.post(
        "/webhooks/stripe",
        data=payload,
        headers={
            "Stripe-Signature": signature or sign(payload),
            "Content-Type": "application/json",
        },
        csrf=False,
    )
