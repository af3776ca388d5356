"""PDF documents for an order: the quote / pro-forma invoice, the invoice once paid, and the
credit note of a refund.

Drawn with fpdf2's core fonts, which only know Latin-1: text is made safe for them first.
"""

from __future__ import annotations

from datetime import timedelta

from fpdf import FPDF

from portal.commerce.addresses import address_lines
from portal.commerce.settings import COUNTRY_NAMES, setting
from portal.models import Order
from portal.templating import ZERO_DECIMAL

REPLACEMENTS = {"—": "-", "–": "-", "’": "'", "‘": "'", "“": '"', "”": '"', "…": "...", "·": "-"}


def _safe(text: str) -> str:
    for bad, good in REPLACEMENTS.items():
        text = text.replace(bad, good)
    return text.encode("latin-1", "replace").decode("latin-1")


def _amount(minor: int, currency: str) -> str:
    digits = 0 if currency in ZERO_DECIMAL else 2
    value = minor / (10**digits)
    return f"{currency} {value:,.{digits}f}"


def _document(title: str, number: str, vendor_name: str) -> FPDF:
    pdf = FPDF(format="A4")
    pdf.set_title(f"{title} {number}")
    pdf.set_author(_safe(vendor_name))
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 18)
    pdf.cell(pdf.epw, 10, _safe(title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    pdf.cell(pdf.epw, 6, _safe(f"{vendor_name}"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    return pdf


def _facts(pdf: FPDF, facts: list[tuple[str, str]]) -> None:
    for label, value in facts:
        pdf.set_font("Helvetica", "B", 10)
        pdf.cell(40, 6, _safe(label + ":"))
        pdf.set_font("Helvetica", "", 10)
        pdf.cell(pdf.epw - 40, 6, _safe(value), new_x="LMARGIN", new_y="NEXT")


def _bill_to(pdf: FPDF, order: Order) -> None:
    pdf.ln(4)
    pdf.set_font("Helvetica", "B", 11)
    pdf.cell(pdf.epw, 7, "Bill to", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    bill_to = [order.billing_name, *address_lines(order.billing_address)]
    country = COUNTRY_NAMES.get(order.billing_country, order.billing_country)
    if country:
        bill_to.append(country)
    if order.tax_id:
        bill_to.append(f"Tax / VAT id: {order.tax_id}")
    pdf.multi_cell(pdf.epw, 5, _safe("\n".join(part for part in bill_to if part)))


def order_pdf(order: Order, vendor_name: str) -> bytes:
    """The quote (unpaid orders) or invoice (paid orders) as PDF bytes."""
    is_invoice = order.is_settled
    title = "Invoice" if is_invoice else "Quote / pro-forma invoice"
    issued = order.created_at
    pdf = _document(title, order.number, vendor_name)
    width = pdf.epw
    facts = [
        ("Number", order.number),
        ("Date", issued.strftime("%d %B %Y")),
    ]
    if is_invoice and order.paid_at:
        facts.append(("Paid on", order.paid_at.strftime("%d %B %Y")))
    else:
        valid_until = order.quote_valid_until or issued + timedelta(
            days=int(setting("QUOTE_VALID_DAYS"))
        )
        facts.append(("Valid until", valid_until.strftime("%d %B %Y")))
    if order.po_number:
        facts.append(("Your PO number", order.po_number))
    _facts(pdf, facts)
    _bill_to(pdf, order)

    pdf.ln(4)
    columns = [("Item", width * 0.5), ("Qty", width * 0.1), ("Unit price", width * 0.2)]
    columns.append(("Amount", width - sum(w for _, w in columns)))
    pdf.set_font("Helvetica", "B", 10)
    pdf.set_fill_color(230, 236, 243)
    for i, (label, w) in enumerate(columns):
        pdf.cell(w, 7, label, border=1, fill=True, align="L" if i == 0 else "R")
    pdf.ln()
    pdf.set_font("Helvetica", "", 10)
    for line in order.lines:
        pdf.cell(columns[0][1], 7, _safe(line.description[:60]), border=1)
        pdf.cell(columns[1][1], 7, str(line.quantity), border=1, align="R")
        pdf.cell(columns[2][1], 7, _amount(line.unit_amount, order.currency), border=1, align="R")
        pdf.cell(columns[3][1], 7, _amount(line.total, order.currency), border=1, align="R")
        pdf.ln()
    label_width = width - columns[3][1]
    rate = f"{order.tax_rate_bp / 100:g} %"
    for label, value, bold in (
        ("Subtotal", order.subtotal, False),
        (f"Tax ({rate})", order.tax, False),
        ("Total", order.total, True),
    ):
        pdf.set_font("Helvetica", "B" if bold else "", 10)
        pdf.cell(label_width, 7, label, align="R")
        pdf.cell(columns[3][1], 7, _amount(value, order.currency), border=1, align="R")
        pdf.ln()
    if order.tax_note:
        pdf.set_font("Helvetica", "", 10)
        pdf.multi_cell(width, 6, _safe(order.tax_note), new_x="LMARGIN", new_y="NEXT")

    pdf.ln(6)
    pdf.set_font("Helvetica", "B", 11)
    pdf.cell(width, 7, "Payment", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    if is_invoice:
        terms = "Paid - thank you."
    else:
        terms = (
            f"Payment terms: net {int(setting('PAYMENT_TERMS_DAYS'))} days by bank transfer. "
            f"Please quote {order.number} as the payment reference."
        )
    pdf.multi_cell(width, 5, _safe(terms), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)
    pdf.multi_cell(width, 5, _safe(f"Bank details: {setting('BANK_DETAILS')}"))
    return bytes(pdf.output())


def credit_note_pdf(order: Order, vendor_name: str) -> bytes:
    """The credit note of a refunded order as PDF bytes: what is credited against which
    invoice, and how the money goes back."""
    note = order.credit_note
    pdf = _document("Credit note", note.number, vendor_name)
    facts = [
        ("Number", note.number),
        ("Date", note.created_at.strftime("%d %B %Y")),
        ("Credits invoice", order.number),
    ]
    if order.po_number:
        facts.append(("Your PO number", order.po_number))
    if note.reason:
        facts.append(("Reason", note.reason))
    _facts(pdf, facts)
    _bill_to(pdf, order)

    pdf.ln(4)
    width = pdf.epw
    pdf.set_font("Helvetica", "B", 10)
    pdf.set_fill_color(230, 236, 243)
    pdf.cell(width * 0.7, 7, "Item", border=1, fill=True)
    pdf.cell(width * 0.3, 7, "Credited", border=1, fill=True, align="R")
    pdf.ln()
    pdf.set_font("Helvetica", "", 10)
    for line in order.lines:
        pdf.cell(width * 0.7, 7, _safe(f"{line.description[:60]} x {line.quantity}"), border=1)
        pdf.cell(width * 0.3, 7, "-" + _amount(line.total, order.currency), border=1, align="R")
        pdf.ln()
    if order.tax:
        pdf.cell(width * 0.7, 7, _safe(f"Tax ({order.tax_rate_bp / 100:g} %)"), border=1)
        pdf.cell(width * 0.3, 7, "-" + _amount(order.tax, order.currency), border=1, align="R")
        pdf.ln()
    pdf.set_font("Helvetica", "B", 10)
    pdf.cell(width * 0.7, 7, "Total credited", align="R")
    pdf.cell(width * 0.3, 7, "-" + _amount(note.amount, note.currency), border=1, align="R")
    pdf.ln()

    pdf.ln(6)
    pdf.set_font("Helvetica", "B", 11)
    pdf.cell(width, 7, "Refund", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    if note.stripe_refund_id:
        how = "Refunded to the card used for the payment."
    else:
        how = "We pay the amount back by bank transfer to the account it came from."
    pdf.multi_cell(width, 5, _safe(how))
    return bytes(pdf.output())
