"""Demo orders, placed through the same services as the web checkout.

``customer@acme.example`` gets a paid order for one demo product (so they are a verified
customer); ``dana@globex.example`` has an invoice order awaiting payment, for the seller's list.
Needs the catalog seeder; without the demo catalog it skips with a message. Idempotent.
"""

from __future__ import annotations

from sqlalchemy import select

from portal.auth.services import find_user_by_email
from portal.catalog.services import active_product
from portal.commerce.cart import add_to_cart, plan_label
from portal.commerce.checkout import BillingDetails, place_order
from portal.commerce.orders import mark_order_paid
from portal.extensions import db
from portal.journey.owners import user_key
from portal.journey.services import Actor
from portal.models import Order, Plan, Product, User

DEMO_SLUGS = ("pipeline-lens", "data-doctor", "demand-radar", "segment-studio")

DEMO_ORDERS = (
    # e-mail, product slug, legal name, address, country, paid?
    (
        "customer@acme.example",
        "pipeline-lens",
        "Acme Logistics Ltd",
        "1 Dock Road\nLiverpool L3 4AA",
        "GB",
        True,
    ),
    (
        "dana@globex.example",
        "data-doctor",
        "Globex Corporation",
        "100 Industrial Way\nSpringfield",
        "US",
        False,
    ),
)


def _demo_plan(slug: str) -> Plan | None:
    """The product's smallest active plan that a team would start with."""
    product = active_product(slug)
    if product is None:
        return None
    plans = [p for p in product.plans if p.is_active]
    return min(plans, key=lambda p: (p.unit_amount * p.min_quantity, p.id), default=None)


def seed_commerce() -> list[str]:
    if db.session.scalar(select(Product.id).where(Product.slug.in_(DEMO_SLUGS)).limit(1)) is None:
        return ["Commerce: the demo catalog is not seeded; skipped the demo orders."]
    seller = find_user_by_email("seller@northwind.example")
    lines = []
    for email, slug, legal_name, address, country, paid in DEMO_ORDERS:
        user = find_user_by_email(email)
        plan = _demo_plan(slug) or _demo_plan(DEMO_SLUGS[0])
        if user is None or plan is None:
            continue
        if db.session.scalar(select(Order.id).where(Order.user_id == user.id).limit(1)):
            lines.append(f"Commerce: {email} already has an order.")
            continue
        order = _place_demo_order(user, plan, legal_name, address, country)
        if paid:
            mark_order_paid(order, seller or user, "DEMO-TRANSFER")
        lines.append(
            f"Commerce: {email} — order {order.number} for {plan_label(plan)}"
            f" ({'paid' if paid else 'awaiting payment'})."
        )
    return lines


def _place_demo_order(user: User, plan: Plan, legal_name: str, address: str, country: str):
    actor = Actor.for_user(user)
    key = user_key(user.id)
    add_to_cart(key, plan.id, plan.min_quantity, actor)
    order, _created = place_order(
        user,
        key,
        BillingDetails(legal_name=legal_name, address=address, country=country),
        "invoice",
        reviewed=None,
        actor=actor,
    )
    return order
