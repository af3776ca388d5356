"""Accepting a quote online: the signed, immutable acceptance record and the one order.

Exactly once, whatever the buyer does: the quote's row is locked while it is accepted, and
the database backs the lock with unique keys (``QuoteAcceptance.quote_id`` and the order's
``cart_key`` of ``quote:<id>``). A second press, or a second tab, gets the first order back.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import select

from portal.commerce.checkout import card_availability
from portal.commerce.errors import CommerceError
from portal.commerce.events import record_order_placed, record_quote_accepted
from portal.commerce.locking import lock_row
from portal.commerce.quotes import expire_if_due
from portal.extensions import db
from portal.journey.services import Actor
from portal.models import Order, OrderLine, OrderStatusChange, Quote, QuoteAcceptance, User
from portal.models.base import utcnow


class QuoteExpired(CommerceError):
    status = 409


@dataclass(frozen=True)
class Signature:
    """What the buyer typed and confirmed, and where it came from."""

    full_name: str
    title: str
    authorised: bool
    document_sha256: str
    ip_address: str
    user_agent: str = ""


def order_key(quote: Quote) -> str:
    """The unique key of the one order a quote version can become."""
    return f"quote:{quote.id}"


def order_of(quote: Quote) -> Order | None:
    return db.session.scalar(select(Order).where(Order.cart_key == order_key(quote)))


def _check_signature(quote: Quote, signature: Signature) -> None:
    if len(signature.full_name.strip()) < 2:
        raise CommerceError("Type your full name to sign.", field="full_name")
    if not signature.title.strip():
        raise CommerceError("Enter your title or role.", field="title")
    if not signature.authorised:
        raise CommerceError(
            f"Confirm that you are authorised to sign for {quote.billing_name}.",
            field="authorised",
        )
    if signature.document_sha256 != quote.document_sha256:
        raise CommerceError(
            "This isn't the document you were shown: reload the quote and review it again.",
            field="document_sha256",
        )


def _check_acceptable(quote: Quote, method: str) -> None:
    if expire_if_due(quote) or quote.status == "expired":
        raise QuoteExpired(
            f"Quote {quote.label} expired on {quote.valid_until:%d %B %Y}. Renew it to get a "
            "new version at today's prices."
        )
    if quote.status == "awaiting_approval":
        raise CommerceError(
            f"Quote {quote.label} is awaiting approval by our team; you can accept it once "
            "it is approved."
        )
    if method not in ("card", "invoice"):
        raise CommerceError("Choose how you want to pay.", field="payment_method")
    if method == "card":
        allowed, reason = card_availability(quote.total)
        if not allowed:
            raise CommerceError(reason or "Card payment is not available.", field="payment_method")


def accept_quote(
    quote: Quote, user: User, signature: Signature, method: str, *, actor: Actor | None
) -> tuple[Order, bool]:
    """Accept ``quote`` for ``user`` and place its order. Returns ``(order, created)``."""
    if quote.user_id != user.id:
        raise CommerceError("Only the buyer who asked for this quote can accept it.", status=404)
    lock_row(quote)
    if quote.status == "accepted":
        return order_of(quote), False
    _check_acceptable(quote, method)
    _check_signature(quote, signature)

    order = _order_from(quote, user, method)
    db.session.add(order)
    db.session.flush()
    db.session.add(
        QuoteAcceptance(
            quote_id=quote.id,
            order_id=order.id,
            full_name=signature.full_name.strip()[:200],
            title=signature.title.strip()[:200],
            authorised=True,
            accepted_at=utcnow().replace(microsecond=0),
            ip_address=(signature.ip_address or "unknown")[:45],
            user_agent=signature.user_agent[:300],
            email=user.email,
            document_sha256=quote.document_sha256,
        )
    )
    quote.status = "accepted"
    db.session.flush()
    record_quote_accepted(actor, quote, order)
    record_order_placed(actor, order, method)
    return order, True


def _order_from(quote: Quote, user: User, method: str) -> Order:
    """The order at the quote's prices and tax, with its first history line."""
    order = Order(
        number="TD-" + secrets.token_hex(4).upper(),
        user_id=user.id,
        account_id=user.account_id,
        status="pending" if method == "card" else "awaiting_payment",
        payment_method=method,
        currency=quote.currency,
        subtotal=quote.subtotal,
        tax=quote.tax,
        total=quote.total,
        cart_key=order_key(quote),
        billing_name=quote.billing_name,
        billing_address=quote.billing_address,
        billing_country=quote.billing_country,
        tax_id=quote.tax_id,
        po_number=quote.po_number,
        tax_rate_bp=quote.tax_rate_bp,
        tax_treatment=quote.tax_treatment,
        tax_note=quote.tax_note,
        vat_check=quote.vat_check,
        buyer_is_business=quote.business,
        quote_valid_until=quote.valid_until,
    )
    for line in quote.lines:
        order.lines.append(
            OrderLine(
                product_id=line.product_id,
                plan_id=line.plan_id,
                description=line.description,
                quantity=line.quantity,
                unit_amount=line.unit_amount,
                total=line.total,
            )
        )
    order.history.append(
        OrderStatusChange(
            from_status=None,
            to_status=order.status,
            note=f"Quote {quote.label} accepted online; "
            + ("waiting for the card payment." if method == "card" else "pay by bank transfer."),
            actor_id=user.id,
        )
    )
    return order
