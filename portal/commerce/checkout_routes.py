"""The checkout pages: company details with live totals, the review step showing the exact
amount "Place order" will charge or invoice, and placing the order.

Every figure on these pages is ``price_cart``'s: the live totals are an htmx partial the server
renders, the review carries the pricing's fingerprint, and placing the order re-prices the
cart and shows the new review instead of charging an amount the buyer did not see.
"""

from __future__ import annotations

from dataclasses import replace

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError

from portal.boundary import perform, show_on_form
from portal.commerce import bp
from portal.commerce.cart import get_cart
from portal.commerce.checkout import (
    BillingDetails,
    card_availability,
    check_order,
    find_checkout_order,
    place_order,
    price_for,
    start_checkout,
)
from portal.commerce.errors import CommerceError, TotalChanged
from portal.commerce.forms import CheckoutForm
from portal.commerce.notify import queue_order_mail
from portal.commerce.orders import orders_for
from portal.commerce.payment_routes import start_card_payment
from portal.commerce.pricing import Pricing
from portal.commerce.settings import setting
from portal.commerce.tax import InvalidVatId
from portal.extensions import db
from portal.journey.tracking import cart_owner_key, current_actor
from portal.models import Order


def _details(form: CheckoutForm) -> BillingDetails:
    return BillingDetails(
        legal_name=form.legal_name.data or "",
        address=form.address.data or "",
        country=form.country.data or "",
        tax_id=form.tax_id.data or "",
        po_number=form.po_number.data or "",
        business=form.business,
    )


def _price_form(form: CheckoutForm, cart) -> tuple[Pricing, str | None]:
    """The cart priced for what the form holds so far; a refused VAT id prices without it."""
    details = _details(form)
    try:
        return price_for(cart, details), None
    except InvalidVatId as error:
        return price_for(cart, replace(details, tax_id="")), error.message


def _checkout_defaults() -> dict:
    """Pre-fill the company details from the buyer's last order, else their account."""
    last = db.session.scalar(orders_for(current_user).limit(1))
    if last is not None:
        return {
            "legal_name": last.billing_name,
            "address": last.billing_address,
            "country": last.billing_country,
            "tax_id": last.tax_id,
            "buyer_type": "business" if last.buyer_is_business else "consumer",
        }
    cart = get_cart(cart_owner_key())
    return {"legal_name": current_user.account.name, "country": (cart and cart.country) or ""}


def _render_form(form: CheckoutForm, pricing: Pricing, status: int = 200, vat_error=None):
    card_ok, card_reason = card_availability(pricing.total)
    if not card_ok:
        form.payment_method.choices = [c for c in form.payment_method.choices if c.value != "card"]
    return render_template(
        "commerce/checkout.html",
        form=form,
        summary=pricing,
        card_ok=card_ok,
        card_reason=card_reason,
        vat_error=vat_error,
        vies_enabled=bool(setting("VIES_ENABLED")),
    ), status


def _render_review(form: CheckoutForm, pricing: Pricing, status: int = 200, changed=None):
    form.reviewed.data = pricing.fingerprint()
    return render_template(
        "commerce/checkout_review.html",
        form=form,
        summary=pricing,
        changed=changed,
        vies_enabled=bool(setting("VIES_ENABLED")),
    ), status


@bp.post("/checkout/totals")
@login_required
def checkout_totals():
    """The live totals panel for the details typed so far (htmx); writes nothing."""
    form = CheckoutForm()
    pricing, vat_error = _price_form(form, get_cart(cart_owner_key()))
    return render_template(
        "commerce/_checkout_totals.html",
        summary=pricing,
        vat_error=vat_error,
        vies_enabled=bool(setting("VIES_ENABLED")),
    )


@bp.get("/checkout")
@login_required
def checkout():
    cart = get_cart(cart_owner_key())
    form = CheckoutForm(data=_checkout_defaults())
    pricing, vat_error = _price_form(form, cart)
    if pricing.is_empty:
        flash("Your cart is empty: add a plan before checking out.", "info")
        return redirect(url_for("commerce.cart"))
    card_ok, _ = card_availability(pricing.total)
    form.payment_method.data = form.payment_method.data or ("card" if card_ok else "invoice")
    perform(start_checkout, pricing, current_actor())
    return _render_form(form, pricing, vat_error=vat_error)


@bp.post("/checkout")
@login_required
def checkout_submit():
    """Without ``place``: show the review. With it: place the order the buyer reviewed."""
    key = cart_owner_key()
    cart = get_cart(key)
    form = CheckoutForm()
    if "edit" in request.form:
        return _render_form(form, _price_form(form, cart)[0])
    if not form.validate():
        if cart is None or not cart.items:  # a repeated submit after the order exists
            existing = find_checkout_order(current_user, key)
            if existing is not None:
                return _after_placed(existing, created=False)
        return _render_form(form, _price_form(form, cart)[0], 422)
    details = _details(form)
    try:
        pricing = price_for(cart, details, online="place" not in request.form)
        if "place" not in request.form:
            check_order(pricing, form.payment_method.data)
    except CommerceError as error:
        show_on_form(form, error)
        return _render_form(form, _price_form(form, cart)[0], 422)
    if "place" not in request.form:
        if pricing.is_empty:
            return redirect(url_for("commerce.cart"))
        return _render_review(form, pricing)
    return _place(form, key, details)


def _place(form: CheckoutForm, key: str, details: BillingDetails):
    try:
        done = perform(_place_and_confirm, key, details, form)
    except IntegrityError:
        # Lost a race on Order.cart_key: the other request placed this very order.
        db.session.rollback()
        order = find_checkout_order(current_user, key)
        if order is None:
            raise
        return _after_placed(order, created=False)
    if done:
        return _after_placed(*done.value)
    if isinstance(done.error, TotalChanged):
        return _render_review(form, price_for(get_cart(key), details), 409, changed=done.message)
    cart = get_cart(key)
    if cart is None or not cart.items:
        flash(done.message, "danger")
        return redirect(url_for("commerce.cart"))
    show_on_form(form, done.error)
    return _render_form(form, _price_form(form, cart)[0], 422)


def _place_and_confirm(key: str, details: BillingDetails, form: CheckoutForm):
    """Place the order and queue its confirmation (sent once the order is committed)."""
    order, created = place_order(
        current_user,
        key,
        details,
        form.payment_method.data,
        reviewed=form.reviewed.data or "",
        actor=current_actor(),
    )
    if created:
        queue_order_mail(order, "order_confirmation")
    return order, created


def _after_placed(order: Order, created: bool):
    if not created:
        flash(f"Order {order.number} was already placed; here it is.", "info")
    if order.awaiting_card_payment:
        if created:
            start_card_payment(order)
        return redirect(url_for("commerce.pay", order_id=order.id))
    return redirect(url_for("commerce.confirmation", order_id=order.id))
