"""Checkout: turning the cart into one order, with the payment method the total allows.

The buyer reviews the exact total first; ``place_order`` re-prices the cart and refuses with
``TotalChanged`` when anything the buyer reviewed differs (a price, the tax), so nobody is
charged an amount they did not see. A double submit of one checkout finds the first order
(``Order.cart_key`` is unique).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from portal.commerce.addresses import tidy_address
from portal.commerce.cart import check_quantity, get_cart
from portal.commerce.errors import CommerceError, TotalChanged
from portal.commerce.events import record_order_placed
from portal.commerce.locking import lock_row
from portal.commerce.orders import product_of
from portal.commerce.pricing import Pricing, confirm_vat_id, price_cart
from portal.commerce.settings import setting, stripe_ready
from portal.extensions import db
from portal.journey.services import Actor, record_event
from portal.models import Cart, Order, OrderLine, OrderStatusChange, User
from portal.models.base import utcnow


@dataclass(frozen=True)
class BillingDetails:
    legal_name: str
    address: str
    country: str
    tax_id: str = ""
    po_number: str = ""
    business: bool = True  # False: a consumer buying for themselves (destination VAT in the EU)


def price_for(cart: Cart | None, details: BillingDetails, *, online: bool = False) -> Pricing:
    """The cart priced for these billing details (raises ``InvalidVatId``). ``online`` also
    asks VIES about a reverse-charge VAT id when that check is on (review and order only)."""
    pricing = price_cart(
        cart, country=details.country, vat_id=details.tax_id or None, business=details.business
    )
    return confirm_vat_id(pricing) if online else pricing


def card_availability(total: int) -> tuple[bool, str | None]:
    """Whether card payment is offered for ``total``; if not, the sentence saying why."""
    if not stripe_ready():
        return False, "Card payment isn't set up on this portal, so orders are paid by invoice."
    if total <= 0:
        return False, "There is nothing to charge to a card for this order."
    if total > int(setting("CARD_LIMIT")):
        return False, (
            "This order is above what we take by card, so it's paid by invoice: you get a "
            "quote now and pay by bank transfer."
        )
    return True, None


def _new_order_number() -> str:
    return "TD-" + secrets.token_hex(4).upper()


def start_checkout(summary: Pricing, actor: Actor | None) -> None:
    """Note that the buyer opened the checkout with this cart."""
    if summary.is_empty:
        return
    record_event(
        actor,
        "checkout_started",
        product_of(summary.lines),
        amount=summary.total,
        currency=summary.currency,
    )


def place_order(
    user: User,
    owner_key: str,
    details: BillingDetails,
    method: str,
    *,
    reviewed: str | None,
    actor: Actor | None,
) -> tuple[Order, bool]:
    """Turn the owner's cart into an order. Returns ``(order, created)``.

    ``reviewed`` is the ``Pricing.fingerprint()`` of the review step the buyer confirmed; when
    the cart prices differently now, ``TotalChanged`` (carrying the new pricing) refuses. Only
    callers with no buyer to show a review to (demo seeding) pass None.

    A second submit of the same checkout (double click, retry, 20 tabs at once) waits for the
    first, finds the cart already converted and gets the first order back with
    ``created=False``.
    """
    cart = get_cart(owner_key)
    if cart is None:
        raise CommerceError("Your cart is empty.")
    lock_row(cart)
    if not cart.items:
        previous = db.session.scalar(
            select(Order).where(
                Order.cart_key == f"{cart.id}:{cart.checkouts - 1}", Order.user_id == user.id
            )
        )
        if previous is not None:
            return previous, False
        raise CommerceError("Your cart is empty.")

    summary = price_for(cart, details, online=True)
    check_order(summary, method, reviewed)
    order = _new_order(user, cart, summary, details, method)
    db.session.add(order)
    converted = [(line.plan.product_id, line.plan.id) for line in summary.lines]
    cart.items.clear()
    cart.currency = None
    cart.checkouts += 1
    db.session.flush()

    # The cart is empty now: the pipeline's open-cart value follows these events.
    for product_id, plan_id in converted:
        record_event(actor, "cart_item_removed", product_id, plan_id=plan_id)
    record_order_placed(actor, order, method)
    return order, True


def check_order(summary: Pricing, method: str, reviewed: str | None = None) -> None:
    """Refuse a cart that cannot become an order as it stands (``reviewed``: see place_order)."""
    if method not in ("card", "invoice"):
        raise CommerceError("Choose how you want to pay.", field="payment_method")
    if summary.decision is None:
        raise CommerceError("Choose the billing country.", field="country")
    if summary.unavailable_lines:
        names = ", ".join(line.label for line in summary.unavailable_lines)
        raise CommerceError(f"{names} can't be bought any more. Remove it from your cart.")
    for line in summary.lines:
        check_quantity(line.plan, line.quantity)
        if line.plan.currency != summary.currency:
            raise CommerceError("Your cart mixes currencies. Remove the lines in another one.")
    if reviewed is not None and reviewed != summary.fingerprint():
        raise TotalChanged(summary)
    if method == "card":
        allowed, reason = card_availability(summary.total)
        if not allowed:
            raise CommerceError(reason or "Card payment is not available.", field="payment_method")


def _new_order(
    user: User, cart: Cart, summary: Pricing, details: BillingDetails, method: str
) -> Order:
    """The order for this checkout of ``cart``, with its lines and first history entry."""
    now = utcnow()
    decision = summary.decision
    order = Order(
        number=_new_order_number(),
        user_id=user.id,
        account_id=user.account_id,
        status="pending" if method == "card" else "awaiting_payment",
        payment_method=method,
        currency=summary.currency,
        subtotal=summary.subtotal,
        tax=summary.tax,
        total=summary.total,
        cart_key=cart.checkout_key,
        billing_name=details.legal_name.strip(),
        billing_address=tidy_address(details.address),
        billing_country=details.country.upper(),
        tax_id=decision.vat_id or "",
        po_number=details.po_number.strip(),
        tax_rate_bp=decision.rate_bp,
        tax_treatment=decision.treatment,
        tax_note=decision.note or "",
        vat_check=decision.vat_check,
        buyer_is_business=details.business,
        quote_valid_until=now + timedelta(days=int(setting("QUOTE_VALID_DAYS"))),
    )
    for line in summary.lines:
        order.lines.append(
            OrderLine(
                product_id=line.plan.product_id,
                plan_id=line.plan.id,
                description=line.label[:200],
                quantity=line.quantity,
                unit_amount=line.unit_amount,
                total=line.total,
            )
        )
    order.history.append(
        OrderStatusChange(
            from_status=None,
            to_status=order.status,
            note="Order placed; waiting for the card payment."
            if method == "card"
            else "Quote issued; pay by bank transfer using the quote's details.",
            actor_id=user.id,
        )
    )
    return order


def find_checkout_order(user: User, owner_key: str) -> Order | None:
    """The order made from the owner's latest checkout (after a lost unique-key race)."""
    cart = get_cart(owner_key)
    if cart is None:
        return None
    return db.session.scalar(
        select(Order).where(
            Order.user_id == user.id,
            Order.cart_key.in_([f"{cart.id}:{cart.checkouts}", f"{cart.id}:{cart.checkouts - 1}"]),
        )
    )
