"""Cart, checkout, payments, refunds and the customer area.

Services take explicit arguments (owner keys, users, ids, an ``Actor``), validate, raise
``CommerceError`` with a sentence for the buyer, and only ``flush()``; the route or CLI command
commits. Totals are always computed here from database prices.

Concurrency: whatever must not happen twice is guarded by the database, not only by checks
here. ``lock_row`` serialises writers on one row (``SELECT … FOR UPDATE`` on PostgreSQL; on
SQLite, which has one writer at a time, a no-op UPDATE takes the write lock *before* anything
is read, so the reads that follow see the latest commit). Unique keys back it up:
``Order.cart_key`` (one order per checkout of a cart), ``Payment(provider, reference)``,
``ProcessedWebhookEvent.event_id`` and ``CreditNote.order_id``. Stripe's events are applied in
``portal.commerce.webhooks``.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import selectinload

from portal.commerce import stripe_gateway
from portal.commerce.settings import COUNTRY_NAMES, setting, stripe_ready, tax_rate_bp
from portal.extensions import db
from portal.journey.services import Actor, record_event
from portal.models import (
    Cart,
    CartItem,
    CreditNote,
    Order,
    OrderLine,
    OrderStatusChange,
    Payment,
    PaymentAttempt,
    Plan,
    Product,
    Resource,
    User,
)
from portal.templating import money

log = logging.getLogger(__name__)

UNPAID = ("pending", "awaiting_payment", "failed")
STATUS_LABELS = {
    "pending": "Waiting for card payment",
    "awaiting_payment": "Awaiting payment (invoice)",
    "paid": "Paid",
    "failed": "Card payment failed",
    "cancelled": "Cancelled",
    "refunded": "Refunded",
}


class CommerceError(Exception):
    """Something the buyer or seller can fix; ``message`` says what, in plain words."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class PricesChanged(CommerceError):
    """A price changed since it was added: the buyer must confirm the new one."""


# --------------------------------------------------------------------------- helpers


def _now() -> datetime:
    return datetime.now(UTC)


def _is_sqlite() -> bool:
    return db.session.get_bind().dialect.name == "sqlite"


def lock_row(obj: Any) -> None:
    """Serialise writers on ``obj``'s row and reload it (and its collections) fresh."""
    model = type(obj)
    if _is_sqlite():
        db.session.execute(
            update(model).where(model.id == obj.id).values(id=model.id),
            execution_options={"synchronize_session": False},
        )
    db.session.refresh(obj, with_for_update=True)


def _insert(model):
    return (sqlite_insert if _is_sqlite() else pg_insert)(model)


def _tax(amount: int, rate_bp: int) -> int:
    """Tax in minor units, rounded half up, integers only."""
    return (amount * rate_bp + 5000) // 10000


def plan_label(plan: Plan) -> str:
    return f"{plan.product.name} — {plan.name}"


def _unit_word(plan: Plan, quantity: int) -> str:
    if plan.per_seat:
        return "seat" if quantity == 1 else "seats"
    return "licence" if quantity == 1 else "licences"


def _product_of(lines: list[Any]) -> int | None:
    """The product id when all lines are for one product (journey events carry it)."""
    ids = {line.product_id for line in lines}
    return ids.pop() if len(ids) == 1 else None


def _customer_actor(order: Order) -> Actor | None:
    """Events about an order belong to its buyer, whoever triggered them (webhook, seller)."""
    user = db.session.get(User, order.user_id) if order.user_id else None
    return Actor.for_user(user) if user else None


def change_status(order: Order, to_status: str, note: str = "", actor: User | None = None) -> None:
    """Move ``order`` to ``to_status`` and write the history line saying why."""
    order.history.append(
        OrderStatusChange(
            from_status=order.status,
            to_status=to_status,
            note=note[:300],
            actor_id=actor.id if actor else None,
        )
    )
    order.status = to_status


# --------------------------------------------------------------------------- cart


@dataclass
class CartLine:
    item: CartItem
    plan: Plan
    quantity: int
    unit_amount: int
    total: int
    price_changed: bool
    available: bool

    @property
    def product_id(self) -> int:
        return self.plan.product_id

    @property
    def label(self) -> str:
        return plan_label(self.plan)


@dataclass
class CartSummary:
    cart: Cart | None
    lines: list[CartLine] = field(default_factory=list)
    currency: str | None = None
    country: str | None = None
    tax_rate_bp: int = 0
    subtotal: int = 0
    tax: int = 0
    total: int = 0

    @property
    def is_empty(self) -> bool:
        return not self.lines

    @property
    def changed_lines(self) -> list[CartLine]:
        return [line for line in self.lines if line.price_changed]

    @property
    def unavailable_lines(self) -> list[CartLine]:
        return [line for line in self.lines if not line.available]

    @property
    def country_name(self) -> str | None:
        return COUNTRY_NAMES.get(self.country or "", self.country)


