"""The one function that prices a cart: for the cart page, the live checkout totals, the
review step, the placed order and the quote. Figures come from the database's current prices
and ``tax.decide_tax``; nothing comes from the browser but the buyer's choices (country, VAT
id, business or not).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date

from portal.commerce.cart import CartLine, summarize_cart
from portal.commerce.settings import COUNTRY_NAMES, setting
from portal.commerce.tax import InvalidVatId, TaxDecision, decide_tax, tax_amount
from portal.commerce.vies_gateway import check_vat_id, vies_enabled
from portal.models import Cart


@dataclass
class Pricing:
    """A priced cart. ``decision`` is None until a billing country is known (no tax yet)."""

    cart: Cart | None
    lines: list[CartLine] = field(default_factory=list)
    currency: str | None = None
    country: str | None = None
    decision: TaxDecision | None = None
    subtotal: int = 0
    tax: int = 0
    total: int = 0

    @property
    def is_empty(self) -> bool:
        return not self.lines

    @property
    def changed_lines(self) -> list[CartLine]:
        return [line for line in self.lines if line.price_changed]

    @property
    def unavailable_lines(self) -> list[CartLine]:
        return [line for line in self.lines if not line.available]

    @property
    def country_name(self) -> str | None:
        return COUNTRY_NAMES.get(self.country or "", self.country)

    @property
    def tax_rate_bp(self) -> int:
        return self.decision.rate_bp if self.decision else 0

    @property
    def tax_label(self) -> str:
        """'19 % VAT for Germany', 'Reverse charge (0 %)', … for the totals table."""
        decision = self.decision
        if decision is None:
            return "set by the billing country"
        if decision.treatment == "reverse_charge":
            return "reverse charge, 0 %"
        if decision.treatment == "export":
            return f"0 %, export to {self.country_name}"
        return f"{decision.rate_percent} for {self.country_name}"

    def fingerprint(self) -> str:
        """A digest of everything the buyer reviews: equal digests mean an equal charge."""
        decision = self.decision
        facts = {
            "currency": self.currency,
            "lines": [[ln.plan.id, ln.quantity, ln.unit_amount, ln.total] for ln in self.lines],
            "country": self.country,
            "tax": [decision.treatment, decision.rate_bp, decision.vat_id] if decision else None,
            "amounts": [self.subtotal, self.tax, self.total],
        }
        return hashlib.sha256(json.dumps(facts, sort_keys=True).encode()).hexdigest()[:32]


def vendor_country() -> str:
    """Where the vendor is established (config ``VENDOR_COUNTRY``, default DE)."""
    return str(setting("VENDOR_COUNTRY") or "DE").upper()


def price_cart(
    cart: Cart | None,
    *,
    country: str | None,
    vat_id: str | None,
    business: bool,
    today: date | None = None,
) -> Pricing:
    """Lines, subtotal, VAT and total of ``cart`` for a buyer in ``country``.

    Raises ``tax.InvalidVatId`` (field ``tax_id``) for a VAT id that fails its offline check.
    Without a country the tax is not decided yet (``decision`` None, tax 0).
    """
    summary = summarize_cart(cart)
    country = (country or "").strip().upper() or None
    decision = None
    if country:
        decision = decide_tax(
            vendor_country(), country, vat_id=vat_id, business=business, today=today
        )
    tax = tax_amount(summary.subtotal, decision.rate_bp) if decision else 0
    return Pricing(
        cart=cart,
        lines=summary.lines,
        currency=summary.currency,
        country=country,
        decision=decision,
        subtotal=summary.subtotal,
        tax=tax,
        total=summary.subtotal + tax,
    )


def confirm_vat_id(pricing: Pricing) -> Pricing:
    """With VIES on, ask it about the VAT id a reverse charge rests on.

    VIES saying "not registered" refuses the id (``InvalidVatId``); VIES unreachable leaves it
    checked offline only. With VIES off this does nothing.
    """
    decision = pricing.decision
    if not (decision and decision.vat_id and decision.treatment == "reverse_charge"):
        return pricing
    if not vies_enabled():
        return pricing
    answer = check_vat_id(decision.vat_id)
    if answer.registered is False:
        raise InvalidVatId(
            f"The EU VIES service does not list {decision.vat_id} as a registered VAT id. "
            "Check it, or leave the field empty (VAT is then charged).",
            field="tax_id",
        )
    if answer.registered:
        pricing.decision = decision.checked_online()
    return pricing
