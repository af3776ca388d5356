"""Pricing a quote's lines: today's plan prices and the tax decision for the buyer.

Interim: until the tax module lands, the rate comes from ``TAX_RATES`` and every sale is
treated as domestic.
"""

from __future__ import annotations

from dataclasses import dataclass

from portal.commerce.cart import plan_label, tax_amount
from portal.commerce.errors import CommerceError
from portal.commerce.settings import tax_rate_bp
from portal.models import Plan


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
class LinePricing:
    lines: list[PricedLine]
    currency: str
    subtotal: int
    tax: int
    total: int
    rate_bp: int
    treatment: str
    note: str | None
    vat_id: str | None
    vat_check: str


def price_lines(
    lines: list[PricedLine], country: str, tax_id: str, *, business: bool
) -> LinePricing:
    """Lines at today's prices with the tax for ``country``."""
    currencies = {line.plan.currency for line in lines}
    if len(currencies) != 1:
        raise CommerceError("A quote has one currency: remove the lines in another one.")
    subtotal = sum(line.total for line in lines)
    rate = tax_rate_bp(country)
    tax = tax_amount(subtotal, rate)
    return LinePricing(
        lines=lines,
        currency=currencies.pop(),
        subtotal=subtotal,
        tax=tax,
        total=subtotal + tax,
        rate_bp=rate,
        treatment="domestic",
        note=None,
        vat_id=tax_id.strip() or None,
        vat_check="none",
    )