def get_cart(owner_key: str | None) -> Cart | None:
    if not owner_key:
        return None
    return db.session.scalar(select(Cart).where(Cart.owner_key == owner_key))


def _cart_for_update(owner_key: str) -> Cart:
    """The owner's cart, created if needed (race-free), locked for this transaction."""
    cart = get_cart(owner_key)
    if cart is None:
        now = _now()
        stmt = _insert(Cart).values(
            owner_key=owner_key, checkouts=0, created_at=now, updated_at=now
        )
        db.session.execute(stmt.on_conflict_do_nothing(index_elements=["owner_key"]))
        cart = get_cart(owner_key)
    lock_row(cart)
    return cart


def summarize_cart(cart: Cart | None, country: str | None = None) -> CartSummary:
    """Lines and totals from the database's current prices (never from the browser)."""
    if cart is None:
        return CartSummary(cart=None)
    country = (country or cart.country or "").upper() or None
    items = db.session.scalars(
        select(CartItem)
        .where(CartItem.cart_id == cart.id)
        .options(selectinload(CartItem.plan).selectinload(Plan.product))
        .order_by(CartItem.id)
    ).all()
    lines = [
        CartLine(
            item=item,
            plan=item.plan,
            quantity=item.quantity,
            unit_amount=item.plan.unit_amount,
            total=item.plan.unit_amount * item.quantity,
            price_changed=item.plan.unit_amount != item.unit_amount_seen,
            available=item.plan.is_active and item.plan.product.is_active,
        )
        for item in items
    ]
    rate = tax_rate_bp(country)
    subtotal = sum(line.total for line in lines)
    tax = _tax(subtotal, rate)
    return CartSummary(
        cart=cart,
        lines=lines,
        currency=cart.currency if lines else None,
        country=country,
        tax_rate_bp=rate,
        subtotal=subtotal,
        tax=tax,
        total=subtotal + tax,
    )


def _available_plan(plan_id: int) -> Plan:
    plan = db.session.get(Plan, plan_id)
    if plan is None or not plan.is_active or not plan.product.is_active:
        raise CommerceError("That plan is not available any more.", field="plan_id")
    return plan


def _check_quantity(plan: Plan, quantity: int) -> None:
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        raise CommerceError("Enter a whole number.", field="quantity")
    if quantity < plan.min_quantity or quantity > plan.max_quantity:
        if plan.min_quantity == plan.max_quantity:
            message = (
                f"{plan_label(plan)} is sold as {plan.min_quantity} "
                f"{_unit_word(plan, plan.min_quantity)}."
            )
        else:
            message = (
                f"Choose between {plan.min_quantity} and {plan.max_quantity} "
                f"{_unit_word(plan, plan.max_quantity)} for {plan_label(plan)}."
            )
        raise CommerceError(message, field="quantity")


def add_to_cart(owner_key: str, plan_id: int, quantity: int, actor: Actor | None) -> CartItem:
    """Add ``quantity`` of a plan (added to what the cart already holds of it)."""
    plan = _available_plan(plan_id)
    _check_quantity(plan, quantity)  # the amount being added must make sense on its own
    cart = _cart_for_update(owner_key)
    item = next((i for i in cart.items if i.plan_id == plan.id), None)
    if cart.items and cart.currency and cart.currency != plan.currency:
        raise CommerceError(
            f"Your cart is in {cart.currency} and {plan_label(plan)} is priced in "
            f"{plan.currency}. An order has one currency: check out or empty your cart first.",
            field="plan_id",
        )
    if item is None and len(cart.items) >= int(setting("MAX_CART_LINES")):
        raise CommerceError("Your cart is full. Check out or remove something first.")
    new_quantity = quantity + (item.quantity if item else 0)
    if item is not None and new_quantity > plan.max_quantity:
        raise CommerceError(
            f"You already have {item.quantity} {_unit_word(plan, item.quantity)} of "
            f"{plan_label(plan)} in your cart; the plan allows at most {plan.max_quantity}.",
            field="quantity",
        )
    if item is None:
        item = CartItem(plan=plan, quantity=new_quantity, unit_amount_seen=plan.unit_amount)
        cart.items.append(item)
    else:
        item.quantity = new_quantity
        item.unit_amount_seen = plan.unit_amount  # they were just shown today's price
    cart.currency = plan.currency
    db.session.flush()
    record_event(actor, "cart_item_added", plan.product_id, plan_id=plan.id, quantity=new_quantity)
    return item


