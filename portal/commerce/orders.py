"""Orders after checkout: status changes with their history, payment received, cancelling,
refunds with a credit note, and the lists sellers and buyers read.

Services raise ``CommerceError`` and only ``flush()``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from portal.commerce import stripe_gateway
from portal.commerce.errors import CommerceError
from portal.commerce.locking import RowBusy, lock_row
from portal.extensions import db
from portal.journey.services import Actor, record_event
from portal.models import CreditNote, Order, OrderStatusChange, Payment, User
from portal.models.base import utcnow
from portal.models.commerce import UNPAID_STATUSES

STATUS_LABELS = {
    "pending": "Waiting for card payment",
    "awaiting_payment": "Awaiting payment (invoice)",
    "paid": "Paid",
    "failed": "Card payment failed",
    "cancelled": "Cancelled",
    "refunded": "Refunded",
}


def product_of(lines: list[Any]) -> int | None:
    """The product id when all lines are for one product (journey events carry it)."""
    ids = {line.product_id for line in lines}
    return ids.pop() if len(ids) == 1 else None


def customer_actor(order: Order) -> Actor | None:
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


def apply_payment(order: Order, payment: Payment, note: str, actor: User | None = None) -> None:
    payment.received_at = payment.received_at or utcnow()
    order.payments.append(payment)
    order.paid_at = payment.received_at
    change_status(order, "paid", note, actor)
    db.session.flush()
    record_event(
        customer_actor(order),
        "order_paid",
        product_of(order.lines),
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
    if order.status not in UNPAID_STATUSES:
        raise CommerceError(
            f"Only unpaid orders can be cancelled ({order.number} is: "
            f"{STATUS_LABELS[order.status]})."
        )
    order.cancelled_at = utcnow()
    change_status(order, "cancelled", (reason or "").strip() or "Cancelled by the seller.", seller)
    db.session.flush()
    # The pipeline stops counting the order in the deal's value.
    record_event(
        customer_actor(order), "order_cancelled", product_of(order.lines), order_id=order.id
    )
    return order


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
    order.refunded_at = utcnow()
    change_status(
        order,
        "refunded",
        f"Refunded; credit note {note.number}." + (f" {reason}" if reason else ""),
        actor,
    )
    db.session.flush()
    record_event(
        customer_actor(order),
        "order_refunded",
        product_of(order.lines),
        order_id=order.id,
        amount=amount,
        currency=order.currency,
    )
    return note


def refund_order(order: Order, admin: User, reason: str = "") -> CreditNote:
    """Refund a paid order in full: through Stripe for card orders, and a credit note for
    every order.

    The order's row is locked *before* Stripe is called and held until the commit, so of N
    concurrent refunds exactly one reaches the gateway; the others are told the order is
    being (or already) refunded. The idempotency key (by order) still guards a retry after a
    timeout. Holding a lock across the call is bounded by the gateway's own timeout."""
    if not admin.is_admin:
        raise CommerceError("Only an administrator can refund an order.")
    number = order.number  # read now: after a refused lock the transaction takes no query
    try:
        lock_row(order, nowait=True)
    except RowBusy as busy:
        raise CommerceError(
            f"{number} is being refunded by someone else right now.", status=409
        ) from busy
    if order.status == "refunded":  # a second click, another admin, or Stripe's webhook
        raise CommerceError(f"{order.number} is already refunded.", status=409)
    if order.status != "paid":
        raise CommerceError(
            f"Only paid orders can be refunded ({order.number} is: {STATUS_LABELS[order.status]})."
        )
    refund_id = None
    if order.payment_method == "card":
        payment = next((p for p in order.payments if p.provider == "stripe"), None)
        if payment is None:
            raise CommerceError("This card order has no recorded card payment to refund.")
        refund = stripe_gateway.refund_payment_intent(
            payment.reference, amount=payment.amount, idempotency_key=f"testdrive-refund-{order.id}"
        )
        refund_id = refund.id
    return issue_credit_note(order, order.total, (reason or "").strip(), admin, refund_id)


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
