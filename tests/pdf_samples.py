"""Every PDF the portal produces, built from demo data: the legibility tests read them, and a
person can look at them as images.

    python -m tests.pdf_samples build/pdf-samples     # or: make pdf-samples

writes each document as ``<name>.pdf`` and its pages as ``<name>-<page>.png`` (pdftoppm, from
Debian's ``poppler-utils``).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from sqlalchemy import select

from portal.auth.services import create_user
from portal.catalog.seed import seed_catalog
from portal.catalog.sheet import build_product_sheet
from portal.commerce.acceptance import Signature, accept_quote
from portal.commerce.cart import add_to_cart
from portal.commerce.checkout import BillingDetails
from portal.commerce.documents import credit_note_pdf, order_pdf
from portal.commerce.orders import mark_order_paid, refund_order
from portal.commerce.quote_document import accepted_quote_pdf
from portal.commerce.quotes import QuoteLinks, request_quote
from portal.extensions import db
from portal.journey.owners import user_key
from portal.models import Plan, Product

BUYER = BillingDetails(
    legal_name="Société Lyon Distribution SA",
    address="12 rue de la République\n69002 Lyon",
    country="FR",
    tax_id="FR40303265045",
    po_number="PR-2291",
)
SIGNER = ("Camille Martin", "Directrice des achats")


def build_samples() -> dict[str, bytes]:
    """All documents, as PDF bytes by name (needs an app context and an empty database)."""
    seed_catalog()
    products = db.session.scalars(select(Product).order_by(Product.sort_order)).all()
    samples = {
        f"sheet-{product.slug}": build_product_sheet(product, "Northwind Analytics", "http://x")
        for product in products
    }
    buyer = create_user("camille@lyon-distribution.example", "correct-horse-battery")
    admin = create_user("admin@northwind.example", "correct-horse-battery", role="admin")
    plans = db.session.scalars(
        select(Plan).where(Plan.currency == "USD", Plan.max_quantity > 1).order_by(Plan.id)
    ).all()[:2]
    for plan in plans:
        add_to_cart(user_key(buyer.id), plan.id, plan.min_quantity + 2, None)
    links = QuoteLinks(base_url="https://portal.example", terms_url="/terms")
    quote = request_quote(buyer, user_key(buyer.id), BUYER, links=links, actor=None)
    samples["quote"] = quote.document
    signature = Signature(*SIGNER, True, quote.document_sha256, "203.0.113.7")
    order, _ = accept_quote(quote, buyer, signature, "invoice", actor=None)
    db.session.refresh(quote)
    samples["quote-accepted"] = accepted_quote_pdf(quote)
    samples["order-pro-forma"] = order_pdf(order)
    mark_order_paid(order, admin, "TRANSFER-9")
    samples["invoice"] = order_pdf(order)
    refund_order(order, admin, "Bought twice")
    samples["credit-note"] = credit_note_pdf(order)
    db.session.commit()
    return samples


def to_png(pdf: Path, prefix: Path, dpi: int = 80) -> list[Path]:
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(pdf), str(prefix)], check=True)
    return sorted(prefix.parent.glob(f"{prefix.name}-*.png"))


def main(out: str) -> None:
    from portal import create_app

    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "pdf-samples",
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/samples.sqlite3",
                "CATALOG_FILES": f"{tmp}/files",
                "SANDBOX_STORE": f"{tmp}/sandbox",
                "MAIL_OUTBOX": f"{tmp}/outbox",
            }
        )
        with app.app_context():
            db.create_all()
            samples = build_samples()
    for name, data in samples.items():
        pdf = folder / f"{name}.pdf"
        pdf.write_bytes(data)
        for png in to_png(pdf, folder / name):
            print(png)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "build/pdf-samples")
