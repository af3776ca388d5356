"""A product's plans and their prices: ISO currencies, amounts typed as text, quantity bounds.

Services raise ``CatalogError`` with the field at fault and only ``flush()``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from portal.catalog.services import CatalogError, clean_text
from portal.catalog.staff_services import require, text_field
from portal.extensions import db
from portal.models import BILLING_PERIODS, Plan, Product
from portal.templating import ZERO_DECIMAL

# A single price above ten million (in major units) is a typo, not a deal.
MAX_UNIT_AMOUNT = 1_000_000_000


MAX_QUANTITY = 100_000


# Active ISO 4217 codes. Three-decimal currencies are refused below: money is formatted with
# two (or zero) decimals everywhere in the portal.
ISO_CURRENCIES = frozenset(
    """AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN
    BWP BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP
    GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS
    KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR
    MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF
    SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD
    TZS UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG""".split()  # noqa: SIM905
)


THREE_DECIMAL_CURRENCIES = frozenset({"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"})


@dataclass
class PlanData:
    name: str
    unit_amount: int
    currency: str = "USD"
    billing: str = "monthly"
    per_seat: bool = False
    min_quantity: int = 1
    max_quantity: int = 1
    description: str = ""
    sort_order: int = 0


def currency_digits(currency: str) -> int:
    return 0 if currency.upper() in ZERO_DECIMAL else 2


def check_currency(currency: str | None) -> str:
    code = (currency or "").strip().upper()
    require(
        bool(re.fullmatch(r"[A-Z]{3}", code)) and code in ISO_CURRENCIES,
        "Use a three-letter ISO 4217 currency code, e.g. USD or EUR.",
        "currency",
    )
    require(
        code not in THREE_DECIMAL_CURRENCIES,
        f"Prices in {code} (three decimals) are not supported yet.",
        "currency",
    )
    return code


def parse_amount(text: str | None, currency: str) -> int:
    """``"250,000.00"`` in USD → ``25000000`` minor units. Raises ``CatalogError``."""
    digits = currency_digits(currency)
    raw = clean_text(text).replace(",", "").replace("_", "").replace(" ", "")
    require(bool(raw), "Enter a price, e.g. 49.00 (0 for free).", "amount")
    require(len(raw) <= 20, "That price is not a number.", "amount")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise CatalogError("That price is not a number.", field="amount") from None
    require(value.is_finite(), "That price is not a number.", "amount")
    require(value >= 0, "A price cannot be negative.", "amount")
    minor = value * (10**digits)
    require(
        minor == minor.to_integral_value(),
        f"{currency} prices have at most {digits} decimals."
        if digits
        else f"{currency} prices have no decimals.",
        "amount",
    )
    require(
        int(minor) <= MAX_UNIT_AMOUNT, "That price is above the maximum for one plan.", "amount"
    )
    return int(minor)


def format_amount(minor: int, currency: str) -> str:
    """``25000000`` USD → ``"250000.00"`` (for edit forms)."""
    digits = currency_digits(currency)
    return f"{Decimal(minor) / (10**digits):.{digits}f}"


def _validated_plan(data: PlanData) -> dict[str, Any]:
    currency = check_currency(data.currency)
    require(data.billing in BILLING_PERIODS, "Choose one-time, monthly or yearly.", "billing")
    amount = data.unit_amount
    require(
        isinstance(amount, int) and not isinstance(amount, bool),
        "The price must be a whole number of minor units.",
        "amount",
    )
    require(amount >= 0, "A price cannot be negative.", "amount")
    require(amount <= MAX_UNIT_AMOUNT, "That price is above the maximum for one plan.", "amount")
    low, high = data.min_quantity, data.max_quantity
    require(
        isinstance(low, int) and low >= 1, "The minimum quantity is at least 1.", "min_quantity"
    )
    require(
        isinstance(high, int) and high >= low,
        "The maximum quantity cannot be below the minimum.",
        "max_quantity",
    )
    require(
        high <= MAX_QUANTITY, f"The maximum quantity is at most {MAX_QUANTITY:,}.", "max_quantity"
    )
    return {
        "name": text_field(data.name, 80, "Plan name", "name"),
        "description": text_field(
            data.description, 300, "Description", "description", required=False
        ),
        "unit_amount": amount,
        "currency": currency,
        "billing": data.billing,
        "per_seat": bool(data.per_seat),
        "min_quantity": low,
        "max_quantity": high,
        "sort_order": int(data.sort_order or 0),
    }


def add_plan(product: Product, data: PlanData) -> Plan:
    plan = Plan(product=product, **_validated_plan(data))
    db.session.add(plan)
    db.session.flush()
    return plan


def update_plan(plan: Plan, data: PlanData) -> Plan:
    """Change a plan. Orders keep the price they were placed at (order lines copy it)."""
    for key, value in _validated_plan(data).items():
        setattr(plan, key, value)
    db.session.flush()
    return plan


def set_plan_active(plan: Plan, active: bool) -> None:
    plan.is_active = active
    db.session.flush()
