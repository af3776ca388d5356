"""The buyer's quotes: request one from the cart, read it, download its PDF, accept it online,
renew it once expired; and the terms of sale the quote links to."""

from __future__ import annotations

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.boundary import perform
from portal.commerce import bp
from portal.commerce.acceptance import Signature, accept_quote, order_of
from portal.commerce.cart import get_cart
from portal.commerce.checkout import BillingDetails, card_availability
from portal.commerce.forms import AcceptQuoteForm, QuoteActionForm, QuoteRequestForm
from portal.commerce.orders import orders_for
from portal.commerce.payment_routes import start_card_payment
from portal.commerce.pricing import price_cart
from portal.commerce.quote_document import accepted_quote_pdf, tax_paragraphs
from portal.commerce.quotes import (
    STATUS_LABELS,
    QuoteLinks,
    QuoteNotFound,
    expire_if_due,
    open_quote,
    quote_for_user,
    quotes_for,
    renew_quote,
    request_quote,
)
from portal.commerce.settings import setting
from portal.errors import abort_with
from portal.extensions import db
from portal.journey.tracking import current_actor, owner_key
from portal.models import Order, Quote
from portal.models.base import utcnow


def _links() -> QuoteLinks:
    return QuoteLinks(
        base_url=current_app.config["PUBLIC_BASE_URL"], terms_url=setting("TERMS_URL")
    )


def _own_quote(quote_id: int) -> Quote:
    try:
        return quote_for_user(quote_id, current_user)
    except QuoteNotFound as error:
        abort_with(404, error.message)


def _request_defaults(summary) -> dict:
    """Pre-fill the company details from the buyer's last order, else their account."""
    last = db.session.scalar(orders_for(current_user).limit(1))
    if last is not None:
        return {
            "legal_name": last.billing_name,
            "address": last.billing_address,
            "country": last.billing_country,
            "tax_id": last.tax_id,
            "business": last.buyer_is_business,
        }
    country = summary.cart.country if summary.cart is not None else None
    return {"legal_name": current_user.account.name, "country": country or ""}


def _cart_summary(key: str | None):
    """The cart's lines before tax (the quote decides the tax from the buyer's details)."""
    return price_cart(get_cart(key), country=None, vat_id=None, business=True)


def _render_request(form: QuoteRequestForm, summary, status: int = 200):
    return render_template("commerce/quote_request.html", form=form, summary=summary), status


@bp.route("/quotes/new", methods=["GET", "POST"])
@login_required
def request_quote_page():
    key = owner_key()
    summary = _cart_summary(key)
    if summary.is_empty:
        flash("Your cart is empty: add a plan before asking for a quote.", "info")
        return redirect(url_for("commerce.cart"))
    if request.method == "GET":
        return _render_request(QuoteRequestForm(data=_request_defaults(summary)), summary)
    form = QuoteRequestForm()
    if not form.validate():
        return _render_request(form, summary, 422)
    details = BillingDetails(
        legal_name=form.legal_name.data,
        address=form.address.data,
        country=form.country.data,
        tax_id=form.tax_id.data or "",
        po_number=form.po_number.data or "",
        business=form.business.data,
    )
    done = perform(
        request_quote,
        current_user,
        key,
        details,
        links=_links(),
        actor=current_actor(),
        form=form,
    )
    if not done:
        return _render_request(form, _cart_summary(key), 422)
    quote = done.value
    flash(f"Quote {quote.label} is ready. Nothing is ordered until you accept it.", "success")
    return redirect(url_for("commerce.view_quote", quote_id=quote.id))


@bp.get("/quotes")
@login_required
def quotes():
    page = db.paginate(quotes_for(current_user), per_page=20)
    return render_template("commerce/quotes.html", page=page, labels=STATUS_LABELS, now=utcnow())


