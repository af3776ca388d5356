"""Buyer-facing pages of the cart and the checkout."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError

from portal.boundary import perform
from portal.commerce import bp
from portal.commerce.cart import (
    add_to_cart,
    get_cart,
    plan_label,
    remove_cart_item,
    set_cart_country,
    summarize_cart,
    update_cart_item,
)
from portal.commerce.checkout import (
    BillingDetails,
    card_availability,
    find_checkout_order,
    place_order,
    start_checkout,
)
from portal.commerce.forms import (
    AddItemForm,
    CheckoutForm,
    CountryForm,
    RemoveItemForm,
    UpdateItemForm,
)
from portal.commerce.notify import queue_order_mail
from portal.commerce.orders import orders_for
from portal.commerce.payment_routes import start_card_payment
from portal.extensions import db
from portal.journey.tracking import current_actor, owner_key
from portal.models import Order

NO_CART_MESSAGE = (
    "To keep a cart, sign in — or accept the tracking cookie so we can remember it for you."
)


def _render_cart(status: int = 200, error: str | None = None, add_form=None):
    cart = get_cart(owner_key())
    summary = summarize_cart(cart)
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
    done = perform(add_to_cart, key, form.plan_id.data, form.quantity.data, current_actor())
    if not done:
        return _render_cart(422, done.message, form)
    flash(f"Added to your cart: {plan_label(done.value.plan)} × {form.quantity.data}.", "success")
    return redirect(url_for("commerce.cart"))


@bp.post("/cart/items/<int:plan_id>")
def update_item(plan_id: int):
    form = UpdateItemForm()
    if not form.validate():
        messages = [m for errors in form.errors.values() for m in errors]
        return _render_cart(422, " ".join(messages))
    done = perform(update_cart_item, owner_key(), plan_id, form.quantity.data, current_actor())
    if not done:
        return _render_cart(422, done.message)
    flash("Quantity updated.", "success")
    return redirect(url_for("commerce.cart"))


@bp.post("/cart/items/<int:plan_id>/delete")
def remove_item(plan_id: int):
    if not RemoveItemForm().validate():
        return _render_cart(422, "The form expired. Please try again.")
    done = perform(remove_cart_item, owner_key(), plan_id, current_actor())
    if not done:
        return _render_cart(422, done.message)
    flash(f"Removed {plan_label(done.value)} from your cart.", "info")
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
    done = perform(set_cart_country, key, form.country.data)
    if not done:
        return _render_cart(422, done.message)
    return redirect(url_for("commerce.cart"))


def _checkout_defaults(summary) -> dict:
    """Pre-fill the company details from the buyer's last order, else their account."""
    last = db.session.scalar(orders_for(current_user).limit(1))
    if last is not None:
        return {
            "legal_name": last.billing_name,
            "address": last.billing_address,
            "country": last.billing_country,
            "tax_id": last.tax_id,
        }
    return {"legal_name": current_user.account.name, "country": summary.country or ""}


def _render_checkout(form: CheckoutForm, summary, status: int = 200):
    card_ok, card_reason = card_availability(summary.total)
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
    cart = get_cart(key)
    if request.method == "GET":
        summary = summarize_cart(cart)
        if summary.is_empty:
            flash("Your cart is empty: add a plan before checking out.", "info")
            return redirect(url_for("commerce.cart"))
        form = CheckoutForm(data=_checkout_defaults(summary))
        card_ok, _ = card_availability(summary.total)
        form.payment_method.data = form.payment_method.data or ("card" if card_ok else "invoice")
        perform(start_checkout, summary, current_actor())
        return _render_checkout(form, summary)

    form = CheckoutForm()
    summary = summarize_cart(cart, form.country.data or None)
    if not form.validate():
        if summary.is_empty:  # a repeated submit after the order exists
            existing = find_checkout_order(current_user, key)
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
        done = perform(_place_and_confirm, key, details, form, form=form, flash_category="danger")
    except IntegrityError:
        # Lost a race on Order.cart_key: the other request placed this very order.
        db.session.rollback()
        order = find_checkout_order(current_user, key)
        if order is None:
            raise
        return _after_placed(order, created=False)
    if not done:
        if summarize_cart(get_cart(key)).is_empty:
            return redirect(url_for("commerce.cart"))
        return _render_checkout(form, summarize_cart(cart, details.country), 422)
    return _after_placed(*done.value)


def _place_and_confirm(key: str, details: BillingDetails, form: CheckoutForm):
    """Place the order and queue its confirmation (sent once the order is committed)."""
    order, created = place_order(
        current_user,
        key,
        details,
        form.payment_method.data,
        accept_price_changes=form.accept_price_changes.data,
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
