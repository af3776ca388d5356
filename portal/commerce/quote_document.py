"""The quote PDF and its acceptance certificate, on the shared document layout.

The quote's bytes are rendered once, when it is issued, and stored: the buyer reads, hashes
and signs exactly those bytes. After acceptance the downloadable PDF is those same pages with
a certificate page appended (``accepted_quote_pdf``), so the signed pages stay byte-identical.
"""

from __future__ import annotations

import io

from pypdf import PdfReader, PdfWriter

from portal.commerce import layout
from portal.commerce.documents import seller_lines
from portal.commerce.layout import amount, day
from portal.models import Quote, QuoteAcceptance

TREATMENTS = {
    "domestic": "Domestic sale: VAT charged at the rate of the seller's country.",
    "reverse_charge": "Intra-EU business sale: no VAT charged (reverse charge).",
    "eu_consumer": "Sale to a consumer in the EU: VAT at the rate of the buyer's country.",
    "export": "Sale outside the EU: no VAT charged (export).",
}
VAT_CHECKS = {
    "vies": "VAT id confirmed online with the EU VIES service.",
    "offline": "VAT id checked offline only (format and check digits).",
    "none": "",
}


def absolute(base_url: str, path: str) -> str:
    return path if "://" in path else f"{base_url.rstrip('/')}/{path.lstrip('/')}"


def tax_paragraphs(quote: Quote) -> list[str]:
    """The tax treatment in plain words, with the note the law asks for (reverse charge)."""
    lines = [TREATMENTS.get(quote.tax_treatment, quote.tax_treatment)]
    if quote.tax_note:
        lines.append(quote.tax_note)
    check = VAT_CHECKS.get(quote.vat_check, "") if quote.tax_id else ""
    if check:
        lines.append(check)
    return lines


def quote_pdf(quote: Quote, *, base_url: str, terms_url: str) -> bytes:
    """The quote as issued: seller, buyer, lines, tax treatment, validity, payment terms,
    terms link and an acceptance block."""
    seller = layout.Seller.from_settings()
    pdf = layout.start("Quote (non-binding)", quote.label, seller, quote.issued_at)
    facts = [
        ("Quote", quote.label),
        ("Date", day(quote.issued_at)),
        ("Valid until", day(quote.valid_until)),
    ]
    if quote.version > 1:
        previous = f"{quote.number} v{quote.version - 1}"
        facts.append(("Replaces", f"{previous} (renewed at today's prices)"))
    if quote.po_number:
        facts.append(("Your reference", quote.po_number))
    layout.facts(pdf, facts)
    extra = []
    if quote.contact_email:
        who = f"{quote.contact_name} <{quote.contact_email}>" if quote.contact_name else ""
        extra.append(f"Contact: {who or quote.contact_email}")
    buyer = layout.buyer_lines(
        quote.billing_name, quote.billing_address, quote.billing_country, quote.tax_id, extra
    )
    layout.parties(pdf, ("From", seller_lines(seller)), ("Prepared for", buyer))

    width = pdf.epw
    layout.table(
        pdf,
        ("Item", "Qty", "Unit price", "Amount"),
        [
            (
                line.description,
                str(line.quantity),
                amount(line.unit_amount, quote.currency),
                amount(line.total, quote.currency),
            )
            for line in quote.lines
        ],
        (width * 0.5, width * 0.1, width * 0.2, width * 0.2),
        ("LEFT", "RIGHT", "RIGHT", "RIGHT"),
    )
    layout.totals(
        pdf,
        [
            ("Subtotal", amount(quote.subtotal, quote.currency), False),
            (f"VAT ({quote.tax_rate_bp / 100:g} %)", amount(quote.tax, quote.currency), False),
            ("Total", amount(quote.total, quote.currency), True),
        ],
    )
    layout.section(pdf, "Tax treatment", tax_paragraphs(quote))
    layout.section(
        pdf,
        "Payment terms",
        [
            f"Net {quote.payment_terms_days} days from the order date, by bank transfer, "
            "or by card where offered when you accept.",
            f"Bank details: {seller.bank_details}",
        ],
    )
    quote_url = absolute(base_url, f"/quotes/{quote.id}")
    layout.section(
        pdf,
        "Terms and validity",
        [
            f"This quote is non-binding and valid until {day(quote.valid_until)}. Prices are "
            f"fixed until then. Our terms of sale apply: {absolute(base_url, terms_url)}",
        ],
    )
    layout.section(
        pdf,
        "Acceptance",
        [
            f"Accept online at {quote_url}: type your full name and title and confirm that "
            "you are authorised to sign. Acceptance places the order; we record the time, your "
            "IP address and the SHA-256 fingerprint of this document.",
            "Or sign here and send this page to us:",
        ],
    )
    layout.signature_lines(pdf, ("Full name and title", "Date", "Signature"))
    return layout.finish(pdf)


def certificate_pdf(quote: Quote, acceptance: QuoteAcceptance) -> bytes:
    """One page that records the online acceptance of ``quote``."""
    seller = layout.Seller.from_settings()
    pdf = layout.start("Acceptance certificate", quote.label, seller, acceptance.accepted_at)
    layout.facts(
        pdf,
        [
            ("Quote", quote.label),
            ("Accepted by", acceptance.full_name),
            ("Title", acceptance.title),
            ("Company", quote.billing_name),
            ("Authorised", "Yes, confirmed" if acceptance.authorised else "No"),
            ("Accepted at", acceptance.accepted_at.strftime("%d %B %Y, %H:%M:%S UTC")),
            ("IP address", acceptance.ip_address),
            ("E-mail", acceptance.email or "-"),
            ("Total", amount(quote.total, quote.currency)),
        ],
        label_width=34,
    )
    layout.section(
        pdf,
        "Document accepted",
        [
            "SHA-256 of the quote PDF accepted (the pages before this one, as issued):",
            acceptance.document_sha256,
            "To verify, compute the SHA-256 of the issued quote PDF (pages 1 to "
            f"{_page_count(quote.document)} as a file of their own, downloadable from the "
            "quote's page) and compare.",
        ],
    )
    return layout.finish(pdf)


def _page_count(document: bytes) -> int:
    return len(PdfReader(io.BytesIO(document)).pages)


def accepted_quote_pdf(quote: Quote) -> bytes:
    """The issued quote's pages followed by the acceptance certificate."""
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(quote.document)))
    writer.append(PdfReader(io.BytesIO(certificate_pdf(quote, quote.acceptance))))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
