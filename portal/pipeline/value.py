"""A deal's value and where it comes from: pure functions over the folded ``DealState``.

The strongest signal wins, net of tax: paid orders (less refunds) > open orders and accepted
quotes > open quotes > the open cart > a fully refunded order ($0) > the cheapest plan of a
product tried. Within a signal the deal keeps one currency: the latest item's, summing the
items in that currency (another currency is never added in silently).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import astuple, dataclass, field
from typing import Any

ORDER_KINDS = frozenset(
    {"order_placed", "order_paid", "order_refunded", "order_cancelled", "quote_requested"}
)
QUOTE_KINDS = frozenset({"quote_requested", "quote_accepted"})
# Strongest first: the order in which ``deal_value`` looks for a value.
SOURCE_KINDS = ("paid", "order", "quote", "cart", "refunded", "tried")


@dataclass(frozen=True)
class DealValue:
    value: int
    currency: str
    source: str  # one of SOURCE_KINDS, or "" (no value yet)
    ref: str = ""  # order or quote number, "" for cart and tried
    ref_id: int | None = None  # order id, quote id or product id (the link target)
    count: int = 0  # items of that signal in that currency
    label: str = "no value yet"  # "open invoice order TD-48"


def _net(props: Mapping[str, Any]) -> int:
    """The net amount an event carries: ``net`` when given, else amount less ``tax``."""
    if props.get("net") is not None:
        return int(props["net"])
    return int(props.get("amount") or 0) - int(props.get("tax") or 0)


def _order_entry(
    key: str, props: Mapping[str, Any], status: str, seq: int, day: str
) -> dict[str, Any]:
    return {
        "at": day,
        "n": str(props.get("number") or f"#{key}"),
        "m": str(props.get("method") or ""),
        "c": str(props.get("currency") or "USD").upper(),
        "net": _net(props),
        "gross": int(props.get("amount") or 0),
        "status": status,
        "refunded": 0,
        "seq": seq,
    }


def apply_cart_and_payments(
    cart: dict[str, int], paid: dict[str, int], kind: str, props: Mapping[str, Any]
) -> None:
    """Fold a cart or payment event into a deal's cart (plan id → quantity) and its paid
    amounts per currency (refunds subtract)."""
    if kind == "cart_item_added" and props.get("plan_id"):
        quantity = int(props.get("quantity") or 1)
        if quantity > 0:
            cart[str(props["plan_id"])] = quantity
        else:
            cart.pop(str(props["plan_id"]), None)
    elif kind == "cart_item_removed" and props.get("plan_id"):
        cart.pop(str(props["plan_id"]), None)
    elif kind == "order_placed":
        cart.clear()  # the cart became an order
    elif kind in ("order_paid", "order_refunded") and props.get("amount") is not None:
        currency = str(props.get("currency") or "USD").upper()
        sign = 1 if kind == "order_paid" else -1
        paid[currency] = paid.get(currency, 0) + sign * int(props["amount"])


def apply_order_event(
    orders: dict[str, dict],
    quotes: dict[str, dict],
    kind: str,
    props: Mapping[str, Any],
    seq: int,
    day: str = "",
) -> None:
    """Fold an order or quote event into the deal's order and quote books (in place).

    ``orders``: {order_id: {at, n, m, c, net, gross, status, refunded, seq}} (``at``: the
    day it was placed, ISO; ``day`` is the event's);
    ``quotes``: {quote number: {id, c, net, status, until, order, seq}} - a renewal keeps the
    number, so it replaces the expired version."""
    if kind == "quote_requested" and props.get("quote_id") is not None:
        number = str(props.get("number") or f"#{props['quote_id']}")
        quotes[number] = {
            "id": int(props["quote_id"]),
            "c": str(props.get("currency") or "USD").upper(),
            "net": _net(props),
            "status": "open",
            "until": props.get("valid_until"),
            "order": None,
            "seq": seq,
        }
        return
    if kind == "quote_accepted":
        for quote in quotes.values():
            if quote["id"] == props.get("quote_id"):
                quote["status"], quote["order"] = "accepted", props.get("order_id")
        return
    key = str(props.get("order_id")) if props.get("order_id") is not None else None
    if key is None:
        return
    order = orders.get(key)
    if kind == "order_placed":
        orders[key] = _order_entry(key, props, "open", seq, day)
    elif order is None:
        if kind == "order_paid":  # paid without a placement this deal saw: count what came in
            orders[key] = _order_entry(key, props, "paid", seq, day)
    elif kind == "order_paid":
        order["status"] = "paid"
    elif kind == "order_cancelled":
        order["status"] = "cancelled"
    elif kind == "order_refunded":
        amount = int(props.get("amount") or 0)
        # A refund is of the gross amount: take the net share of it.
        share = amount * order["net"] // order["gross"] if order["gross"] else amount
        order["refunded"] = min(order["net"], order["refunded"] + share)


def _pick(items: list[tuple[int, str, int, str, int | None]], source: str) -> DealValue | None:
    """The latest item's currency; the sum of the items in that currency.
    Items are (seq, currency, amount, ref, ref_id)."""
    if not items:
        return None
    latest = max(items)
    same = [item for item in items if item[1] == latest[1]]
    total = sum(item[2] for item in same)
    return DealValue(total, latest[1], source, latest[3], latest[4], len(same))


@dataclass
class PriceBook:
    """Plan prices the deal value needs: {plan_id: (amount, currency)} and the cheapest plan
    per product {product_id: (amount, currency)}."""

    plans: dict[int, tuple[int, str]] = field(default_factory=dict)
    cheapest: dict[int, tuple[int, str]] = field(default_factory=dict)


def deal_value(state: Any, prices: PriceBook, default_currency: str) -> DealValue:
    """The value of a folded ``DealState`` (see the module docstring for the order)."""
    cart_lines = [
        (prices.plans[int(plan_id)][0] * quantity, prices.plans[int(plan_id)][1])
        for plan_id, quantity in sorted(state.cart.items(), key=lambda item: int(item[0]))
        if int(plan_id) in prices.plans
    ]
    tried = [(*prices.cheapest[p], p) for p in state.tried_products if p in prices.cheapest]
    return strongest_value(state.orders, state.quotes, cart_lines, tried, default_currency)


def strongest_value(
    orders: Mapping[str, dict],
    quotes: Mapping[str, dict],
    cart_lines: list[tuple[int, str]],
    tried: list[tuple[int, str, int]],
    default_currency: str,
) -> DealValue:
    """The deal's value from its strongest signal. ``cart_lines``: (line total, currency) in
    plan order; ``tried``: (amount, currency, product id) of each product's cheapest plan."""
    paid, open_orders, refunded = [], [], []
    for key, o in orders.items():
        item = (o["seq"], o["c"], o["net"] - o["refunded"], o["n"], int(key))
        if o["status"] == "paid" and item[2] > 0:
            paid.append(item)
        elif o["status"] == "paid":
            refunded.append((o["seq"], o["c"], 0, o["n"], int(key)))
        elif o["status"] == "open":
            open_orders.append(item)
    known = {int(k) for k in orders}
    for number, q in quotes.items():
        if q["status"] == "accepted" and q["order"] not in known:
            open_orders.append((q["seq"], q["c"], q["net"], number, q["id"]))
    open_quotes = [
        (q["seq"], q["c"], q["net"], number, q["id"])
        for number, q in quotes.items()
        if q["status"] == "open"
    ]
    cart = [(-n, cur, amount, "", None) for n, (amount, cur) in enumerate(cart_lines)]
    for items, source in (
        (paid, "paid"),
        (open_orders, "order"),
        (open_quotes, "quote"),
        (cart, "cart"),
        (refunded, "refunded"),
    ):
        found = _pick(items, source)
        if found is not None:
            method = orders.get(str(found.ref_id), {}).get("m", "") if source == "order" else ""
            label = source_label(source, found.ref, found.count, method)
            return DealValue(*astuple(found)[:6], label=label)
    if tried:
        amount, currency, product_id = min(tried)
        return DealValue(amount, currency, "tried", "", product_id, 1, source_label("tried", "", 1))
    return DealValue(0, default_currency, "")


def value_columns(value: DealValue) -> dict[str, Any]:
    """The Deal columns a value is stored in."""
    return {
        "value": value.value,
        "currency": value.currency,
        "value_source": value.source,
        "value_ref": value.ref,
        "value_ref_id": value.ref_id,
        "value_label": value.label,
    }


def source_label(kind: str, ref: str, count: int, method: str = "") -> str:
    """Words for a value's source: "open invoice order TD-48", "accepted quote Q-7 and 1 more"."""
    more = f" and {count - 1} more" if count > 1 else ""
    if kind == "paid":
        return f"paid order {ref}{more}"
    if kind == "order":
        way = f"{method} " if method else ""
        return f"open {way}order {ref}{more}"
    if kind == "quote":
        return f"open quote {ref}{more}"
    if kind == "cart":
        return "open cart"
    if kind == "refunded":
        return f"refunded order {ref}{more}"
    if kind == "tried":
        return "cheapest plan tried"
    return "no value yet"
