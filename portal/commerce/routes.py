"""Buyer-facing pages: cart, checkout, orders, card payment, quote PDF, the customer's home,
and the Stripe webhook."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from flask import (
    Response,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError

from portal.commerce import bp, services, stripe_gateway, webhooks
from portal.commerce.documents import credit_note_pdf, order_pdf
from portal.commerce.forms import (
    AddItemForm,
    CheckoutForm,
    CountryForm,
    PaymentRetryForm,
    RemoveItemForm,
    UpdateItemForm,
)
from portal.commerce.notify import send_order_mail
from portal.commerce.services import BillingDetails, CommerceError, PricesChanged
from portal.commerce.settings import setting
from portal.errors import abort_with
from portal.extensions import csrf, db, limiter
from portal.journey.services import record_event
from portal.journey.tracking import current_actor, owner_key
from portal.models import Order
from portal.security import allow_csp_sources

log = logging.getLogger(__name__)

NO_CART_MESSAGE = (
    "To keep a cart, sign in — or accept the tracking cookie so we can remember it for you."
)


# --------------------------------------------------------------------------- cart


def _render_cart(status: int = 200, error: str | None = None, add_form=None):
    cart = services.get_cart(owner_key())
    summary = services.summarize_cart(cart)
    country_form = CountryForm(country=summary.country or "")
    return render_template(
        "commerce/cart.html",
        summary=summary,
        can_have_cart=owner_key() is not None,
        country_form=country_form,
        update_form=UpdateItemForm(),
        remove_form=RemoveItemForm(),
        error=error,
        add_form=add_form,
        no_cart_message=NO_CART_MESSAGE,
    ), status


@bp.get("/cart")
def cart():
    return _render_cart()


@bp.post("/cart/items")
def add_item():
    form = AddItemForm()
    key = owner_key()
    if key is None:
        flash(NO_CART_MESSAGE, "warning")
        return redirect(url_for("commerce.cart"))
    if not form.validate():
        messages = [m for errors in form.errors.values() for m in errors]
        return _render_cart(422, " ".join(messages), form)
    try:
        item = services.add_to_cart(key, form.plan_id.data, form.quantity.data, current_actor())
    except CommerceError as error:
        db.session.rollback()
        return _render_cart(422, error.message, form)
    label = services.plan_label(item.plan)
    db.session.commit()
    flash(f"Added to your cart: {label} × {form.quantity.data}.", "success")
    return redirect(url_for("commerce.cart"))


@bp.post("/cart/items/<int:plan_id>")
def update_item(plan_id: int):
    form = UpdateItemForm()
    if not form.validate():
        messages = [m for errors in form.errors.values() for m in errors]
        return _render_cart(422, " ".join(messages))
    try:
        services.update_cart_item(owner_key(), plan_id, form.quantity.data, current_actor())
    except CommerceError as error:
        db.session.rollback()
        return _render_cart(422, error.message)
    db.session.commit()
    flash("Quantity updated.", "success")
    return redirect(url_for("commerce.cart"))


@bp.post("/cart/items/<int:plan_id>/delete")
def remove_item(plan_id: int):
    if not RemoveItemForm().validate():
        return _render_cart(422, "The form expired. Please try again.")
    try:
        plan = services.remove_cart_item(owner_key(), plan_id, current_actor())
    except CommerceError as error:
        db.session.rollback()
        return _render_cart(422, error.message)
    db.session.commit()
    flash(f"Removed {services.plan_label(plan)} from your cart.", "info")
    return redirect(url_for("commerce.cart"))


@bp.post("/cart/country")
def set_country():
    form = CountryForm()
    key = owner_key()
    if key is None:
        flash(NO_CART_MESSAGE, "warning")
        return redirect(url_for("commerce.cart"))
    if not form.validate():
        return _render_cart(422, "Choose a country from the list.")
    try:
        services.set_cart_country(key, form.country.data)
    except CommerceError as error:
        db.session.rollback()
        return _render_cart(422, error.message)
    db.session.commit()
    return redirect(url_for("commerce.cart"))


# --------------------------------------------------------------------------- checkout


def _checkout_defaults(summary) -> dict:
    """Pre-fill the company details from the buyer's last order, else their account."""
    last = db.session.scalar(services.orders_for(current_user).limit(1))
    if last is not None:
        return {
            "legal_name": last.billing_name,
            "address": last.billing_address,
            "country": last.billing_country,
            "tax_id": last.tax_id,
        }
    return {"legal_name": current_user.account.name, "country": summary.country or ""}


