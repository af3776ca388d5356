"""Card payments: the payment attempt stored before Stripe is asked, and its PaymentIntent.

Stripe's answers arrive as webhook events, applied in ``portal.commerce.stripe_events``.
"""

from __future__ import annotations

from portal.commerce import stripe_gateway
from portal.commerce.errors import CommerceError
from portal.commerce.locking import lock_row
from portal.commerce.orders import STATUS_LABELS, change_status
from portal.extensions import db
from portal.models import Order, PaymentAttempt
from portal.models.commerce import CARD_DUE_STATUSES


def latest_attempt(order: Order) -> PaymentAttempt | None:
    return order.attempts[-1] if order.attempts else None


def prepare_payment_attempt(order: Order) -> PaymentAttempt:
    """The attempt to (re)start the card payment with, stored before Stripe is asked.

    An attempt that never got an answer from Stripe ("new"/"error") is reused with its
    idempotency key, so a retry can never create a second PaymentIntent; an open one is
    reused as is; after a decline a new attempt (a new PaymentIntent) starts.
    """
    lock_row(order)
    if order.payment_method != "card":
        raise CommerceError("This order is paid by invoice, not by card.")
    if order.status not in CARD_DUE_STATUSES:
        raise CommerceError(f"This order can't be paid now: {STATUS_LABELS[order.status]}.")
    attempt = latest_attempt(order)
    if (
        attempt is not None
        and attempt.status in ("new", "error", "open")
        and (attempt.amount, attempt.currency) == (order.total, order.currency)
    ):
        return attempt
    number = (attempt.number + 1) if attempt else 1
    attempt = PaymentAttempt(
        number=number,
        idempotency_key=f"testdrive-order-{order.id}-attempt-{number}",
        amount=order.total,
        currency=order.currency,
        status="new",
    )
    order.attempts.append(attempt)
    if order.status == "failed":
        change_status(order, "pending", "The buyer is trying the card payment again.")
    db.session.flush()
    return attempt


def open_payment_attempt(attempt: PaymentAttempt) -> stripe_gateway.Intent:
    """Create (or fetch) the attempt's PaymentIntent. Raises ``PaymentGatewayError`` after
    marking the attempt "error" (the caller commits that too)."""
    try:
        if attempt.provider_ref and attempt.status == "open":
            return stripe_gateway.retrieve_payment_intent(attempt.provider_ref)
        intent = stripe_gateway.create_payment_intent(
            amount=attempt.amount,
            currency=attempt.currency,
            idempotency_key=attempt.idempotency_key,
            metadata={
                "order_id": str(attempt.order_id),
                "order_number": attempt.order.number,
                "attempt_id": str(attempt.id),
            },
        )
    except stripe_gateway.PaymentGatewayError as error:
        if attempt.status != "open":
            attempt.status = "error"
            attempt.failure_message = error.message[:300]
            db.session.flush()
        raise
    attempt.provider_ref = intent.id
    attempt.status = "open"
    attempt.failure_message = ""
    db.session.flush()
    return intent
