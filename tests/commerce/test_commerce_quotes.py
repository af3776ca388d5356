"""Quotes from the cart: requested without ordering, read, accepted online into one order,
expired, renewed, approved. Runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import hashlib
import io
from datetime import UTC, datetime, timedelta

from pypdf import PdfReader
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Deal, Event, Order, Plan, Quote, QuoteAcceptance
from tests.commerce.quote_support import COMPANY, accept, latest_quote, quote_id_of, request
from tests.commerce.support import add
from tests.conftest import AuthActions

# Two Team seats at $49.00, sold by a German vendor to a German business: 19 % VAT.
SUBTOTAL = 2 * 4900
TAX = (SUBTOTAL * 19 + 50) // 100
TOTAL = SUBTOTAL + TAX


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def _events(app, kind: str) -> list[dict]:
    with app.app_context():
        return [e.props for e in db.session.scalars(select(Event).where(Event.kind == kind))]


def _pdf_text(data: bytes) -> str:
    """The PDF's words with line breaks as spaces (wrapping is the layout's business)."""
    pages = PdfReader(io.BytesIO(data)).pages
    return " ".join(" ".join(page.extract_text() for page in pages).split())


def test_request_a_quote_leaves_the_cart_and_places_no_order(buyer_client, plan_id, app):
    add(buyer_client, plan_id, "2")
    form = buyer_client.get("/quotes/new")
    assert form.status_code == 200 and "Request a quote" in form.text
    response = request(buyer_client)
    assert response.status_code == 302
    quote = latest_quote(app)
    assert quote_id_of(response) == quote.id
    assert (quote.version, quote.status, quote.currency) == (1, "sent", "USD")
    assert (quote.subtotal, quote.tax, quote.total) == (SUBTOTAL, TAX, TOTAL)
    assert quote.document_sha256 == hashlib.sha256(quote.document).hexdigest()
    assert (quote.valid_until - quote.issued_at) == timedelta(days=30)
    assert _count(app, Order) == 0
    assert "Request a quote" in buyer_client.get("/cart").text  # the cart still holds the lines
    assert _events(app, "quote_requested") == [
        {
            "quote_id": quote.id,
            "number": quote.number,
            "amount": TOTAL,
            "net": SUBTOTAL,  # the pipeline's value is net of tax
            "currency": "USD",
            "valid_until": quote.valid_until.date().isoformat(),
        }
    ]


def test_a_double_submit_makes_one_quote_and_a_changed_cart_another(buyer_client, plan_id, app):
    add(buyer_client, plan_id, "2")
    first, second = request(buyer_client), request(buyer_client)
    assert quote_id_of(first) == quote_id_of(second)
    assert _count(app, Quote) == 1
    assert len(_events(app, "quote_requested")) == 1
    add(buyer_client, plan_id, "1")  # three seats now: a different quote
    third = request(buyer_client)
    assert quote_id_of(third) != quote_id_of(first)
    assert _count(app, Quote) == 2
    other_po = request(buyer_client, po_number="PR-3000")  # other buyer details: another quote
    assert _count(app, Quote) == 3 and quote_id_of(other_po) != quote_id_of(third)


def test_the_quote_pdf_carries_what_procurement_needs(buyer_client, plan_id, app):
    add(buyer_client, plan_id, "2")
    request(buyer_client)
    quote = latest_quote(app)
    response = buyer_client.get(f"/quotes/{quote.id}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data == quote.document
    text = _pdf_text(response.data)
    for expected in (
        "Quote (non-binding)",
        quote.label,
        "Northwind Analytics GmbH",  # seller legal name, address, VAT id, bank
        "Kaistraße 12",
        "DE136695976",
        "IBAN DE89 3704 0044 0532 0130 00",
        "Kontor Logistik GmbH",  # buyer
        "Speicherstadt 5",
        "PR-2291",
        "Pipeline Lens - Team",
        "USD 98.00",
        "VAT (19 %)",
        f"USD {TAX / 100:,.2f}",
        f"USD {TOTAL / 100:,.2f}",
        f"Valid until: {quote.valid_until:%d %B %Y}",
        "Net 30 days",
        app.config["PUBLIC_BASE_URL"] + "/terms",
        f"/quotes/{quote.id}",
        "authorised to sign",
    ):
        assert expected in text, expected


def test_request_form_errors_are_shown_and_nothing_is_made(buyer_client, plan_id, app):
    add(buyer_client, plan_id, "1")
    response = request(buyer_client, legal_name="", country="")
    assert response.status_code == 422
    assert "Enter your company&#39;s legal name." in response.text
    assert "Choose your country." in response.text
    assert _count(app, Quote) == 0


def test_an_empty_cart_cannot_be_quoted(buyer_client, app):
    response = buyer_client.get("/quotes/new")
    assert response.status_code == 302 and response.headers["Location"] == "/cart"
    assert request(buyer_client).status_code == 302
    assert _count(app, Quote) == 0


def test_another_buyers_quote_is_not_found(buyer_client, plan_id, app, make_user):
    add(buyer_client, plan_id, "1")
    request(buyer_client)
    quote = latest_quote(app)
    stranger = app.test_client()
    AuthActions(stranger).login(make_user().email)
    assert stranger.get(f"/quotes/{quote.id}").status_code == 404
    assert stranger.get(f"/quotes/{quote.id}.pdf").status_code == 404
    assert accept(stranger, quote).status_code == 404
    assert stranger.post(f"/quotes/{quote.id}/renew").status_code == 404
    assert _count(app, Order) == 0


def test_first_view_marks_the_quote_viewed_once(buyer_client, plan_id, app):
    add(buyer_client, plan_id, "1")
    request(buyer_client)
    quote = latest_quote(app)
    for _ in range(2):
        page = buyer_client.get(f"/quotes/{quote.id}")
        assert page.status_code == 200 and "Accept this quote" in page.text
    assert latest_quote(app).status == "viewed"
    assert _events(app, "quote_viewed") == [{"quote_id": quote.id}]


def test_accepting_places_one_order_with_a_signed_record(buyer_client, plan_id, app):
    add(buyer_client, plan_id, "2")
    request(buyer_client)
    quote = latest_quote(app)
    first = accept(buyer_client, quote)
    second = accept(buyer_client, quote)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    with app.app_context():
        order = db.session.scalar(select(Order))
        record = db.session.scalar(select(QuoteAcceptance))
        assert first.headers["Location"] == f"/orders/{order.id}/confirmation"
        assert (order.status, order.payment_method) == ("awaiting_payment", "invoice")
        assert (order.subtotal, order.tax, order.total) == (SUBTOTAL, TAX, TOTAL)
        assert [(line.quantity, line.unit_amount) for line in order.lines] == [(2, 4900)]
        assert order.billing_name == COMPANY["legal_name"]
        assert (record.quote_id, record.order_id) == (quote.id, order.id)
        assert (record.full_name, record.title, record.authorised) == (
            "Dana Schmidt",
            "Head of Procurement",
            True,
        )
        assert record.ip_address == "203.0.113.7"
        assert record.document_sha256 == hashlib.sha256(quote.document).hexdigest()
        assert abs(record.accepted_at - datetime.now(UTC)) < timedelta(minutes=1)
    assert _count(app, Order) == 1 and _count(app, QuoteAcceptance) == 1
    assert len(_events(app, "quote_accepted")) == 1 and len(_events(app, "order_placed")) == 1
    assert "already accepted" in buyer_client.get(second.headers["Location"]).text


def test_the_accepted_pdf_appends_a_certificate_to_the_issued_pages(buyer_client, plan_id, app):
    add(buyer_client, plan_id, "1")
    request(buyer_client)
    quote = latest_quote(app)
    accept(buyer_client, quote)
    issued_pages = len(PdfReader(io.BytesIO(quote.document)).pages)
    signed = buyer_client.get(f"/quotes/{quote.id}.pdf").data
    pages = PdfReader(io.BytesIO(signed)).pages
    assert len(pages) == issued_pages + 1
    certificate = pages[-1].extract_text()
    for expected in ("Acceptance certificate", "Dana Schmidt", "Head of Procurement"):
        assert expected in certificate, expected
    assert "203.0.113.7" in certificate and quote.document_sha256 in certificate
    as_issued = buyer_client.get(f"/quotes/{quote.id}.pdf?as_issued=1").data
    assert hashlib.sha256(as_issued).hexdigest() == quote.document_sha256


def test_acceptance_needs_name_title_authority_and_the_shown_document(buyer_client, plan_id, app):
    add(buyer_client, plan_id, "1")
    request(buyer_client)
    quote = latest_quote(app)
    response = accept(buyer_client, quote, full_name="", title="", authorised="")
    assert response.status_code == 422
    for message in (
        "Type your full name to sign.",
        "Enter your title or role.",
        "Confirm that you are authorised to sign.",
    ):
        assert message in response.text
    response = accept(buyer_client, quote, document_sha256="0" * 64)
    assert response.status_code == 422
    assert "the document you were shown" in response.text.replace("&#39;", "'")
    assert _count(app, Order) == 0 and _count(app, QuoteAcceptance) == 0


def _expire(app, quote_id: int) -> None:
    with app.app_context():
        quote = db.session.get(Quote, quote_id)
        quote.valid_until = datetime.now(UTC) - timedelta(minutes=1)
        db.session.commit()


def test_an_expired_quote_cannot_be_accepted_and_renews_at_todays_price(
    buyer_client, plan_id, app, runner
):
    add(buyer_client, plan_id, "2")
    request(buyer_client)
    quote = latest_quote(app)
    _expire(app, quote.id)
    result = runner.invoke(args=["quotes", "expire"])
    assert result.exit_code == 0 and "Expired 1 quote." in result.output
    assert latest_quote(app).status == "expired"

    response = accept(buyer_client, quote)
    assert response.status_code == 409 and "expired" in response.text
    assert _count(app, Order) == 0
    page = buyer_client.get(f"/quotes/{quote.id}")
    assert "Renew at today" in page.text and "Accept and place" not in page.text

    with app.app_context():
        db.session.get(Plan, plan_id).unit_amount = 5500  # the price went up meanwhile
        db.session.commit()
    renewed = buyer_client.post(f"/quotes/{quote.id}/renew")
    again = buyer_client.post(f"/quotes/{quote.id}/renew")
    assert renewed.headers["Location"] == again.headers["Location"]
    new = latest_quote(app)
    assert (new.number, new.version, new.status) == (quote.number, 2, "sent")
    assert new.renewed_from_id == quote.id and new.subtotal == 2 * 5500
    assert new.valid_until > datetime.now(UTC) + timedelta(days=29)
    assert _count(app, Quote) == 2
    assert accept(buyer_client, new).status_code == 302
    assert _count(app, Order) == 1


def test_a_quote_expires_on_read_without_the_job(buyer_client, plan_id, app):
    add(buyer_client, plan_id, "1")
    request(buyer_client)
    quote = latest_quote(app)
    _expire(app, quote.id)
    page = buyer_client.get(f"/quotes/{quote.id}")
    assert "can no longer be accepted" in page.text
    assert latest_quote(app).status == "expired"


def test_big_quotes_wait_for_a_sellers_approval(buyer_client, seller_client, plan_id, app):
    app.config["QUOTE_APPROVAL_ABOVE"] = 5000  # $50.00
    add(buyer_client, plan_id, "2")
    request(buyer_client)
    quote = latest_quote(app)
    assert quote.status == "awaiting_approval" and quote.needs_approval
    assert "Awaiting approval" in buyer_client.get(f"/quotes/{quote.id}").text
    refused = accept(buyer_client, quote)
    assert refused.status_code == 422 and "awaiting approval" in refused.text
    assert _count(app, Order) == 0

    waiting = seller_client.get("/seller/quotes")
    assert quote.label in waiting.text
    approved = seller_client.post(f"/seller/quotes/{quote.id}/approve")
    assert approved.status_code == 302
    with app.app_context():
        stored = db.session.get(Quote, quote.id)
        assert stored.status == "sent" and stored.approved_by_id == seller_client.user.id
    assert accept(buyer_client, quote).status_code == 302
    assert _count(app, Order) == 1


def test_buyers_cannot_approve(buyer_client, plan_id, app):
    app.config["QUOTE_APPROVAL_ABOVE"] = 0
    add(buyer_client, plan_id, "1")
    request(buyer_client)
    quote = latest_quote(app)
    assert buyer_client.post(f"/seller/quotes/{quote.id}/approve").status_code in (403, 404)
    assert latest_quote(app).status == "awaiting_approval"


def test_a_french_business_quote_is_reverse_charged_with_the_note(buyer_client, plan_id, app):
    add(buyer_client, plan_id, "2")
    response = request(
        buyer_client, legal_name="Société Lyon SA", country="FR", tax_id="FR 40 303 265 045"
    )
    assert response.status_code == 302
    quote = latest_quote(app)
    assert (quote.tax_treatment, quote.tax_rate_bp, quote.tax) == ("reverse_charge", 0, 0)
    assert quote.total == SUBTOTAL and quote.tax_id == "FR40303265045"
    text = _pdf_text(quote.document)
    assert "Reverse charge: VAT to be accounted for by the recipient" in text
    assert "checked offline only" in text and "VAT id: FR40303265045" in text
    accept(buyer_client, quote)
    with app.app_context():
        order = db.session.scalar(select(Order))
        assert (order.total, order.tax_treatment) == (SUBTOTAL, "reverse_charge")
        assert order.tax_note == "Reverse charge: VAT to be accounted for by the recipient"


def test_a_quote_with_a_broken_vat_id_is_refused_on_the_field(buyer_client, plan_id, app):
    add(buyer_client, plan_id, "1")
    response = request(buyer_client, country="FR", tax_id="FR40303265046")
    assert response.status_code == 422
    assert "is not a valid VAT id" in response.text and 'id="tax_id-error"' in response.text
    assert _count(app, Quote) == 0


def test_an_american_company_pays_no_vat_on_its_quote(buyer_client, plan_id, app):
    add(buyer_client, plan_id, "2")
    request(buyer_client, country="US", address="1 Main St\nBoston MA")
    quote = latest_quote(app)
    assert (quote.tax_treatment, quote.tax, quote.total) == ("export", 0, SUBTOTAL)


def test_sellers_see_quote_status_on_the_deal_and_approve_there(
    buyer_client, seller_client, plan_id, app
):
    app.config["QUOTE_APPROVAL_ABOVE"] = 0
    add(buyer_client, plan_id, "1")
    request(buyer_client)
    quote = latest_quote(app)
    with app.app_context():
        deal_id = db.session.scalar(select(Deal.id).where(Deal.account_id == quote.account_id))
    deal_url = f"/seller/deals/{deal_id}"
    page = seller_client.get(deal_url)
    assert (
        'data-quote-status="awaiting_approval"' in page.text
        and f"Approve {quote.label}" in page.text
    )
    approved = seller_client.post(f"/seller/quotes/{quote.id}/approve", data={"next": deal_url})
    assert approved.headers["Location"] == deal_url
    assert 'data-quote-status="sent"' in seller_client.get(deal_url).text
    buyer_client.get(f"/quotes/{quote.id}")
    assert 'data-quote-status="viewed"' in seller_client.get(deal_url).text
    accept(buyer_client, quote)
    assert 'data-quote-status="accepted"' in seller_client.get(deal_url).text
    _expire(app, quote.id)  # an accepted quote never expires
    assert 'data-quote-status="accepted"' in seller_client.get(deal_url).text


def test_quotes_list_and_deal_show_expiry_before_the_job_runs(
    buyer_client, seller_client, plan_id, app
):
    add(buyer_client, plan_id, "1")
    request(buyer_client)
    quote = latest_quote(app)
    assert 'href="/quotes"' in buyer_client.get("/orders").text
    _expire(app, quote.id)
    with app.app_context():
        deal_id = db.session.scalar(select(Deal.id).where(Deal.account_id == quote.account_id))
    assert 'data-quote-status="expired"' in seller_client.get(f"/seller/deals/{deal_id}").text
    assert latest_quote(app).status == "sent"  # the seller's read wrote nothing
    listed = buyer_client.get("/quotes")
    assert quote.label in listed.text and "<td>Expired</td>" in listed.text


def test_accepting_to_pay_by_card_leads_to_the_payment_page(
    buyer_client, seller_client, plan_id, app, stripe_config
):
    add(buyer_client, plan_id, "1")
    request(buyer_client)
    quote = latest_quote(app)
    assert seller_client.get(f"/quotes/{quote.id}.pdf").data == quote.document
    response = accept(buyer_client, quote, method="card")
    with app.app_context():
        order = db.session.scalar(select(Order))
        assert (order.payment_method, order.status) == ("card", "pending")
    assert response.headers["Location"] == f"/orders/{order.id}/pay"