def _render_checkout(form: CheckoutForm, summary, status: int = 200):
    card_ok, card_reason = services.card_availability(summary.total)
    if not card_ok:
        form.payment_method.choices = [c for c in form.payment_method.choices if c.value != "card"]
    return render_template(
        "commerce/checkout.html",
        form=form,
        summary=summary,
        card_ok=card_ok,
        card_reason=card_reason,
    ), status


@bp.route("/checkout", methods=["GET", "POST"])
@login_required
def checkout():
    key = owner_key()
    cart = services.get_cart(key)
    if request.method == "GET":
        summary = services.summarize_cart(cart)
        if summary.is_empty:
            flash("Your cart is empty: add a plan before checking out.", "info")
            return redirect(url_for("commerce.cart"))
        form = CheckoutForm(data=_checkout_defaults(summary))
        card_ok, _ = services.card_availability(summary.total)
        form.payment_method.data = form.payment_method.data or ("card" if card_ok else "invoice")
        services.start_checkout(summary, current_actor())
        db.session.commit()
        return _render_checkout(form, summary)

    form = CheckoutForm()
    summary = services.summarize_cart(cart, form.country.data or None)
    if not form.validate():
        if summary.is_empty:  # a repeated submit after the order exists
            existing = services.find_checkout_order(current_user, key)
            if existing is not None:
                return _after_placed(existing, created=False)
        return _render_checkout(form, summary, 422)
    details = BillingDetails(
        legal_name=form.legal_name.data,
        address=form.address.data,
        country=form.country.data,
        tax_id=form.tax_id.data or "",
        po_number=form.po_number.data or "",
    )
    try:
        order, created = services.place_order(
            current_user,
            key,
            details,
            form.payment_method.data,
            accept_price_changes=form.accept_price_changes.data,
            actor=current_actor(),
        )
        db.session.commit()
    except PricesChanged as error:
        db.session.rollback()
        form.accept_price_changes.errors = [error.message]
        return _render_checkout(form, services.summarize_cart(cart, details.country), 422)
    except CommerceError as error:
        db.session.rollback()
        target = getattr(form, error.field or "", None)
        if target is not None and error.field != "plan_id":
            target.errors = [error.message]
        else:
            flash(error.message, "danger")
        if services.summarize_cart(services.get_cart(key)).is_empty:
            return redirect(url_for("commerce.cart"))
        return _render_checkout(form, services.summarize_cart(cart, details.country), 422)
    except IntegrityError:
        # Lost a race on Order.cart_key: the other request placed this very order.
        db.session.rollback()
        order, created = services.find_checkout_order(current_user, key), False
        if order is None:
            raise
    return _after_placed(order, created)


def _after_placed(order: Order, created: bool):
    if not created:
        flash(f"Order {order.number} was already placed; here it is.", "info")
    else:
        send_order_mail(order, "order_confirmation")
    if order.payment_method == "card" and order.status in ("pending", "failed"):
        if created:
            _start_card_payment(order)
        return redirect(url_for("commerce.pay", order_id=order.id))
    return redirect(url_for("commerce.confirmation", order_id=order.id))


def _start_card_payment(order: Order) -> bool:
    """Store the attempt (commit), then ask Stripe (commit the answer). Two commits on
    purpose: the idempotency key must be saved before the network call, so that a retry after
    a timeout reuses it and Stripe never creates a second PaymentIntent."""
    try:
        attempt = services.prepare_payment_attempt(order)
        db.session.commit()
    except CommerceError as error:
        db.session.rollback()
        flash(error.message, "warning")
        return False
    try:
        services.open_payment_attempt(attempt)
    except stripe_gateway.PaymentGatewayError as error:
        db.session.commit()  # keep the attempt's "error" state for the retry
        flash(
            f"{error.message} Your order {order.number} is saved and waits for payment.", "danger"
        )
        return False
    db.session.commit()
    return True


