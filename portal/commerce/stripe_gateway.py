"""The one module that talks to Stripe (the only importer of ``stripe``).

It turns Stripe objects into small plain records and Stripe's exceptions into
``PaymentGatewayError`` / ``WebhookSignatureError``, so the rest of the portal never depends on
the SDK. ``STRIPE_API_BASE`` points the SDK at another server (localstripe in tests).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

import stripe
from flask import current_app

from portal.commerce.settings import setting
from portal.errors import ServiceError

log = logging.getLogger(__name__)


class PaymentGatewayError(ServiceError):
    """Stripe could not be reached or refused the request. ``message`` is for the buyer."""

    def __init__(self, message: str, *, declined: bool = False):
        super().__init__(message)
        self.declined = declined


class WebhookSignatureError(Exception):
    """A webhook whose signature, timestamp or body does not check out."""


@dataclass(frozen=True)
class Intent:
    id: str
    client_secret: str
    status: str
    amount: int
    currency: str  # upper-case ISO code


@dataclass(frozen=True)
class RefundRecord:
    id: str
    status: str
    amount: int


def _client() -> stripe.StripeClient:
    config = current_app.config
    base = config.get("STRIPE_API_BASE")
    return stripe.StripeClient(
        config["STRIPE_SECRET_KEY"],
        base_addresses={"api": base} if base else None,
        max_network_retries=int(setting("STRIPE_MAX_NETWORK_RETRIES")),
    )


def _gateway_error(error: stripe.StripeError) -> PaymentGatewayError:
    if isinstance(error, stripe.CardError):
        return PaymentGatewayError(error.user_message or "Your card was declined.", declined=True)
    log.warning("Stripe request failed: %s", error)
    if isinstance(error, stripe.APIConnectionError):
        return PaymentGatewayError(
            "We couldn't reach our card processor. Nothing was charged; please try again."
        )
    return PaymentGatewayError(
        "Our card processor refused the request. Nothing was charged; please try again, "
        "or pay by invoice."
    )


def _intent(stripe_object: Any) -> Intent:
    obj = stripe_object.to_dict()
    return Intent(
        id=obj["id"],
        client_secret=obj.get("client_secret") or "",
        status=obj["status"],
        amount=int(obj["amount"]),
        currency=str(obj["currency"]).upper(),
    )


def create_payment_intent(
    *, amount: int, currency: str, idempotency_key: str, metadata: dict[str, str]
) -> Intent:
    """Create a card PaymentIntent for ``amount`` minor units. A repeated call with the same
    ``idempotency_key`` returns the intent Stripe created the first time."""
    try:
        obj = _client().v1.payment_intents.create(
            params={
                "amount": amount,
                "currency": currency.lower(),
                "payment_method_types": ["card"],
                "metadata": metadata,
            },
            options={"idempotency_key": idempotency_key},
        )
    except stripe.StripeError as error:
        raise _gateway_error(error) from error
    return _intent(obj)


def retrieve_payment_intent(intent_id: str) -> Intent:
    try:
        return _intent(_client().v1.payment_intents.retrieve(intent_id))
    except stripe.StripeError as error:
        raise _gateway_error(error) from error


def refund_payment_intent(intent_id: str, *, amount: int, idempotency_key: str) -> RefundRecord:
    """Refund ``amount`` of a succeeded PaymentIntent (idempotent by key)."""
    try:
        obj = _client().v1.refunds.create(
            params={"payment_intent": intent_id, "amount": amount},
            options={"idempotency_key": idempotency_key},
        )
    except stripe.StripeError as error:
        raise _gateway_error(error) from error
    refund = obj.to_dict()
    return RefundRecord(id=refund["id"], status=refund["status"], amount=int(refund["amount"]))


def verify_webhook(payload: bytes, signature_header: str | None) -> dict[str, Any]:
    """Check the ``Stripe-Signature`` of the raw body (HMAC and timestamp tolerance) and return
    the event as plain data."""
    secret = current_app.config.get("STRIPE_WEBHOOK_SECRET") or ""
    if not secret:
        raise WebhookSignatureError("STRIPE_WEBHOOK_SECRET is not configured")
    try:
        stripe.WebhookSignature.verify_header(
            payload, signature_header, secret, int(setting("STRIPE_WEBHOOK_TOLERANCE"))
        )
        event = json.loads(payload)
    except (stripe.SignatureVerificationError, ValueError, TypeError) as error:
        raise WebhookSignatureError(str(error)) from error
    if not isinstance(event, dict) or not isinstance(event.get("id"), str):
        raise WebhookSignatureError("the body is not a Stripe event")
    return event
