"""The journey events commerce records about orders and quotes, each payload built here once
(checkout and an accepted quote both place orders; a quote is requested or renewed). The
pipeline reads ``amount`` (gross), ``net`` and ``currency`` from them for the deal value."""

from __future__ import annotations

from portal.commerce.orders import product_of
from portal.journey.services import Actor, record_event
from portal.models import Order, Quote


def _money(document: Order | Quote) -> dict:
    return {"amount": document.total, "net": document.subtotal, "currency": document.currency}


def record_order_placed(actor: Actor | None, order: Order, method: str) -> None:
    record_event(
        actor,
        "order_placed",
        product_of(order.lines),
        order_id=order.id,
        number=order.number,
        method=method,
        **_money(order),
    )


def record_quote_requested(actor: Actor | None, quote: Quote) -> None:
    """A new quote or a renewed version of one."""
    record_event(
        actor,
        "quote_requested",
        product_of(quote.lines),
        quote_id=quote.id,
        number=quote.number,
        valid_until=quote.valid_until.date().isoformat(),
        **_money(quote),
    )


def record_quote_accepted(actor: Actor | None, quote: Quote, order: Order) -> None:
    record_event(
        actor,
        "quote_accepted",
        product_of(order.lines),
        quote_id=quote.id,
        number=quote.number,
        order_id=order.id,
        **_money(order),
    )
