"""Staff pages of commerce (seller and admin): the orders list, one order, mark paid, cancel,
refund; quotes waiting for approval."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from portal.boundary import perform
from portal.commerce import bp
from portal.commerce.forms import CancelOrderForm, MarkPaidForm, QuoteActionForm, RefundForm
from portal.commerce.notify import queue_order_mail
from portal.commerce.orders import (
    STATUS_LABELS,
    all_orders,
    cancel_order,
    mark_order_paid,
    refund_order,
)
from portal.commerce.quotes import STATUS_LABELS as QUOTE_LABELS
from portal.commerce.quotes import approve_quote, quotes_awaiting_approval
from portal.extensions import db
from portal.models import ORDER_STATUSES, Order, Quote, User
from portal.security import role_required, safe_next


@bp.get("/seller/orders")
@role_required("seller")
def seller_orders():
    status = request.args.get("status") or None
    if status not in ORDER_STATUSES:
        status = None
    page = db.paginate(all_orders(status), per_page=25)
    return render_template(
        "commerce/seller_orders.html",
        page=page,
        status=status,
        statuses=ORDER_STATUSES,
        labels=STATUS_LABELS,
    )


def _render_order(order: Order, status: int = 200, **forms):
    forms.setdefault("paid_form", MarkPaidForm())
    forms.setdefault("cancel_form", CancelOrderForm())
    forms.setdefault("refund_form", RefundForm())
    buyer = db.session.get(User, order.user_id) if order.user_id else None
    actor_ids = {change.actor_id for change in order.history if change.actor_id}
    actors = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(actor_ids)))}
    return render_template(
        "commerce/seller_order.html",
        order=order,
        buyer=buyer,
        actors=actors,
        labels=STATUS_LABELS,
        **forms,
    ), status


@bp.get("/seller/orders/<int:order_id>")
@role_required("seller")
def seller_order(order_id: int):
    return _render_order(db.get_or_404(Order, order_id))


def _act(order_id: int, form, action, success: str, mail: str | None = None):
    order = db.get_or_404(Order, order_id)
    if not form.validate_on_submit():
        return _render_order(order, 422)
    if not perform(_act_and_tell, action, order, form, mail, flash_category="warning"):
        return redirect(url_for("commerce.seller_order", order_id=order_id))
    flash(success.format(number=order.number), "success")
    return redirect(url_for("commerce.seller_order", order_id=order_id))


def _act_and_tell(action, order: Order, form, mail: str | None) -> None:
    action(order, form)
    if mail:
        queue_order_mail(order, mail)


@bp.post("/seller/orders/<int:order_id>/mark-paid")
@role_required("seller")
def mark_paid(order_id: int):
    return _act(
        order_id,
        MarkPaidForm(),
        lambda order, form: mark_order_paid(order, current_user, form.reference.data),
        "Order {number} is marked paid.",
        "order_paid",
    )


@bp.post("/seller/orders/<int:order_id>/cancel")
@role_required("seller")
def cancel(order_id: int):
    return _act(
        order_id,
        CancelOrderForm(),
        lambda order, form: cancel_order(order, current_user, form.reason.data),
        "Order {number} is cancelled.",
    )


@bp.post("/seller/orders/<int:order_id>/refund")
@role_required("admin")
def refund(order_id: int):
    return _act(
        order_id,
        RefundForm(),
        lambda order, form: refund_order(order, current_user, form.reason.data),
        "Order {number} is refunded; a credit note was issued.",
        "order_refunded",
    )


@bp.get("/seller/quotes")
@role_required("seller")
def seller_quotes():
    """Quotes waiting for a seller's approval, then the latest quotes."""
    return render_template(
        "commerce/seller_quotes.html",
        waiting=db.session.scalars(quotes_awaiting_approval()).all(),
        latest=db.session.scalars(select(Quote).order_by(Quote.id.desc()).limit(50)).all(),
        labels=QUOTE_LABELS,
        form=QuoteActionForm(),
    )


@bp.post("/seller/quotes/<int:quote_id>/approve")
@role_required("seller")
def approve_quote_route(quote_id: int):
    quote = db.get_or_404(Quote, quote_id)
    back = safe_next(request.form.get("next")) or url_for("commerce.seller_quotes")
    if not QuoteActionForm().validate():
        flash("The form expired. Please try again.", "warning")
        return redirect(back)
    if perform(approve_quote, quote, current_user, flash_category="warning"):
        flash(f"Quote {quote.label} is approved; the buyer can accept it now.", "success")
    return redirect(back)
