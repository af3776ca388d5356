"""Helpers for the commerce tests: plans, the checkout form, signed Stripe webhooks."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import time
from itertools import count

from portal.extensions import db
from tests.factories import make_plan, make_product

WEBHOOK_SECRET = "whsec_test_commerce"
_event_ids = count(1)

# A German company buying from the (default) German vendor: domestic VAT, 19 %.
BILLING = {
    "legal_name": "Acme Logistics Ltd",
    "address": "Kaistraße 12\n20457 Hamburg",
    "country": "DE",
    "tax_id": "DE136695976",
    "po_number": "PO-4711",
}


def _billing(method: str, fields: dict) -> dict:
    data = {**BILLING, "payment_method": method, **fields}
    if "country" in fields and "tax_id" not in fields:
        data["tax_id"] = ""  # BILLING's VAT id is German: another country has none
    return data


def create_plan(app, **fields) -> int:
    """A committed plan (default: Team, $49 per seat, 1–50 seats); returns its id."""
    product_fields = fields.pop("product", {})
    with app.app_context():
        plan = make_plan(make_product(**product_fields), **fields)
        db.session.commit()
        return plan.id


def add(client, plan_id: int, quantity="1", **kwargs):
    return client.post("/cart/items", data={"plan_id": plan_id, "quantity": quantity}, **kwargs)


def review(client, method: str = "invoice", **fields):
    """Submit the checkout details: the answer is the review step (or the form's errors)."""
    return client.post("/checkout", data=_billing(method, fields))


def reviewed_fingerprint(page_text: str) -> str | None:
    found = re.search(r'name="reviewed" type="hidden" value="([0-9a-f]+)"', page_text)
    return found.group(1) if found else None


def place(client, fingerprint: str, method: str = "invoice", **fields):
    """Press "Place order" on a review showing ``fingerprint``."""
    data = {**_billing(method, fields), "reviewed": fingerprint, "place": "1"}
    return client.post("/checkout", data=data)


def checkout(client, method: str = "invoice", **fields):
    """Review, then place the order the review showed (what a buyer does in two clicks).
    Returns the review's answer when it shows no review (form errors, empty cart)."""
    shown = review(client, method, **fields)
    fingerprint = reviewed_fingerprint(shown.text) if shown.status_code == 200 else None
    if fingerprint is None:
        return shown
    return place(client, fingerprint, method, **fields)


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
