"""The buyer's orders: list, one order, confirmation, status, quote/invoice and credit-note
PDFs, and the customer's home."""

from __future__ import annotations

from flask import Response, current_app, jsonify, render_template
from flask_login import current_user, login_required

from portal.boundary import perform
from portal.commerce import bp
from portal.commerce.account import account_overview
from portal.commerce.documents import credit_note_pdf, order_pdf
from portal.commerce.orders import STATUS_LABELS, order_for_user, orders_for
from portal.commerce.payments import latest_attempt
from portal.commerce.settings import setting
from portal.errors import abort_with
from portal.extensions import db
from portal.journey.services import record_event
from portal.journey.tracking import current_actor
from portal.models import Order


def own_order(order_id: int) -> Order:
    order = order_for_user(order_id, current_user)
    if order is None:
        abort_with(404, "We couldn't find that order among yours.")
    return order


@bp.get("/orders")
@login_required
def orders():
    page = db.paginate(orders_for(current_user), per_page=20)
    return render_template("commerce/orders.html", page=page, labels=STATUS_LABELS)


def _order_page(template: str, order: Order, **context):
    return render_template(template, order=order, labels=STATUS_LABELS, **context)


@bp.get("/orders/<int:order_id>")
@login_required
def order(order_id: int):
    order = own_order(order_id)
    return _order_page("commerce/order.html", order, attempt=latest_attempt(order))


@bp.get("/orders/<int:order_id>/confirmation")
@login_required
def confirmation(order_id: int):
    return _order_page(
        "commerce/confirmation.html",
        own_order(order_id),
        terms_days=setting("PAYMENT_TERMS_DAYS"),
        bank_details=setting("BANK_DETAILS"),
    )


@bp.get("/orders/<int:order_id>/status.json")
@login_required
def order_status(order_id: int):
    order = own_order(order_id)
    return jsonify(status=order.status, label=STATUS_LABELS[order.status])


def _document_order(order_id: int) -> Order:
    """The order a document is asked for: the buyer's own, or any order for sellers."""
    order = db.get_or_404(Order, order_id)
    if order.user_id != current_user.id and not current_user.has_role("seller"):
        abort_with(404, "We couldn't find that order among yours.")
    return order


def _pdf_response(pdf: bytes, filename: str) -> Response:
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.get("/orders/<int:order_id>/quote.pdf")
@login_required
def quote(order_id: int):
    order = _document_order(order_id)
    if order.user_id == current_user.id:
        perform(record_event, current_actor(), "quote_downloaded", order_id=order.id)
    kind = "invoice" if order.is_settled else "quote"
    pdf = order_pdf(order, current_app.config["VENDOR_NAME"])
    return _pdf_response(pdf, f"{kind}-{order.number}.pdf")


@bp.get("/orders/<int:order_id>/credit-note.pdf")
@login_required
def credit_note(order_id: int):
    order = _document_order(order_id)
    if order.credit_note is None:
        abort_with(404, "This order has no credit note: it has not been refunded.")
    pdf = credit_note_pdf(order, current_app.config["VENDOR_NAME"])
    return _pdf_response(pdf, f"credit-note-{order.credit_note.number}.pdf")


@bp.get("/account")
@login_required
def account():
    overview = account_overview(current_user)
    return render_template("commerce/account.html", labels=STATUS_LABELS, **overview)
