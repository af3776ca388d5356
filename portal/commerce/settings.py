"""Commerce settings with their defaults.

Every value can be set as a Flask setting, so in the environment as ``TESTDRIVE_<NAME>``
(Flask parses JSON there: ``TESTDRIVE_VIES_ENABLED=true``). They are read
when needed, never at import time.
"""

from __future__ import annotations

from typing import Any

from flask import current_app

DEFAULTS: dict[str, Any] = {
    # Where the vendor is established: decides domestic VAT, reverse charge and export (tax.py).
    "VENDOR_COUNTRY": "DE",
    # The online VAT-id check against EU VIES (vies_gateway.py); off: ids are checked offline.
    "VIES_ENABLED": False,
    "VIES_URL": "https://ec.europa.eu/taxation_customs/vies/rest-api",
    "VIES_TIMEOUT": 5,
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

# Shown in the country selects (every EU member state among them); tax.py decides the rate.
COUNTRIES = (
    ("AU", "Australia"),
    ("AT", "Austria"),
    ("BE", "Belgium"),
    ("BG", "Bulgaria"),
    ("CA", "Canada"),
    ("HR", "Croatia"),
    ("CY", "Cyprus"),
    ("CZ", "Czechia"),
    ("DK", "Denmark"),
    ("EE", "Estonia"),
    ("FI", "Finland"),
    ("FR", "France"),
    ("DE", "Germany"),
    ("GR", "Greece"),
    ("HU", "Hungary"),
    ("IN", "India"),
    ("IE", "Ireland"),
    ("IT", "Italy"),
    ("JP", "Japan"),
    ("LV", "Latvia"),
    ("LT", "Lithuania"),
    ("LU", "Luxembourg"),
    ("MT", "Malta"),
    ("NL", "Netherlands"),
    ("NO", "Norway"),
    ("PL", "Poland"),
    ("PT", "Portugal"),
    ("RO", "Romania"),
    ("SG", "Singapore"),
    ("SK", "Slovakia"),
    ("SI", "Slovenia"),
    ("ES", "Spain"),
    ("SE", "Sweden"),
    ("CH", "Switzerland"),
    ("GB", "United Kingdom"),
    ("US", "United States"),
)
COUNTRY_NAMES = dict(COUNTRIES)


def setting(name: str) -> Any:
    return current_app.config.get(name, DEFAULTS[name])


def stripe_ready() -> bool:
    """Card payments need the secret key (server) and the publishable key (Payment Element)."""
    config = current_app.config
    return bool(config.get("STRIPE_SECRET_KEY") and config.get("STRIPE_PUBLISHABLE_KEY"))
