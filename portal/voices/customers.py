"""Who counts as a verified customer of a product (a paid order), and how they are named."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Order, OrderLine, User
from portal.models.voices import NAME_MAX


def verified_purchase(user_id: int, product_id: int) -> datetime | None:
    """When ``user_id`` first paid for ``product_id``; None if they never did.

    A verified customer is a user with a paid order that has a line for the product.
    """
    return db.session.scalar(
        select(func.min(func.coalesce(Order.paid_at, Order.created_at)))
        .join(OrderLine, OrderLine.order_id == Order.id)
        .where(
            Order.user_id == user_id,
            Order.status == "paid",
            OrderLine.product_id == product_id,
        )
    )


def is_customer(user_id: int) -> bool:
    """True when the user has any paid order (and may opt in as a reference)."""
    return (
        db.session.scalar(
            select(Order.id).where(Order.user_id == user_id, Order.status == "paid").limit(1)
        )
        is not None
    )


def customers_of(product_id: int):
    """A subquery of (user_id, since) for the verified customers of a product."""
    return (
        select(
            Order.user_id.label("user_id"),
            func.min(func.coalesce(Order.paid_at, Order.created_at)).label("since"),
        )
        .join(OrderLine, OrderLine.order_id == Order.id)
        .where(
            Order.status == "paid",
            OrderLine.product_id == product_id,
            Order.user_id.is_not(None),
        )
        .group_by(Order.user_id)
        .subquery()
    )


def display_name_for(user: User, choice: str) -> str:
    """The author's name as they chose to show it ("" means anonymous)."""
    name = (user.name or "").strip()
    if choice == "anonymous" or not name:
        return ""
    if choice == "initial":
        parts = name.split()
        return parts[0] if len(parts) == 1 else f"{parts[0]} {parts[-1][0]}."
    company = "" if user.account.is_personal else user.account.name
    return f"{name}, {company}"[:NAME_MAX] if company else name[:NAME_MAX]
