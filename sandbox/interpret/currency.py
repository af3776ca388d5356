"""Currency symbols and ISO 4217 codes, in values and in headers."""

from __future__ import annotations

import re

SYMBOLS = {
    "€": "EUR", "$": "USD", "us$": "USD", "£": "GBP", "¥": "JPY", "₹": "INR", "r$": "BRL",
    "fr.": "CHF", "sfr.": "CHF", "zł": "PLN", "kč": "CZK", "₽": "RUB", "₺": "TRY", "₩": "KRW",
    "c$": "CAD", "a$": "AUD", "ca$": "CAD", "au$": "AUD", "chf": "CHF", "kr": None,
}  # fmt: skip
CODES = frozenset(
    [
        "EUR",
        "USD",
        "GBP",
        "CHF",
        "JPY",
        "CNY",
        "SEK",
        "NOK",
        "DKK",
        "PLN",
        "CZK",
        "HUF",
        "BRL",
        "MXN",
        "CAD",
        "AUD",
        "NZD",
        "INR",
        "RUB",
        "TRY",
        "ZAR",
        "KRW",
        "SGD",
        "HKD",
        "ARS",
        "CLP",
        "COP",
        "PEN",
        "RON",
        "BGN",
        "ISK",
        "ILS",
        "AED",
        "SAR",
        "THB",
        "IDR",
        "MYR",
        "PHP",
    ]
)
# Symbols as they appear inside a header ("Betrag (€)", "Amount in $").
_HEADER_CODE = re.compile(r"(?<![A-Za-z])(" + "|".join(sorted(CODES)) + r")(?![A-Za-z])")
_HEADER_SYMBOL = re.compile(r"(€|£|¥|₹|US\$|R\$|\$)")


def currency_of(text: str) -> str | None | bool:
    """The ISO code of a currency token; False when the token is not a currency."""
    token = text.strip()
    if token.upper() in CODES:
        return token.upper()
    key = token.lower()
    if key in SYMBOLS and SYMBOLS[key]:
        return SYMBOLS[key]
    return False


def header_currency(header: str) -> str | None:
    """The currency a header names: ``Betrag (EUR)``, ``Amount USD``, ``Preis in €``."""
    m = _HEADER_CODE.search(header)
    if m:
        return m.group(1)
    m = _HEADER_SYMBOL.search(header)
    return SYMBOLS.get(m.group(1).lower()) if m else None