def _cart_item(owner_key: str | None, plan_id: int) -> tuple[Cart, CartItem]:
    cart = get_cart(owner_key)
    if cart is None:
        raise CommerceError("That item is not in your cart.")
    lock_row(cart)
    item = next((i for i in cart.items if i.plan_id == plan_id), None)
    if item is None:
        raise CommerceError("That item is not in your cart.")
    return cart, item


def update_cart_item(
    owner_key: str | None, plan_id: int, quantity: int, actor: Actor | None
) -> CartItem:
    """Set the quantity of a line already in the cart."""
    _cart, item = _cart_item(owner_key, plan_id)
    _check_quantity(item.plan, quantity)
    if item.quantity != quantity:
        item.quantity = quantity
        db.session.flush()
        record_event(
            actor, "cart_item_added", item.plan.product_id, plan_id=plan_id, quantity=quantity
        )
    return item


def remove_cart_item(owner_key: str | None, plan_id: int, actor: Actor | None) -> Plan:
    cart, item = _cart_item(owner_key, plan_id)
    plan = item.plan
    cart.items.remove(item)
    if not cart.items:
        cart.currency = None
    db.session.flush()
    record_event(actor, "cart_item_removed", plan.product_id, plan_id=plan.id)
    return plan


def set_cart_country(owner_key: str, country: str | None) -> Cart:
    """Remember the country used to estimate tax on the cart page."""
    country = (country or "").upper() or None
    if country and country not in COUNTRY_NAMES:
        raise CommerceError("Choose a country from the list.", field="country")
    cart = _cart_for_update(owner_key)
    cart.country = country
    db.session.flush()
    return cart


def merge_carts(user: User, visitor_id: str) -> int:
    """Move a visitor's cart into ``user``'s cart after they sign in. Returns lines moved.

    Lines in another currency than the user's cart, or beyond a plan's maximum, are capped or
    dropped: the user's own cart wins.
    """
    visitor_cart = get_cart(f"v{visitor_id}")
    if visitor_cart is None:
        return 0
    user_key = f"u{user.id}"
    if get_cart(user_key) is None:
        visitor_cart.owner_key = user_key  # nothing to merge with: the cart simply changes hands
        db.session.flush()
        return len(visitor_cart.items)
    cart = _cart_for_update(user_key)
    lock_row(visitor_cart)
    actor = Actor.for_user(user, visitor_id)
    moved = 0
    for source in list(visitor_cart.items):
        plan = source.plan
        if cart.items and cart.currency != plan.currency:
            continue
        target = next((i for i in cart.items if i.plan_id == plan.id), None)
        if target is None:
            cart.items.append(
                CartItem(
                    plan=plan, quantity=source.quantity, unit_amount_seen=source.unit_amount_seen
                )
            )
            cart.currency = plan.currency
        else:
            quantity = min(plan.max_quantity, target.quantity + source.quantity)
            if quantity == target.quantity:
                continue
            target.quantity = quantity
            db.session.flush()
            record_event(
                actor, "cart_item_added", plan.product_id, plan_id=plan.id, quantity=quantity
            )
        moved += 1
    db.session.delete(visitor_cart)
    db.session.flush()
    return moved


# --------------------------------------------------------------------------- checkout


@dataclass(frozen=True)
class BillingDetails:
    legal_name: str
    address: str
    country: str
    tax_id: str = ""
    po_number: str = ""


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


def start_checkout(summary: CartSummary, actor: Actor | None) -> None:
    """Note that the buyer opened the checkout with this cart."""
    if summary.is_empty:
        return
    record_event(
        actor,
        "checkout_started",
        _product_of(summary.lines),
        amount=summary.total,
        currency=summary.currency,
    )


