"""PDF documents for an order: the pro-forma invoice while unpaid, the invoice once paid, and
the credit note of a refund. All drawn with the shared layout (``portal.commerce.layout``)."""

from __future__ import annotations

from datetime import timedelta

from portal.commerce import layout
from portal.commerce.layout import amount, day
from portal.commerce.settings import setting
from portal.models import Order


def _order_buyer(order: Order) -> list[str]:
    return layout.buyer_lines(
        order.billing_name, order.billing_address, order.billing_country, order.tax_id
    )


def _tax_label(rate_bp: int) -> str:
    return f"Tax ({rate_bp / 100:g} %)"


def order_pdf(order: Order, vendor_name: str | None = None) -> bytes:
    """The pro-forma invoice (unpaid orders) or invoice (paid orders) as PDF bytes."""
    seller = layout.Seller.from_settings()
    is_invoice = order.is_settled
    title = "Invoice" if is_invoice else "Quote / pro-forma invoice"
    pdf = layout.start(title, order.number, seller, order.created_at)
    facts = [("Number", order.number), ("Date", day(order.created_at))]
    if is_invoice and order.paid_at:
        facts.append(("Paid on", day(order.paid_at)))
    else:
        valid_until = order.quote_valid_until or order.created_at + timedelta(
            days=int(setting("QUOTE_VALID_DAYS"))
        )
        facts.append(("Valid until", day(valid_until)))
    if order.po_number:
        facts.append(("Your PO number", order.po_number))
    layout.facts(pdf, facts)
    layout.parties(pdf, ("From", seller_lines(seller)), ("Bill to", _order_buyer(order)))

    width = pdf.epw
    layout.table(
        pdf,
        ("Item", "Qty", "Unit price", "Amount"),
        [
            (
                line.description,
                str(line.quantity),
                amount(line.unit_amount, order.currency),
                amount(line.total, order.currency),
            )
            for line in order.lines
        ],
        (width * 0.5, width * 0.1, width * 0.2, width * 0.2),
        ("LEFT", "RIGHT", "RIGHT", "RIGHT"),
    )
    layout.totals(
        pdf,
        [
            ("Subtotal", amount(order.subtotal, order.currency), False),
            (_tax_label(order.tax_rate_bp), amount(order.tax, order.currency), False),
            ("Total", amount(order.total, order.currency), True),
        ],
    )
    if order.tax_note:  # the tax decision's note: reverse charge, export
        layout.section(pdf, "Tax", [order.tax_note])
    if is_invoice:
        terms = ["Paid - thank you."]
    else:
        terms = [
            f"Payment terms: net {int(setting('PAYMENT_TERMS_DAYS'))} days by bank transfer. "
            f"Please quote {order.number} as the payment reference."
        ]
    layout.section(pdf, "Payment", [*terms, f"Bank details: {seller.bank_details}"])
    return layout.finish(pdf)


def seller_lines(seller: layout.Seller) -> list[str]:
    return [seller.legal_name, *seller.address.splitlines(), f"VAT id: {seller.vat_id}"]


def credit_note_pdf(order: Order, vendor_name: str | None = None) -> bytes:
    """The credit note of a refunded order as PDF bytes: what is credited against which
    invoice, and how the money goes back."""
    seller = layout.Seller.from_settings()
    note = order.credit_note
    pdf = layout.start("Credit note", note.number, seller, note.created_at)
    facts = [
        ("Number", note.number),
        ("Date", day(note.created_at)),
        ("Credits invoice", order.number),
    ]
    if order.po_number:
        facts.append(("Your PO number", order.po_number))
    if note.reason:
        facts.append(("Reason", note.reason))
    layout.facts(pdf, facts)
    layout.parties(pdf, ("From", seller_lines(seller)), ("Credit to", _order_buyer(order)))

    rows = [
        (f"{line.description} x {line.quantity}", "-" + amount(line.total, order.currency))
        for line in order.lines
    ]
    if order.tax:
        rows.append((_tax_label(order.tax_rate_bp), "-" + amount(order.tax, order.currency)))
    layout.table(pdf, ("Item", "Credited"), rows, (pdf.epw * 0.7, pdf.epw * 0.3), ("LEFT", "RIGHT"))
    layout.totals(pdf, [("Total credited", "-" + amount(note.amount, note.currency), True)])
    if note.stripe_refund_id:
        how = "Refunded to the card used for the payment."
    else:
        how = "We pay the amount back by bank transfer to the account it came from."
    layout.section(pdf, "Refund", [how])
    return layout.finish(pdf)