def _render_quote(quote: Quote, form: AcceptQuoteForm | None = None, status: int = 200):
    card_ok, card_reason = card_availability(quote.total)
    form = form or AcceptQuoteForm(document_sha256=quote.document_sha256)
    if not card_ok:
        form.payment_method.choices = [c for c in form.payment_method.choices if c.value != "card"]
    return render_template(
        "commerce/quote.html",
        quote=quote,
        form=form,
        action_form=QuoteActionForm(),
        labels=STATUS_LABELS,
        tax_lines=tax_paragraphs(quote),
        card_reason=card_reason,
        order=order_of(quote) if quote.status == "accepted" else None,
        newer=db.session.scalar(select(Quote).where(Quote.renewed_from_id == quote.id)),
    ), status


@bp.get("/quotes/<int:quote_id>")
@login_required
def view_quote(quote_id: int):
    quote = _own_quote(quote_id)
    perform(open_quote, quote, current_user, current_actor())
    return _render_quote(quote)


@bp.post("/quotes/<int:quote_id>")
@login_required
def accept(quote_id: int):
    quote = _own_quote(quote_id)
    form = AcceptQuoteForm()
    if not form.validate():
        if quote.status == "accepted":  # a repeated press after the order exists
            return _after_accept(order_of(quote), created=False)
        return _render_quote(quote, form, 422)
    signature = Signature(
        full_name=form.full_name.data,
        title=form.title.data,
        authorised=form.authorised.data,
        document_sha256=form.document_sha256.data,
        ip_address=request.remote_addr or "",
        user_agent=request.user_agent.string or "",
    )
    try:
        done = perform(
            accept_quote,
            quote,
            current_user,
            signature,
            form.payment_method.data,
            actor=current_actor(),
            form=form,
        )
    except IntegrityError:
        # Lost a race on the unique keys: the other request accepted this very quote.
        db.session.rollback()
        order = order_of(quote)
        if order is None:
            raise
        return _after_accept(order, created=False)
    if not done:
        db.session.refresh(quote)
        perform(expire_if_due, quote)  # a refusal for expiry leaves the quote marked expired
        return _render_quote(quote, form, done.status if done.status != 404 else 422)
    return _after_accept(*done.value)


def _after_accept(order: Order, created: bool):
    if created:
        flash(f"Quote accepted: order {order.number} is placed.", "success")
    else:
        flash(f"This quote was already accepted: order {order.number}.", "info")
    if order.awaiting_card_payment:
        if created:
            start_card_payment(order)
        return redirect(url_for("commerce.pay", order_id=order.id))
    return redirect(url_for("commerce.confirmation", order_id=order.id))


@bp.post("/quotes/<int:quote_id>/renew")
@login_required
def renew(quote_id: int):
    quote = _own_quote(quote_id)
    if not QuoteActionForm().validate():
        flash("The form expired. Please try again.", "warning")
        return redirect(url_for("commerce.view_quote", quote_id=quote.id))
    done = perform(
        renew_quote,
        quote,
        current_user,
        links=_links(),
        actor=current_actor(),
        flash_category="warning",
    )
    if not done:
        return redirect(url_for("commerce.view_quote", quote_id=quote.id))
    flash(f"Renewed at today's prices: {done.value.label}.", "success")
    return redirect(url_for("commerce.view_quote", quote_id=done.value.id))


@bp.get("/quotes/<int:quote_id>.pdf")
@login_required
def quote_pdf(quote_id: int):
    """The quote as issued; once accepted, with its acceptance certificate appended
    (``?as_issued=1`` gives the issued bytes alone, to check their SHA-256)."""
    quote = db.session.get(Quote, quote_id)
    if quote is None or (quote.user_id != current_user.id and not current_user.has_role("seller")):
        abort_with(404, "We couldn't find that quote among yours.")
    if quote.user_id == current_user.id:
        perform(open_quote, quote, current_user, current_actor())
    if quote.acceptance is not None and not request.args.get("as_issued"):
        data, name = accepted_quote_pdf(quote), f"quote-{quote.number}-v{quote.version}-accepted"
    else:
        data, name = quote.document, f"quote-{quote.number}-v{quote.version}"
    return Response(
        data,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}.pdf"'},
    )


@bp.get("/terms")
def terms():
    return render_template(
        "commerce/terms.html",
        seller_name=setting("SELLER_LEGAL_NAME"),
        terms_days=setting("PAYMENT_TERMS_DAYS"),
        valid_days=setting("QUOTE_VALID_DAYS"),
    )
