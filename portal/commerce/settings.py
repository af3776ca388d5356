"""Commerce settings with their defaults.

Every value can be set as a Flask setting, so in the environment as ``TESTDRIVE_<NAME>``
(Flask parses JSON there: ``TESTDRIVE_TAX_RATES='{"DE": 1900, "FR": 2000}'``). They are read
when needed, never at import time.
"""

from __future__ import annotations

from typing import Any

from flask import current_app

DEFAULTS: dict[str, Any] = {
    # Tax rate per billing country in basis points (1900 = 19 %); countries not listed pay none.
    "TAX_RATES": {
        "AT": 2000,
        "BE": 2100,
        "CH": 810,
        "DE": 1900,
        "DK": 2500,
        "ES": 2100,
        "FR": 2000,
        "GB": 2000,
        "IE": 2300,
        "IT": 2200,
        "NL": 2100,
        "SE": 2500,
        "US": 0,
        "CA": 500,
    },
    # The largest order total (minor units) offered card payment: above it, invoice only.
    "CARD_LIMIT": 99_999_999,
    "QUOTE_VALID_DAYS": 30,
    "PAYMENT_TERMS_DAYS": 30,
    "BANK_DETAILS": (
        "Northwind Analytics GmbH · IBAN DE89 3704 0044 0532 0130 00 · BIC COBADEFFXXX · "
        "Bank: Commerzbank, Hamburg"
    ),
    # The seller on quotes, invoices and credit notes (demo values; set your own).
    "SELLER_LEGAL_NAME": "Northwind Analytics GmbH",
    "SELLER_ADDRESS": "Kaistraße 12\n20457 Hamburg\nGermany",
    "SELLER_VAT_ID": "DE136695976",
    "SELLER_REGISTRATION": "Amtsgericht Hamburg HRB 123456 - Managing director: Jana Nord",
    "SELLER_EMAIL": "sales@northwind.example",
    # Where the quote's terms link points; a relative path is joined to the portal's address.
    "TERMS_URL": "/terms",
    # Quotes above this total (minor units) wait for a seller's approval; None = never.
    "QUOTE_APPROVAL_ABOVE": None,
    "MAX_CART_LINES": 25,
    # Seconds a webhook's signed timestamp may be old (Stripe's default tolerance).
    "STRIPE_WEBHOOK_TOLERANCE": 300,
    "STRIPE_MAX_NETWORK_RETRIES": 2,
    "STRIPE_JS_URL": "https://js.stripe.com/v3/",
}

# Shown in the country selects; the tax table decides the rate.
COUNTRIES = (
    ("AT", "Austria"),
    ("AU", "Australia"),
    ("BE", "Belgium"),
    ("CA", "Canada"),
    ("CH", "Switzerland"),
    ("DE", "Germany"),
    ("DK", "Denmark"),
    ("ES", "Spain"),
    ("FR", "France"),
    ("GB", "United Kingdom"),
    ("IE", "Ireland"),
    ("IN", "India"),
    ("IT", "Italy"),
    ("JP", "Japan"),
    ("NL", "Netherlands"),
    ("NO", "Norway"),
    ("PL", "Poland"),
    ("SE", "Sweden"),
    ("SG", "Singapore"),
    ("US", "United States"),
)
COUNTRY_NAMES = dict(COUNTRIES)


def setting(name: str) -> Any:
    return current_app.config.get(name, DEFAULTS[name])


def tax_rate_bp(country: str | None) -> int:
    """The tax rate for ``country`` in basis points (0 when unknown or not set)."""
    if not country:
        return 0
    rates = setting("TAX_RATES") or {}
    try:
        return max(0, int(rates.get(country.upper(), 0)))
    except (TypeError, ValueError):
        return 0


def stripe_ready() -> bool:
    """Card payments need the secret key (server) and the publishable key (Payment Element)."""
    config = current_app.config
    return bool(config.get("STRIPE_SECRET_KEY") and config.get("STRIPE_PUBLISHABLE_KEY"))
