"""The quote, its acceptance certificate, the pro-forma invoice, the invoice and the credit
note read well: their text comes out of the PDF in reading order, and table headings, cells,
totals and body text are dark ink on a light background (measured on the rendered page)."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from tests.pdf_checks import assert_legible, in_reading_order, pdf_text, require_poppler
from tests.pdf_samples import SIGNER, build_samples


@pytest.fixture
def samples(db):
    require_poppler()
    return build_samples()


def test_the_quote_reads_in_order_and_every_table_is_dark_on_light(samples):
    pdf = samples["quote"]
    text = pdf_text(pdf)
    assert in_reading_order(
        text,
        [
            "Northwind Analytics GmbH",
            "Quote (non-binding)",
            "Valid until",
            "Société Lyon Distribution SA",
            "Item",
            "Pipeline Lens - Starter",
            "Subtotal",
            "Total",
            "Tax treatment",
            "Reverse charge: VAT to be accounted for by the recipient",
            "Payment terms",
            "IBAN DE89",
            "Terms and validity",
            "https://portal.example/terms",
            "Acceptance",
            "Signature",
        ],
    ), text
    assert_legible(pdf, ["Item", "Qty", "Amount", "Pipeline", "Subtotal", "Reverse", "Amtsgericht"])


def test_the_accepted_quote_keeps_its_pages_and_adds_a_legible_certificate(samples):
    issued, accepted = samples["quote"], samples["quote-accepted"]
    issued_pages = len(PdfReader(io.BytesIO(issued)).pages)
    assert len(PdfReader(io.BytesIO(accepted)).pages) == issued_pages + 1
    certificate = pdf_text(accepted).split("\f")[issued_pages]
    name, title = SIGNER
    assert in_reading_order(
        certificate,
        ["Acceptance certificate", f"Accepted by: {name}", f"Title: {title}", "203.0.113.7"],
    ), certificate
    assert_legible(accepted, ["Acceptance", "Camille", "203.0.113.7"])


@pytest.mark.parametrize(
    ("name", "phrases", "words"),
    [
        (
            "order-pro-forma",
            ["Quote / pro-forma invoice", "Valid until", "Bill to", "Item", "Total", "net 30 days"],
            ["Item", "Unit", "Pipeline", "Subtotal"],
        ),
        (
            "invoice",
            ["Invoice", "Paid on", "Bill to", "Item", "Total", "Paid - thank you."],
            ["Item", "Amount", "Pipeline", "Total"],
        ),
        (
            "credit-note",
            ["Credit note", "Credits invoice", "Bought twice", "Item", "Total credited", "Refund"],
            ["Item", "Credited", "Pipeline"],
        ),
    ],
)
def test_order_documents_share_the_layout_and_read_well(samples, name, phrases, words):
    pdf = samples[name]
    text = pdf_text(pdf)
    assert in_reading_order(text, ["Northwind Analytics GmbH", *phrases]), text
    assert "Société Lyon Distribution SA" in text and "Amtsgericht Hamburg" in text
    assert_legible(pdf, words)