# --------------------------------------------------------------------------- orders


def _own_order(order_id: int) -> Order:
    order = services.order_for_user(order_id, current_user)
    if order is None:
        abort_with(404, "We couldn't find that order among yours.")
    return order


@bp.get("/orders")
@login_required
def orders():
    page = db.paginate(services.orders_for(current_user), per_page=20)
    return render_template("commerce/orders.html", page=page, labels=services.STATUS_LABELS)


@bp.get("/orders/<int:order_id>")
@login_required
def order(order_id: int):
    order = _own_order(order_id)
    return render_template(
        "commerce/order.html",
        order=order,
        labels=services.STATUS_LABELS,
        attempt=services.latest_attempt(order),
    )


@bp.get("/orders/<int:order_id>/confirmation")
@login_required
def confirmation(order_id: int):
    order = _own_order(order_id)
    return render_template(
        "commerce/confirmation.html",
        order=order,
        labels=services.STATUS_LABELS,
        terms_days=setting("PAYMENT_TERMS_DAYS"),
        bank_details=setting("BANK_DETAILS"),
    )


@bp.get("/orders/<int:order_id>/status.json")
@login_required
def order_status(order_id: int):
    order = _own_order(order_id)
    return jsonify(status=order.status, label=services.STATUS_LABELS[order.status])


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
    order = _own_order(order_id)
    if order.status not in ("pending", "failed") or order.payment_method != "card":
        return redirect(url_for("commerce.order", order_id=order.id))
    if request.method == "POST":
        if PaymentRetryForm().validate():
            _start_card_payment(order)
        return redirect(url_for("commerce.pay", order_id=order.id))

    attempt = services.latest_attempt(order)
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
        labels=services.STATUS_LABELS,
    )


def _document_order(order_id: int) -> Order:
    """The order a document is asked for: the buyer's own, or any order for sellers."""
    order = db.get_or_404(Order, order_id)
    if order.user_id != current_user.id and not current_user.has_role("seller"):
        abort_with(404, "We couldn't find that order among yours.")
    return order


def _pdf_response(pdf: bytes, filename: str) -> Response:
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.get("/orders/<int:order_id>/quote.pdf")
@login_required
def quote(order_id: int):
    order = _document_order(order_id)
    if order.user_id == current_user.id:
        record_event(current_actor(), "quote_downloaded", order_id=order.id)
        db.session.commit()
    kind = "invoice" if order.status in ("paid", "refunded") else "quote"
    pdf = order_pdf(order, current_app.config["VENDOR_NAME"])
    return _pdf_response(pdf, f"{kind}-{order.number}.pdf")


@bp.get("/orders/<int:order_id>/credit-note.pdf")
@login_required
def credit_note(order_id: int):
    order = _document_order(order_id)
    if order.credit_note is None:
        abort_with(404, "This order has no credit note: it has not been refunded.")
    pdf = credit_note_pdf(order, current_app.config["VENDOR_NAME"])
    return _pdf_response(pdf, f"credit-note-{order.credit_note.number}.pdf")


# --------------------------------------------------------------------------- customer home


@bp.get("/account")
@login_required
def account():
    overview = services.account_overview(current_user)
    return render_template("commerce/account.html", labels=services.STATUS_LABELS, **overview)


# --------------------------------------------------------------------------- Stripe webhook


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
        result = webhooks.handle_stripe_event(event)
        db.session.commit()
    except webhooks.WebhookNotReady as error:
        db.session.rollback()
        log.info("Stripe event %s not applicable yet (%s); Stripe will retry", event["id"], error)
        return jsonify(status="retry"), 409
    except IntegrityError:
        # The same event (or payment) was applied by a concurrent delivery.
        db.session.rollback()
        return jsonify(status="duplicate"), 200
    if result.outcome == "paid":
        send_order_mail(result.order, "order_paid")
    elif result.outcome == "refunded":
        send_order_mail(result.order, "order_refunded")
    return jsonify(status=result.outcome), 200
