"""The cart: lines and subtotal from the database's prices, adding, changing and removing
lines, the tax country, and merging an anonymous cart into the user's on sign-in.

Tax and totals are ``pricing.price_cart``'s.

Services raise ``CommerceError`` and only ``flush()``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from portal.commerce.errors import AlreadyInCart, CommerceError
from portal.commerce.locking import dialect_insert, lock_row
from portal.commerce.settings import COUNTRY_NAMES, setting
from portal.extensions import db
from portal.journey.owners import user_key
from portal.journey.services import Actor, record_event
from portal.models import Cart, CartItem, Plan, User
from portal.models.base import utcnow


def plan_label(plan: Plan) -> str:
    return f"{plan.product.name} — {plan.name}"


def _unit_word(plan: Plan, quantity: int) -> str:
    if plan.per_seat:
        return "seat" if quantity == 1 else "seats"
    return "licence" if quantity == 1 else "licences"


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
    """The cart's lines at today's prices and their sum (before tax)."""

    cart: Cart | None
    lines: list[CartLine] = field(default_factory=list)
    currency: str | None = None
    subtotal: int = 0


def get_cart(owner_key: str | None) -> Cart | None:
    if not owner_key:
        return None
    return db.session.scalar(select(Cart).where(Cart.owner_key == owner_key))


def _cart_for_update(owner_key: str) -> Cart:
    """The owner's cart, created if needed (race-free), locked for this transaction."""
    cart = get_cart(owner_key)
    if cart is None:
        now = utcnow()
        stmt = dialect_insert(Cart).values(
            owner_key=owner_key, checkouts=0, created_at=now, updated_at=now
        )
        db.session.execute(stmt.on_conflict_do_nothing(index_elements=["owner_key"]))
        cart = get_cart(owner_key)
    lock_row(cart)
    return cart


def summarize_cart(cart: Cart | None) -> CartSummary:
    """Lines and subtotal from the database's current prices (never from the browser)."""
    if cart is None:
        return CartSummary(cart=None)
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
    return CartSummary(
        cart=cart,
        lines=lines,
        currency=cart.currency if lines else None,
        subtotal=sum(line.total for line in lines),
    )


def _available_plan(plan_id: int) -> Plan:
    plan = db.session.get(Plan, plan_id)
    if plan is None or not plan.is_active or not plan.product.is_active:
        raise CommerceError("That plan is not available any more.", field="plan_id")
    return plan


def check_quantity(plan: Plan, quantity: int) -> None:
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
    check_quantity(plan, quantity)  # the amount being added must make sense on its own
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
    if item is not None and plan.min_quantity == plan.max_quantity == item.quantity:
        raise AlreadyInCart(f"{plan_label(plan)} is already in your cart.")
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
    check_quantity(item.plan, quantity)
    if item.quantity != quantity:
        item.quantity = quantity
        db.session.flush()
        record_event(
            actor, "cart_item_added", item.plan.product_id, plan_id=plan_id, quantity=quantity
        )
    return item


def change_cart_plan(
    owner_key: str | None, plan_id: int, new_plan_id: int, actor: Actor | None
) -> CartItem:
    """Switch a line to another plan of the same product, keeping the quantity where the new
    plan allows it (else the nearest it allows)."""
    cart, item = _cart_item(owner_key, plan_id)
    new_plan = _available_plan(new_plan_id)
    if new_plan.id == item.plan_id:
        return item
    if new_plan.product_id != item.plan.product_id or new_plan.currency != cart.currency:
        raise CommerceError("Choose one of this product's plans.", field="plan_id")
    if any(other.plan_id == new_plan.id for other in cart.items):
        raise CommerceError(
            f"{plan_label(new_plan)} is already in your cart: change its quantity instead.",
            field="plan_id",
        )
    old_plan = item.plan
    item.plan = new_plan
    item.quantity = min(max(item.quantity, new_plan.min_quantity), new_plan.max_quantity)
    item.unit_amount_seen = new_plan.unit_amount
    db.session.flush()
    record_event(actor, "cart_item_removed", old_plan.product_id, plan_id=old_plan.id)
    record_event(
        actor, "cart_item_added", new_plan.product_id, plan_id=new_plan.id, quantity=item.quantity
    )
    return item


def cart_item_count(owner_key: str | None) -> int:
    """How many lines the owner's cart holds (one cheap query; none without an owner)."""
    if not owner_key:
        return 0
    return db.session.scalar(
        select(func.count(CartItem.id)).join(Cart).where(Cart.owner_key == owner_key)
    )


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


def merge_carts(user: User, source_key: str, visitor_id: str | None = None) -> int:
    """Move an anonymous cart (a device's or a consenting visitor's) into ``user``'s cart after
    they sign in. Returns lines moved.

    Lines in another currency than the user's cart, or beyond a plan's maximum, are capped or
    dropped: the user's own cart wins.
    """
    source_cart = get_cart(source_key)
    if source_cart is None:
        return 0
    owner = user_key(user.id)
    if get_cart(owner) is None:
        source_cart.owner_key = owner  # nothing to merge with: the cart simply changes hands
        db.session.flush()
        return len(source_cart.items)
    cart = _cart_for_update(owner)
    lock_row(source_cart)
    actor = Actor.for_user(user, visitor_id)
    moved = 0
    for source in list(source_cart.items):
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
    db.session.delete(source_cart)
    db.session.flush()
    return moved
