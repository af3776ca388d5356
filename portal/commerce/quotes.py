"""Quotes: requesting one from the cart, viewing, expiring, renewing and approving.

A quote is an offer, not an order: requesting one leaves the cart as it is. Each version's
PDF is rendered once and stored with its SHA-256, so what the buyer signs is fixed.
Accepting lives in ``portal.commerce.acceptance``. Services raise ``CommerceError`` and only
``flush()``.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update

from portal.commerce.addresses import tidy_address
from portal.commerce.cart import get_cart
from portal.commerce.checkout import BillingDetails
from portal.commerce.errors import CommerceError
from portal.commerce.events import record_quote_requested
from portal.commerce.locking import lock_row
from portal.commerce.orders import product_of
from portal.commerce.quote_document import quote_pdf
from portal.commerce.quote_pricing import (
    PricedLine,
    QuotePricing,
    price_cart_for_quote,
    price_lines,
)
from portal.commerce.settings import COUNTRY_NAMES, setting
from portal.extensions import db
from portal.journey.services import Actor, record_event
from portal.models import Plan, Quote, QuoteLine, User
from portal.models.base import utcnow
from portal.models.quotes import OPEN_STATUSES

STATUS_LABELS = {
    "awaiting_approval": "Awaiting approval",
    "sent": "Sent",
    "viewed": "Viewed",
    "accepted": "Accepted",
    "expired": "Expired",
}


class QuoteNotFound(CommerceError):
    status = 404


@dataclass(frozen=True)
class QuoteLinks:
    """Where the PDF's links point (the portal's public address and the terms page)."""

    base_url: str
    terms_url: str


def _new_number() -> str:
    return "Q-" + secrets.token_hex(4).upper()


def approval_needed(total: int) -> bool:
    """The optional seller-approval rule: quotes above ``QUOTE_APPROVAL_ABOVE`` wait."""
    limit = setting("QUOTE_APPROVAL_ABOVE")
    return limit is not None and total > int(limit)


def _check_details(details: BillingDetails) -> None:
    if not details.legal_name.strip():
        raise CommerceError("Enter your company's legal name.", field="legal_name")
    if details.country.upper() not in COUNTRY_NAMES:
        raise CommerceError("Choose the billing country.", field="country")


def _issue(
    user: User,
    pricing: QuotePricing,
    details: BillingDetails,
    *,
    links: QuoteLinks,
    number: str | None = None,
    version: int = 1,
    renewed_from: Quote | None = None,
) -> Quote:
    """Store and render one priced quote version (flushed, document attached)."""
    decision = pricing.decision
    now = utcnow().replace(microsecond=0)
    quote = Quote(
        number=number or _new_number(),
        version=version,
        user_id=user.id,
        account_id=user.account_id,
        currency=pricing.currency,
        subtotal=pricing.subtotal,
        tax=pricing.tax,
        total=pricing.total,
        tax_rate_bp=decision.rate_bp,
        tax_treatment=decision.treatment,
        tax_note=decision.note or "",
        vat_check=decision.vat_check,
        billing_name=details.legal_name.strip()[:200],
        billing_address=tidy_address(details.address),
        billing_country=details.country.upper(),
        tax_id=decision.vat_id or "",
        po_number=details.po_number.strip()[:60],
        business=details.business,
        contact_name=(user.name or "")[:200],
        contact_email=user.email,
        issued_at=now,
        valid_until=now + timedelta(days=int(setting("QUOTE_VALID_DAYS"))),
        payment_terms_days=int(setting("PAYMENT_TERMS_DAYS")),
        needs_approval=approval_needed(pricing.total),
        renewed_from_id=renewed_from.id if renewed_from else None,
        document=b"",
        document_sha256="",
    )
    quote.status = "awaiting_approval" if quote.needs_approval else "sent"
    for line in pricing.lines:
        quote.lines.append(
            QuoteLine(
                product_id=line.plan.product_id,
                plan_id=line.plan.id,
                description=line.label[:200],
                quantity=line.quantity,
                unit_amount=line.unit_amount,
                total=line.total,
            )
        )
    db.session.add(quote)
    db.session.flush()  # the id goes into the PDF's acceptance link
    quote.document = quote_pdf(quote, base_url=links.base_url, terms_url=links.terms_url)
    quote.document_sha256 = hashlib.sha256(quote.document).hexdigest()
    db.session.flush()
    return quote


def request_quote(
    user: User,
    owner_key: str | None,
    details: BillingDetails,
    *,
    links: QuoteLinks,
    actor: Actor | None,
) -> Quote:
    """A non-binding quote for what is in the owner's cart today. The cart stays as it is.
    Raises ``InvalidVatId`` (field ``tax_id``) for a VAT id that fails its check."""
    _check_details(details)
    cart = get_cart(owner_key)
    if cart is not None:
        lock_row(cart)  # a double submit waits here, then finds the quote the first one made
    pricing = price_cart_for_quote(cart, details)
    same = _just_issued(user, pricing, details)
    if same is not None:
        return same
    quote = _issue(user, pricing, details, links=links)
    record_quote_requested(actor, quote)
    return quote


# A second request for the same quote within this window is a double submit, not a new quote.
_DOUBLE_SUBMIT = timedelta(minutes=2)


def _just_issued(user: User, pricing: QuotePricing, details: BillingDetails) -> Quote | None:
    """The user's quote issued moments ago for exactly these lines, prices and buyer details."""
    since = utcnow().replace(microsecond=0) - _DOUBLE_SUBMIT
    recent = db.session.scalars(
        select(Quote)
        .where(Quote.user_id == user.id, Quote.issued_at >= since, Quote.version == 1)
        .order_by(Quote.id.desc())
        .limit(5)
    )
    wanted = sorted((line.plan.id, line.quantity) for line in pricing.lines)
    for quote in recent:
        if (
            quote.total == pricing.total
            and quote.currency == pricing.currency
            and quote.billing_name == details.legal_name.strip()[:200]
            and quote.billing_country == details.country.upper()
            and quote.po_number == details.po_number.strip()[:60]
            and sorted((line.plan_id, line.quantity) for line in quote.lines) == wanted
        ):
            return quote
    return None