def place_order(
    user: User,
    owner_key: str,
    details: BillingDetails,
    method: str,
    *,
    accept_price_changes: bool,
    actor: Actor | None,
) -> tuple[Order, bool]:
    """Turn the owner's cart into an order. Returns ``(order, created)``.

    A second submit of the same checkout (double click, retry, 20 tabs at once) waits for the
    first, finds the cart already converted and gets the first order back with
    ``created=False``.
    """
    if method not in ("card", "invoice"):
        raise CommerceError("Choose how you want to pay.", field="payment_method")
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

    summary = summarize_cart(cart, details.country)
    if summary.unavailable_lines:
        names = ", ".join(line.label for line in summary.unavailable_lines)
        raise CommerceError(f"{names} can't be bought any more. Remove it from your cart.")
    for line in summary.lines:
        _check_quantity(line.plan, line.quantity)
        if line.plan.currency != summary.currency:
            raise CommerceError("Your cart mixes currencies. Remove the lines in another one.")
    if summary.changed_lines and not accept_price_changes:
        changes = "; ".join(
            f"{line.label} is now {money(line.unit_amount, summary.currency)} "
            f"(was {money(line.item.unit_amount_seen, summary.currency)})"
            for line in summary.changed_lines
        )
        raise PricesChanged(
            f"Some prices changed since you added them: {changes}. "
            "Review the new prices and confirm them to continue.",
            field="accept_price_changes",
        )
    if method == "card":
        allowed, reason = card_availability(summary.total)
        if not allowed:
            raise CommerceError(reason or "Card payment is not available.", field="payment_method")

    now = _now()
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
        billing_address=details.address.strip(),
        billing_country=details.country.upper(),
        tax_id=details.tax_id.strip(),
        po_number=details.po_number.strip(),
        tax_rate_bp=summary.tax_rate_bp,
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
    db.session.add(order)
    converted = [(line.plan.product_id, line.plan.id) for line in summary.lines]
    cart.items.clear()
    cart.currency = None
    cart.checkouts += 1
    db.session.flush()

    # The cart is empty now: the pipeline's open-cart value follows these events.
    for product_id, plan_id in converted:
        record_event(actor, "cart_item_removed", product_id, plan_id=plan_id)
    record_event(
        actor,
        "order_placed",
        _product_of(order.lines),
        order_id=order.id,
        amount=order.total,
        currency=order.currency,
        method=method,
    )
    return order, True


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


# --------------------------------------------------------------------------- card payments


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
    if order.status not in ("pending", "failed"):
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


# --------------------------------------------------------------------------- paid, cancelled


def apply_payment(order: Order, payment: Payment, note: str, actor: User | None = None) -> None:
    payment.received_at = payment.received_at or _now()
    order.payments.append(payment)
    order.paid_at = payment.received_at
    change_status(order, "paid", note, actor)
    db.session.flush()
    record_event(
        _customer_actor(order),
        "order_paid",
        _product_of(order.lines),
        order_id=order.id,
        amount=payment.amount,
        currency=order.currency,
    )


def mark_order_paid(order: Order, seller: User, reference: str = "") -> Order:
    """A seller or admin confirms the bank transfer for an invoice order."""
    lock_row(order)
    if order.status == "paid":
        raise CommerceError(f"Order {order.number} is already paid.")
    if order.payment_method != "invoice" or order.status != "awaiting_payment":
        raise CommerceError(
            f"Only invoice orders awaiting payment can be marked paid "
            f"({order.number} is: {STATUS_LABELS[order.status]})."
        )
    reference = (reference or "").strip()[:60]
    payment = Payment(
        provider="bank_transfer",
        reference=f"order-{order.id}",
        amount=order.total,
        currency=order.currency,
    )
    apply_payment(
        order,
        payment,
        "Bank transfer received" + (f" (reference {reference})." if reference else "."),
        seller,
    )
    return order


def cancel_order(order: Order, seller: User, reason: str = "") -> Order:
    lock_row(order)
    if order.status not in UNPAID:
        raise CommerceError(
            f"Only unpaid orders can be cancelled ({order.number} is: "
            f"{STATUS_LABELS[order.status]})."
        )
    order.cancelled_at = _now()
    change_status(order, "cancelled", (reason or "").strip() or "Cancelled by the seller.", seller)
    db.session.flush()
    return order


# --------------------------------------------------------------------------- refunds


def issue_credit_note(
    order: Order, amount: int, reason: str, actor: User | None, refund_id: str | None
) -> CreditNote:
    note = CreditNote(
        number="CN-" + order.number.removeprefix("TD-"),
        amount=amount,
        currency=order.currency,
        reason=reason[:300],
        stripe_refund_id=refund_id,
        created_by_id=actor.id if actor else None,
    )
    order.credit_note = note
    order.refunded_at = _now()
    change_status(
        order,
        "refunded",
        f"Refunded; credit note {note.number}." + (f" {reason}" if reason else ""),
        actor,
    )
    db.session.flush()
    record_event(
        _customer_actor(order),
        "order_refunded",
        _product_of(order.lines),
        order_id=order.id,
        amount=amount,
        currency=order.currency,
    )
    return note


