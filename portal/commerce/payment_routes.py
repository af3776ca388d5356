"""Card payment: the pay page with Stripe's Payment Element, and Stripe's webhook."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from flask import current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import login_required
from sqlalchemy.exc import IntegrityError

from portal.boundary import perform
from portal.commerce import bp, stripe_events, stripe_gateway
from portal.commerce.forms import PaymentRetryForm
from portal.commerce.notify import queue_order_mail
from portal.commerce.order_routes import own_order
from portal.commerce.orders import STATUS_LABELS
from portal.commerce.payments import latest_attempt, open_payment_attempt, prepare_payment_attempt
from portal.commerce.settings import setting
from portal.extensions import csrf, db, limiter
from portal.models import Order
from portal.security import allow_csp_sources

log = logging.getLogger(__name__)


def start_card_payment(order: Order) -> bool:
    """Store the attempt (commit), then ask Stripe (commit the answer). Two commits on
    purpose: the idempotency key must be saved before the network call, so that a retry after
    a timeout reuses it and Stripe never creates a second PaymentIntent."""
    prepared = perform(prepare_payment_attempt, order, flash_category="warning")
    if not prepared:
        return False
    attempt = prepared.value
    try:
        open_payment_attempt(attempt)
    except stripe_gateway.PaymentGatewayError as error:
        db.session.commit()  # keep the attempt's "error" state for the retry
        flash(
            f"{error.message} Your order {order.number} is saved and waits for payment.", "danger"
        )
        return False
    db.session.commit()  # the second of the two commits above: the intent's id
    return True


def _allow_stripe_js() -> None:
    """This page alone may load Stripe.js and its frames (the Payment Element)."""
    parts = urlsplit(setting("STRIPE_JS_URL"))
    stripe_js = f"{parts.scheme}://{parts.netloc}"
    allow_csp_sources(
        script_src=stripe_js,
        frame_src=f"{stripe_js} https://hooks.stripe.com",
        connect_src="https://api.stripe.com",
    )


@bp.route("/orders/<int:order_id>/pay", methods=["GET", "POST"])
@login_required
def pay(order_id: int):
    order = own_order(order_id)
    if not order.awaiting_card_payment:
        return redirect(url_for("commerce.order", order_id=order.id))
    if request.method == "POST":
        if PaymentRetryForm().validate():
            start_card_payment(order)
        return redirect(url_for("commerce.pay", order_id=order.id))

    attempt = latest_attempt(order)
    intent, problem = None, None
    if attempt is not None and attempt.status == "open":
        try:
            intent = stripe_gateway.retrieve_payment_intent(attempt.provider_ref)
        except stripe_gateway.PaymentGatewayError as error:
            problem = error.message
    elif attempt is not None and attempt.status in ("failed", "error"):
        problem = attempt.failure_message
    processing = request.args.get("redirect_status") == "succeeded" or (
        intent is not None and intent.status in ("processing", "succeeded")
    )
    _allow_stripe_js()
    return render_template(
        "commerce/pay.html",
        order=order,
        intent=intent if intent and intent.status.startswith("requires_") else None,
        processing=processing,
        problem=problem,
        retry_form=PaymentRetryForm(),
        publishable_key=current_app.config.get("STRIPE_PUBLISHABLE_KEY", ""),
        stripe_js=setting("STRIPE_JS_URL"),
        labels=STATUS_LABELS,
    )


@bp.post("/webhooks/stripe")
@csrf.exempt
@limiter.exempt
def stripe_webhook():
    """Stripe's calls: verified on the raw body, applied once, answered fast."""
    payload = request.get_data(cache=False)
    try:
        event = stripe_gateway.verify_webhook(payload, request.headers.get("Stripe-Signature"))
    except stripe_gateway.WebhookSignatureError as error:
        log.warning("rejected a Stripe webhook from %s: %s", request.remote_addr, error)
        return jsonify(error="invalid signature"), 400
    try:
        done = perform(_apply_stripe_event, event)
    except IntegrityError:
        # The same event (or payment) was applied by a concurrent delivery.
        db.session.rollback()
        return jsonify(status="duplicate"), 200
    if isinstance(done.error, stripe_events.MalformedEvent):
        log.warning("refused a malformed Stripe event %s: %s", event["id"], done.message)
        return jsonify(error="malformed event", detail=done.message), 400
    if not done:
        log.info(
            "Stripe event %s not applicable yet (%s); Stripe will retry", event["id"], done.error
        )
        return jsonify(status="retry"), 409
    return jsonify(status=done.value.outcome), 200


def _apply_stripe_event(event) -> stripe_events.WebhookResult:
    """Apply the event and queue the buyer's mail about it (sent once it is committed)."""
    result = stripe_events.handle_stripe_event(event)
    if result.outcome == "paid":
        queue_order_mail(result.order, "order_paid")
    elif result.outcome == "refunded":
        queue_order_mail(result.order, "order_refunded")
    return result
