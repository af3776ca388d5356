"""Where a deal's value comes from, as sellers and the API see it: kind, words and a link.

Every source links somewhere a seller can look: an order to its order page, a quote to the
quotes list, a cart and a demo run (the plans tried) to their section of the deal page (a
buyer's cart and trial files are theirs; the seller sees them through the deal). No query.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask import url_for

from portal.links import path_for_ids
from portal.models import Deal

# The deal page's section showing each source that has no page of its own.
DEAL_SECTIONS = {"cart": "cart-h", "tried": "demos-h"}


@dataclass(frozen=True)
class ValueSource:
    kind: str  # portal.pipeline.value.SOURCE_KINDS, or "" (no value yet)
    label: str  # "open invoice order TD-48"
    url: str | None  # the order, the quote, or the deal page's cart or demos; None: no value

    def as_dict(self) -> dict[str, str | None]:
        return {"kind": self.kind, "label": self.label, "url": self.url}


class _Links:
    """The three kinds of link a value source has, built once for a list of deals (a board
    links hundreds): paths by string formatting in the page, full ``url_for`` for the API."""

    def __init__(self, external: bool):
        if external:
            self.order = lambda i: url_for("commerce.seller_order", order_id=i, _external=True)
            self.deal = lambda i: url_for("pipeline.deal", deal_id=i, _external=True)
        else:
            self.order = path_for_ids("commerce.seller_order", "order_id")
            self.deal = path_for_ids("pipeline.deal", "deal_id")
        self.quotes = url_for("commerce.seller_quotes", _external=external)


def value_sources(deals: Iterable[Deal], external: bool = False) -> dict[int, ValueSource]:
    """Each deal's value source by deal id."""
    links = _Links(external)
    return {d.id: value_source(d, external, links) for d in deals}


def value_source(deal: Deal, external: bool = False, links: _Links | None = None) -> ValueSource:
    links = links or _Links(external)
    kind, ref_id = deal.value_source or "", deal.value_ref_id
    url = None
    if kind in ("paid", "order", "refunded") and ref_id:
        url = links.order(ref_id)
    elif kind == "quote" and ref_id:
        url = f"{links.quotes}#quote-{int(ref_id)}"
    elif kind in DEAL_SECTIONS:
        url = f"{links.deal(deal.id)}#{DEAL_SECTIONS[kind]}"
    return ValueSource(kind, deal.value_label or ("" if kind else "no value yet"), url)
