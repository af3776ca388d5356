"""Buyer-facing pages of the cart. Changes made through htmx answer with the cart's body
(lines and totals rendered by the server); without JavaScript they redirect to the page."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from portal.boundary import perform
from portal.commerce import bp
from portal.commerce.addresses import one_line_address
from portal.commerce.cart import (
    add_to_cart,
    cart_item_count,
    change_cart_plan,
    get_cart,
    plan_label,
    remove_cart_item,
    set_cart_country,
    update_cart_item,
)
from portal.commerce.errors import AlreadyInCart
from portal.commerce.forms import (
    AddItemForm,
    ChangePlanForm,
    CountryForm,
    RemoveItemForm,
    UpdateItemForm,
)
from portal.commerce.pricing import price_cart, vendor_country
from portal.commerce.settings import COUNTRY_NAMES, stripe_ready
from portal.journey.tracking import cart_owner_key, current_actor, remember_device

# Shown once, on the cart page, to anyone not signed in: the cart works without an account
# and without tracking consent; checking out needs an account.
CHECKOUT_NEEDS_ACCOUNT = (
    "Your cart is kept on this device whether or not you allow tracking. To check out, sign "
    "in or create a free account: your cart comes with you."
)


@bp.after_request
def _remember_device(response):
    return remember_device(response)


bp.add_app_template_filter(one_line_address, "one_line_address")


@bp.app_context_processor
def _cart_count():
    # A callable: the navigation asks for it once per page; JSON and partials never do.
    return {"cart_count": lambda: cart_item_count(cart_owner_key())}


def _is_htmx() -> bool:
    return request.headers.get("HX-Request") == "true"


def _render_cart(status: int = 200, error: str | None = None, add_form=None):
    cart = get_cart(cart_owner_key())
    pricing = price_cart(cart, country=cart.country if cart else None, vat_id=None, business=False)
    template = "commerce/_cart_body.html" if _is_htmx() else "commerce/cart.html"
    return render_template(
        template,
        summary=pricing,
        country_form=CountryForm(country=pricing.country or ""),
        update_form=UpdateItemForm(),
        plan_form=ChangePlanForm(),
        remove_form=RemoveItemForm(),
        error=error,
        add_form=add_form,
        card_payment=stripe_ready(),
        partial=_is_htmx(),
        vendor_country_name=COUNTRY_NAMES.get(vendor_country(), vendor_country()),
        account_message=CHECKOUT_NEEDS_ACCOUNT,
    ), status


def _changed(message: str, category: str = "success"):
    """After a change: the fresh cart body for htmx, else a flash and the cart page."""
    if _is_htmx():
        return _render_cart()
    flash(message, category)
    return redirect(url_for("commerce.cart"))


def _form_error(form) -> str:
    return " ".join(m for errors in form.errors.values() for m in errors)


@bp.get("/cart")
def cart():
    return _render_cart()


@bp.post("/cart/items")
def add_item():
    form = AddItemForm()
    if not form.validate():
        return _render_cart(422, _form_error(form), form)
    key = cart_owner_key(create=True)
    done = perform(add_to_cart, key, form.plan_id.data, form.quantity.data, current_actor())
    if isinstance(done.error, AlreadyInCart):  # a second click on "Add to cart"
        return _changed(done.message, "info")
    if not done:
        return _render_cart(422, done.message, form)
    return _changed(f"Added to your cart: {plan_label(done.value.plan)} × {form.quantity.data}.")


@bp.post("/cart/items/<int:plan_id>")
def update_item(plan_id: int):
    form = UpdateItemForm()
    if not form.validate():
        return _render_cart(422, _form_error(form))
    done = perform(update_cart_item, cart_owner_key(), plan_id, form.quantity.data, current_actor())
    if not done:
        return _render_cart(422, done.message)
    return _changed("Quantity updated.")


@bp.post("/cart/items/<int:plan_id>/plan")
def change_plan(plan_id: int):
    form = ChangePlanForm()
    if not form.validate():
        return _render_cart(422, _form_error(form))
    done = perform(change_cart_plan, cart_owner_key(), plan_id, form.plan_id.data, current_actor())
    if not done:
        return _render_cart(422, done.message)
    return _changed(f"Plan changed to {plan_label(done.value.plan)}.")


@bp.post("/cart/items/<int:plan_id>/delete")
def remove_item(plan_id: int):
    if not RemoveItemForm().validate():
        return _render_cart(422, "The form expired. Please try again.")
    done = perform(remove_cart_item, cart_owner_key(), plan_id, current_actor())
    if not done:
        return _render_cart(422, done.message)
    return _changed(f"Removed {plan_label(done.value)} from your cart.", "info")


@bp.post("/cart/country")
def set_country():
    form = CountryForm()
    if not form.validate():
        return _render_cart(422, "Choose a country from the list.")
    done = perform(set_cart_country, cart_owner_key(create=True), form.country.data)
    if not done:
        return _render_cart(422, done.message)
    if _is_htmx():
        return _render_cart()
    return redirect(url_for("commerce.cart"))
