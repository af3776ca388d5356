"""Pricing a quote: today's plan prices and the VAT decision, in one shape for issuing.

A quote from the cart is priced by ``pricing.price_cart`` (the one pricing of cart, review,
order and quote). A renewal has no cart — its lines come from the expired version — so it is
priced line by line at today's plan prices with the same ``tax.decide_tax`` and
``tax.tax_amount`` that ``price_cart`` uses.
"""

from __future__ import annotations

from dataclasses import dataclass

from portal.commerce.cart import plan_label
from portal.commerce.checkout import BillingDetails, price_for
from portal.commerce.errors import CommerceError
from portal.commerce.pricing import vendor_country
from portal.commerce.tax import TaxDecision, decide_tax, tax_amount
from portal.models import Cart, Plan


@dataclass(frozen=True)
class PricedLine:
    plan: Plan
    quantity: int

    @property
    def unit_amount(self) -> int:
        return self.plan.unit_amount

    @property
    def total(self) -> int:
        return self.plan.unit_amount * self.quantity

    @property
    def label(self) -> str:
        return plan_label(self.plan)


@dataclass(frozen=True)
class QuotePricing:
    lines: list[PricedLine]
    currency: str
    subtotal: int
    tax: int
    total: int
    decision: TaxDecision


def _one_currency(currencies: set[str | None]) -> str:
    if len(currencies) != 1 or None in currencies:
        raise CommerceError("A quote has one currency: remove the lines in another one.")
    return next(iter(currencies))


def price_cart_for_quote(cart: Cart | None, details: BillingDetails) -> QuotePricing:
    """The cart priced for these buyer details (raises ``InvalidVatId`` on a bad VAT id)."""
    pricing = price_for(cart, details)
    if pricing.is_empty:
        raise CommerceError("Your cart is empty: add a plan before asking for a quote.")
    if pricing.unavailable_lines:
        names = ", ".join(line.label for line in pricing.unavailable_lines)
        raise CommerceError(f"{names} can't be bought any more. Remove it from your cart.")
    currency = _one_currency({line.plan.currency for line in pricing.lines})
    return QuotePricing(
        lines=[PricedLine(line.plan, line.quantity) for line in pricing.lines],
        currency=currency,
        subtotal=pricing.subtotal,
        tax=pricing.tax,
        total=pricing.total,
        decision=pricing.decision,
    )


def price_lines(lines: list[PricedLine], details: BillingDetails) -> QuotePricing:
    """``lines`` at today's prices with the VAT for these buyer details (renewals)."""
    currency = _one_currency({line.plan.currency for line in lines})
    decision = decide_tax(
        vendor_country(),
        details.country,
        vat_id=details.tax_id or None,
        business=details.business,
    )
    subtotal = sum(line.total for line in lines)
    tax = tax_amount(subtotal, decision.rate_bp)
    return QuotePricing(
        lines=lines,
        currency=currency,
        subtotal=subtotal,
        tax=tax,
        total=subtotal + tax,
        decision=decision,
    )