def refund_order(order: Order, admin: User, reason: str = "") -> CreditNote:
    """Refund a paid order in full: through Stripe for card orders (idempotent by order, so
    a double click refunds once), and a credit note for every order."""
    if not admin.is_admin:
        raise CommerceError("Only an administrator can refund an order.")
    if order.status != "paid":
        raise CommerceError(
            f"Only paid orders can be refunded ({order.number} is: {STATUS_LABELS[order.status]})."
        )
    refund_id = None
    if order.payment_method == "card":
        payment = next((p for p in order.payments if p.provider == "stripe"), None)
        if payment is None:
            raise CommerceError("This card order has no recorded card payment to refund.")
        # The API call happens before the row lock: no lock is held across the network.
        refund = stripe_gateway.refund_payment_intent(
            payment.reference, amount=payment.amount, idempotency_key=f"testdrive-refund-{order.id}"
        )
        refund_id = refund.id
    lock_row(order)
    if order.status != "paid":  # refunded meanwhile (a second click, or Stripe's webhook)
        return order.credit_note
    return issue_credit_note(order, order.total, (reason or "").strip(), admin, refund_id)


# --------------------------------------------------------------------------- reading


def orders_for(user: User):
    """The user's orders, newest first (a select, so the view can paginate)."""
    return (
        select(Order)
        .where(Order.user_id == user.id)
        .order_by(Order.created_at.desc(), Order.id.desc())
    )


def all_orders(status: str | None = None):
    stmt = select(Order).order_by(Order.created_at.desc(), Order.id.desc())
    if status:
        stmt = stmt.where(Order.status == status)
    return stmt


def order_for_user(order_id: int, user: User) -> Order | None:
    """The user's own order, or None (another person's order is "not found")."""
    order = db.session.get(Order, order_id)
    if order is None or order.user_id != user.id:
        return None
    return order


@dataclass(frozen=True)
class Licence:
    product: Product
    plan: Plan
    quantity: int


def account_overview(user: User) -> dict[str, Any]:
    """What a customer's home shows: orders, documents, licences and onboarding resources."""
    orders = db.session.scalars(orders_for(user).limit(10)).all()
    rows = db.session.execute(
        select(OrderLine.plan_id, func.sum(OrderLine.quantity))
        .join(Order, Order.id == OrderLine.order_id)
        .where(Order.user_id == user.id, Order.status == "paid")
        .group_by(OrderLine.plan_id)
    ).all()
    licences = []
    for plan_id, quantity in rows:
        plan = db.session.get(Plan, plan_id)
        licences.append(Licence(product=plan.product, plan=plan, quantity=int(quantity)))
    licences.sort(key=lambda lic: (lic.product.name, lic.plan.name))
    product_ids = {lic.product.id for lic in licences}
    resources = (
        db.session.scalars(
            select(Resource)
            .where(Resource.product_id.in_(product_ids))
            .order_by(Resource.product_id, Resource.sort_order, Resource.id)
        ).all()
        if product_ids
        else []
    )
    return {"orders": orders, "licences": licences, "resources": resources}


def export_commerce_data(user: User) -> dict[str, Any]:
    cart = get_cart(f"u{user.id}")
    orders = db.session.scalars(orders_for(user)).all()
    return {
        "cart": [
            {"plan_id": item.plan_id, "quantity": item.quantity}
            for item in (cart.items if cart else [])
        ],
        "orders": [
            {
                "number": o.number,
                "status": o.status,
                "payment_method": o.payment_method,
                "currency": o.currency,
                "subtotal": o.subtotal,
                "tax": o.tax,
                "total": o.total,
                "created_at": o.created_at.isoformat(),
                "paid_at": o.paid_at.isoformat() if o.paid_at else None,
                "billing_name": o.billing_name,
                "billing_address": o.billing_address,
                "billing_country": o.billing_country,
                "tax_id": o.tax_id,
                "po_number": o.po_number,
                "lines": [
                    {
                        "description": line.description,
                        "quantity": line.quantity,
                        "total": line.total,
                    }
                    for line in o.lines
                ],
            }
            for o in orders
        ],
    }


def erase_commerce_data(user: User) -> None:
    """Delete the user's cart. Orders stay for the books (their user link becomes NULL)."""
    cart = get_cart(f"u{user.id}")
    if cart is not None:
        db.session.delete(cart)
        db.session.flush()


def forget_visitor_cart(visitor_id: str) -> None:
    """Delete an anonymous visitor's cart when they withdraw tracking consent."""
    cart = get_cart(f"v{visitor_id}")
    if cart is not None:
        db.session.delete(cart)
        db.session.flush()
