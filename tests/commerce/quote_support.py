"""Helpers for the quote tests: request a quote through the form, read it back, accept it."""

from __future__ import annotations

import re

from sqlalchemy import select

from portal.extensions import db
from portal.models import Quote

# A German business without a VAT id: domestic sale at 19 % for a German vendor.
COMPANY = {
    "legal_name": "Kontor Logistik GmbH",
    "address": "Speicherstadt 5\n20457 Hamburg",
    "country": "DE",
    "tax_id": "",
    "po_number": "PR-2291",
    "business": "y",
}
SIGNER = {"full_name": "Dana Schmidt", "title": "Head of Procurement", "authorised": "y"}


def request(client, **fields):
    return client.post("/quotes/new", data={**COMPANY, **fields})


def latest_quote(app) -> Quote:
    with app.app_context():
        quote = db.session.scalars(select(Quote).order_by(Quote.id.desc())).first()
        db.session.expunge(quote)
        return quote


def quote_id_of(response) -> int:
    return int(re.search(r"/quotes/(\d+)$", response.headers["Location"]).group(1))


def accept(client, quote, method: str = "invoice", **fields):
    data = {**SIGNER, "payment_method": method, "document_sha256": quote.document_sha256}
    data.update(fields)
    environ = {"REMOTE_ADDR": "203.0.113.7"}
    return client.post(f"/quotes/{quote.id}", data=data, environ_base=environ)
