"""Where a deal's value comes from, as sellers and the API see it: kind, words and a link."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask import url_for
from sqlalchemy import select

from portal.extensions import db
from portal.models import Deal, Product


@dataclass(frozen=True)
class ValueSource:
    kind: str  # portal.pipeline.value.SOURCE_KINDS, or "" (no value yet)
    label: str  # "open invoice order TD-48"
    url: str | None  # the order, the quote or the product tried; None for the cart

    def as_dict(self) -> dict[str, str | None]:
        return {"kind": self.kind, "label": self.label, "url": self.url}


def value_sources(deals: Iterable[Deal], external: bool = False) -> dict[int, ValueSource]:
    """Each deal's value source by deal id (one query for the products tried, if any)."""
    deals = list(deals)
    tried = {d.value_ref_id for d in deals if d.value_source == "tried" and d.value_ref_id}
    slugs: dict[int, str] = {}
    if tried:
        query = select(Product.id, Product.slug).where(Product.id.in_(tried))
        slugs = {product_id: slug for product_id, slug in db.session.execute(query)}
    return {d.id: _source(d, slugs, external) for d in deals}


def value_source(deal: Deal, external: bool = False) -> ValueSource:
    return value_sources([deal], external)[deal.id]


def _source(deal: Deal, slugs: dict[int, str], external: bool) -> ValueSource:
    kind, ref_id = deal.value_source or "", deal.value_ref_id
    url = None
    if kind in ("paid", "order", "refunded") and ref_id:
        url = url_for("commerce.seller_order", order_id=ref_id, _external=external)
    elif kind == "quote" and ref_id:
        url = url_for("commerce.seller_quotes", _anchor=f"quote-{ref_id}", _external=external)
    elif kind == "tried" and ref_id in slugs:
        url = url_for("catalog.product", slug=slugs[ref_id], _external=external)
    return ValueSource(kind, deal.value_label or ("" if kind else "no value yet"), url)
