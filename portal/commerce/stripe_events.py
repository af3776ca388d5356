"""Stripe's events, applied once each: ``payment_intent.succeeded`` pays the order,
``payment_intent.payment_failed`` fails the attempt (the buyer may retry), ``charge.refunded``
refunds it. Duplicates are no-ops (``ProcessedWebhookEvent.event_id`` is unique, and so is a
payment's provider reference); an event that depends on something not visible yet raises
``WebhookNotReady`` so that Stripe delivers it again later.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from portal.bounds import MAX_ID, bounded_int
from portal.commerce.locking import lock_row
from portal.commerce.orders import apply_payment, change_status, issue_credit_note
from portal.commerce.payments import latest_attempt
from portal.errors import ServiceError
from portal.extensions import db
from portal.models import Order, OrderStatusChange, Payment, PaymentAttempt, ProcessedWebhookEvent

log = logging.getLogger(__name__)


class WebhookNotReady(ServiceError):
    """The event refers to an order this instance cannot see yet: let Stripe retry."""

    status = 409


class MalformedEvent(ServiceError):
    """Correctly signed, but not the shape Stripe documents for its type: answered 400 and
    logged (no retry will make it valid), never applied."""

    status = 400


# The fields each handled object may carry, with their JSON types (None is always allowed:
# Stripe sends null for an absent value). Anything else is a MalformedEvent.
_AMOUNT_LIMIT = 10**12
_SHAPES: dict[str, tuple[str, dict[str, type | tuple[type, ...]]]] = {
    "payment_intent": (
        "payment_intent",
        {
            "id": str,
            "amount": int,
            "amount_received": int,
            "currency": str,
            "metadata": dict,
            "last_payment_error": dict,
        },
    ),
    "charge": ("charge", {"payment_intent": str, "amount_refunded": int, "refunds": dict}),
}
_OBJECT_OF = {
    "payment_intent.succeeded": "payment_intent",
    "payment_intent.payment_failed": "payment_intent",
    "charge.refunded": "charge",
}


def checked_object(kind: str, event: dict[str, Any]) -> dict[str, Any]:
    """``event.data.object`` when it has the documented shape for ``kind``, else
    ``MalformedEvent`` naming what is wrong."""
    data = event.get("data")
    obj = data.get("object") if isinstance(data, dict) else None
    if not isinstance(obj, dict):
        raise MalformedEvent("data.object is missing or not an object")
    expected, fields = _SHAPES[_OBJECT_OF[kind]]
    if obj.get("object", expected) != expected:
        raise MalformedEvent(f"data.object is a {obj.get('object')!r}, not a {expected}")
    for name, kinds in fields.items():
        value = obj.get(name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, kinds):
            raise MalformedEvent(f"data.object.{name} has the wrong type")
        if isinstance(value, int) and not 0 <= value <= _AMOUNT_LIMIT:
            raise MalformedEvent(f"data.object.{name} is out of range")
    if expected == "payment_intent" and not obj.get("id"):
        raise MalformedEvent("data.object.id is missing")
    refunds = (obj.get("refunds") or {}).get("data")
    if refunds is not None and not (
        isinstance(refunds, list) and all(isinstance(r, dict) for r in refunds)
    ):
        raise MalformedEvent("data.object.refunds.data is not a list of refunds")
    return obj


@dataclass
class WebhookResult:
    outcome: str
    order: Order | None = None

    @property
    def order_paid(self) -> bool:
        return self.outcome == "paid"


def _attempt_for_intent(intent: dict[str, Any]) -> PaymentAttempt | None:
    """Find our attempt by PaymentIntent id, else by the metadata we sent to Stripe."""
    intent_id = intent.get("id") or ""
    attempt = db.session.scalar(
        select(PaymentAttempt).where(PaymentAttempt.provider_ref == intent_id)
    )
    if attempt is not None:
        return attempt
    metadata = intent.get("metadata") or {}
    order_id = bounded_int(metadata.get("order_id"), 1, MAX_ID)
    attempt_id = bounded_int(metadata.get("attempt_id"), 1, MAX_ID)
    if order_id is None or attempt_id is None:
        return None  # not one of ours (another integration on the same Stripe account)
    attempt = db.session.get(PaymentAttempt, attempt_id)
    if attempt is None or attempt.order_id != order_id:
        raise WebhookNotReady(f"order {order_id} / attempt {attempt_id} is not visible yet")
    if attempt.provider_ref is None:  # we crashed before storing Stripe's answer
        attempt.provider_ref = intent_id
        attempt.status = "open"
    return attempt


def _locked_attempt(intent: dict[str, Any]) -> PaymentAttempt | None:
    """Our attempt behind the intent, with its order locked for the rest of the event."""
    attempt = _attempt_for_intent(intent)
    if attempt is not None:
        lock_row(attempt.order)
    return attempt


def _on_intent_succeeded(intent: dict[str, Any]) -> WebhookResult:
    attempt = _locked_attempt(intent)
    if attempt is None:
        return WebhookResult("not_ours")
    order = attempt.order
    amount = int(intent.get("amount_received") or intent.get("amount") or 0)
    currency = str(intent.get("currency") or "").upper()
    if amount != attempt.amount or amount != order.total or currency != order.currency:
        log.warning(
            "Stripe payment %s for order %s: %s %s does not match the order's %s %s",
            intent.get("id"),
            order.number,
            amount,
            currency,
            order.total,
            order.currency,
        )
        order.history.append(
            OrderStatusChange(
                from_status=order.status,
                to_status=order.status,
                note="A card payment arrived with an amount that does not match; review it.",
            )
        )
        db.session.flush()
        return WebhookResult("amount_mismatch", order)
    attempt.status = "succeeded"
    attempt.failure_message = ""
    exists = db.session.scalar(
        select(Payment.id).where(
            Payment.provider == "stripe", Payment.reference == attempt.provider_ref
        )
    )
    if exists is not None or order.is_settled:
        db.session.flush()
        return WebhookResult("already_paid", order)
    payment = Payment(
        provider="stripe", reference=attempt.provider_ref, amount=amount, currency=currency
    )
    note = "Card payment received."
    if order.status == "cancelled":
        note = "Card payment received after the order was cancelled; review it."
    apply_payment(order, payment, note)
    return WebhookResult("paid", order)


def _on_intent_failed(intent: dict[str, Any]) -> WebhookResult:
    attempt = _locked_attempt(intent)
    if attempt is None:
        return WebhookResult("not_ours")
    order = attempt.order
    if attempt.status == "succeeded":
        return WebhookResult("stale", order)  # out of order: the success came first
    error = intent.get("last_payment_error") or {}
    message = str(error.get("message") or "The card payment failed.")[:300]
    attempt.status = "failed"
    attempt.failure_message = message
    if order.status == "pending" and latest_attempt(order) is attempt:
        change_status(order, "failed", f"Card payment failed: {message} The buyer can try again.")
        db.session.flush()
        return WebhookResult("failed", order)
    db.session.flush()
    return WebhookResult("stale", order)


def _on_charge_refunded(charge: dict[str, Any]) -> WebhookResult:
    intent_id = charge.get("payment_intent")
    attempt = (
        db.session.scalar(select(PaymentAttempt).where(PaymentAttempt.provider_ref == intent_id))
        if intent_id
        else None
    )
    if attempt is None:
        return WebhookResult("not_ours")
    order = attempt.order
    lock_row(order)
    if order.status == "refunded":
        return WebhookResult("already_refunded", order)
    if order.status != "paid":
        # The refund overtook the payment webhook: wait until the payment is recorded.
        raise WebhookNotReady(f"order {order.number} is not paid yet")
    refunded = int(charge.get("amount_refunded") or 0)
    if refunded < order.total:
        order.history.append(
            OrderStatusChange(
                from_status="paid",
                to_status="paid",
                note=f"Partially refunded in Stripe ({refunded} of {order.total} minor units).",
            )
        )
        db.session.flush()
        return WebhookResult("partial_refund", order)
    refunds = (charge.get("refunds") or {}).get("data") or []
    refund_id = (str(refunds[0].get("id") or "")[:80] or None) if refunds else None
    issue_credit_note(order, refunded, "Refunded in Stripe.", None, refund_id)
    return WebhookResult("refunded", order)


WEBHOOK_HANDLERS = {
    "payment_intent.succeeded": _on_intent_succeeded,
    "payment_intent.payment_failed": _on_intent_failed,
    "charge.refunded": _on_charge_refunded,
}


def handle_stripe_event(event: dict[str, Any]) -> WebhookResult:
    """Apply one verified Stripe event, once. Unknown kinds are ignored; a redelivered event
    is a no-op; ``WebhookNotReady`` means "answer non-2xx so Stripe delivers it again";
    ``MalformedEvent`` means "answer 400": the body will never be valid."""
    kind = str(event.get("type"))
    handler = WEBHOOK_HANDLERS.get(kind)
    if handler is None:
        return WebhookResult("ignored")
    event_id = str(event["id"])[:80]
    if db.session.scalar(
        select(ProcessedWebhookEvent.id).where(ProcessedWebhookEvent.event_id == event_id)
    ):
        return WebhookResult("duplicate")
    result = handler(checked_object(kind, event))
    db.session.add(
        ProcessedWebhookEvent(
            event_id=event_id,
            kind=str(event["type"])[:60],
            order_id=result.order.id if result.order else None,
            outcome=result.outcome,
        )
    )
    db.session.flush()
    return result