def quote_for_user(quote_id: int, user: User) -> Quote:
    """The user's own quote; another person's quote is "not found"."""
    quote = db.session.get(Quote, quote_id)
    if quote is None or quote.user_id != user.id:
        raise QuoteNotFound("We couldn't find that quote among yours.")
    return quote


def expire_if_due(quote: Quote, now: datetime | None = None) -> bool:
    """Mark ``quote`` expired when its validity date has passed (writes; used on read)."""
    now = now or utcnow()
    if not quote.is_past_validity(now):
        return False
    quote.status = "expired"
    quote.expired_at = now
    db.session.flush()
    return True


def expire_due_quotes(now: datetime | None = None) -> int:
    """Expire every open quote past its validity date (the scheduled job). Returns how many."""
    now = now or utcnow()
    result = db.session.execute(
        update(Quote)
        .where(Quote.status.in_(OPEN_STATUSES), Quote.valid_until <= now)
        .values(status="expired", expired_at=now),
        execution_options={"synchronize_session": False},
    )
    return result.rowcount or 0


def open_quote(quote: Quote, viewer: User, actor: Actor | None) -> Quote:
    """The buyer opens their quote. Writes on purpose: an expired quote is marked expired,
    and the first view moves "sent" to "viewed" with a ``quote_viewed`` journey event."""
    expire_if_due(quote)
    if quote.user_id == viewer.id and quote.status == "sent":
        quote.status = "viewed"
        quote.viewed_at = utcnow()
        db.session.flush()
        record_event(actor, "quote_viewed", product_of(quote.lines), quote_id=quote.id)
    return quote


def renew_quote(quote: Quote, user: User, *, links: QuoteLinks, actor: Actor | None) -> Quote:
    """A new version of an expired quote at today's prices. Renewing twice gives the same
    new version (``renewed_from_id`` is unique)."""
    lock_row(quote)
    expire_if_due(quote)
    if quote.status != "expired":
        raise CommerceError("Only an expired quote can be renewed.")
    newer = db.session.scalar(select(Quote).where(Quote.renewed_from_id == quote.id))
    if newer is not None:
        return newer
    priced = []
    for line in quote.lines:
        plan = db.session.get(Plan, line.plan_id)
        if plan is None or not plan.is_active or not plan.product.is_active:
            raise CommerceError(
                f"{line.description} can't be bought any more, so this quote can't be renewed. "
                "Ask for a new quote from your cart."
            )
        priced.append(PricedLine(plan, line.quantity))
    details = BillingDetails(
        legal_name=quote.billing_name,
        address=quote.billing_address,
        country=quote.billing_country,
        tax_id=quote.tax_id,
        po_number=quote.po_number,
        business=quote.business,
    )
    renewed = _issue(
        user,
        price_lines(priced, details),
        details,
        links=links,
        number=quote.number,
        version=quote.version + 1,
        renewed_from=quote,
    )
    record_quote_requested(actor, renewed)
    return renewed


def approve_quote(quote: Quote, seller: User) -> Quote:
    """A seller approves a quote above the approval amount: the buyer may now accept it."""
    lock_row(quote)
    if quote.status != "awaiting_approval":
        raise CommerceError(f"Quote {quote.label} is not waiting for approval.")
    if quote.is_past_validity(utcnow()):
        raise CommerceError(f"Quote {quote.label} has expired; the buyer can renew it.")
    quote.status = "sent"
    quote.approved_at = utcnow()
    quote.approved_by_id = seller.id
    db.session.flush()
    return quote


def quotes_for(user: User):
    """The user's quotes, newest first (a select, so the view can paginate)."""
    return select(Quote).where(Quote.user_id == user.id).order_by(Quote.id.desc())


def quotes_of_account(account_id: int):
    return select(Quote).where(Quote.account_id == account_id).order_by(Quote.id.desc())


def quotes_awaiting_approval():
    return select(Quote).where(Quote.status == "awaiting_approval").order_by(Quote.issued_at)


def export_quotes(user: User) -> list[dict]:
    """The user's quotes and acceptances, for their data export."""
    rows = []
    for quote in db.session.scalars(quotes_for(user)):
        acceptance = quote.acceptance
        rows.append(
            {
                "quote": quote.label,
                "status": quote.status,
                "issued_at": quote.issued_at.isoformat(),
                "valid_until": quote.valid_until.isoformat(),
                "total": quote.total,
                "currency": quote.currency,
                "document_sha256": quote.document_sha256,
                "accepted": None
                if acceptance is None
                else {
                    "full_name": acceptance.full_name,
                    "title": acceptance.title,
                    "accepted_at": acceptance.accepted_at.isoformat(),
                    "ip_address": acceptance.ip_address,
                },
            }
        )
    return rows
