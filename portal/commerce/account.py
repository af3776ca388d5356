"""The customer area (orders, licences, onboarding resources) and the person's commerce data:
exported on request, erased with the user, a visitor's cart forgotten with their consent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from portal.commerce.cart import get_cart
from portal.commerce.orders import orders_for
from portal.extensions import db
from portal.journey.owners import user_key, visitor_key
from portal.models import Order, OrderLine, Plan, Product, Resource, User


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
    cart = get_cart(user_key(user.id))
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
    cart = get_cart(user_key(user.id))
    if cart is not None:
        db.session.delete(cart)
        db.session.flush()


def forget_visitor_cart(visitor_id: str) -> None:
    """Delete an anonymous visitor's cart when they withdraw tracking consent."""
    cart = get_cart(visitor_key(visitor_id))
    if cart is not None:
        db.session.delete(cart)
        db.session.flush()
