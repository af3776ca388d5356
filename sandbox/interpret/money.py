"""Currency from a currency column: "Amount" beside "Currency" = EUR on every row.

Exports often keep the currency in its own column (Salesforce "Amount Currency", SAP
"Währung", Stripe "Currency" / "Converted Currency", PayPal "Währung"). When such a column
holds one ISO code only, the money columns it belongs to carry that currency: a currency
column named with a qualifier ("Converted Currency") belongs to the money columns sharing
the qualifier ("Converted Amount"), a plain one ("Currency") to the others. A currency
column with several codes gives no currency: those amounts cannot be added up as one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from sandbox.interpret.currency import CODES
from sandbox.interpret.headers import norm
from sandbox.interpret.model import Interpretation
from sandbox.interpret.nulls import NULL_TOKENS

_CURRENCY_WORDS = {"currency", "curr", "ccy", "wahrung", "devise", "moneda", "divisa", "valuta",
                   "moeda", "munt", "code", "iso", "waehrung"}  # fmt: skip
_CURRENCY_HEADER = re.compile(r"currency|\bcurr\b|\bccy\b|wahrung|waehrung|devise|moneda|divisa|"
                              r"valuta|moeda|\bmunt\b")  # fmt: skip
_MONEY_HEADER = re.compile(
    r"amount|price|total|revenue|value|\bcost|\bfee|\btax|\bnet\b|gross|subtotal|discount|"
    r"shipping|balance|refund|betrag|preis|summe|umsatz|netto|brutto|gebuhr|steuer|rabatt|"
    r"guthaben|saldo|wert|montant|prix|importe|precio|importo|prezzo|bedrag|prijs|valor|"
    r"preco|kosten|\bcout|\bttc\b|\bht\b|sales volume|umsatzvolumen"
)


def _words(header: str) -> set[str]:
    return set(re.findall(r"\w+", norm(header)))


def currency_columns(columns: dict[str, Sequence[str | None]], interps: dict) -> list[tuple]:
    """(header, the one ISO code or None) of each text column that holds currency codes."""
    out = []
    for name, interp in interps.items():
        if interp.type != "text" or not _CURRENCY_HEADER.search(norm(name)):
            continue
        codes = set()
        for value in set(columns[name]):
            text = (value or "").strip()
            if text and text.lower() not in NULL_TOKENS:
                codes.add(text.upper())
        if codes and codes <= CODES:
            out.append((name, codes.pop() if len(codes) == 1 else None))
    return out


def _source(name: str, sources: list[tuple]) -> tuple | None:
    words = _words(name)
    for header, code in sources:
        if (_words(header) - _CURRENCY_WORDS) & words:
            return header, code
    plain = [(h, c) for h, c in sources if not (_words(h) - _CURRENCY_WORDS)]
    if len(plain) == 1:
        return plain[0]
    return sources[0] if len(sources) == 1 else None


def table_currencies(
    columns: dict[str, Sequence[str | None]], interps: dict[str, Interpretation]
) -> dict[str, Interpretation]:
    """Money columns without a currency that get one from a currency column of the table."""
    sources = currency_columns(columns, interps)
    if not sources:
        return {}
    out = {}
    for name, interp in interps.items():
        if interp.type not in ("integer", "decimal") or interp.currency or interp.percent:
            continue
        if not _MONEY_HEADER.search(norm(name)):
            continue
        found = _source(name, sources)
        if found and found[1]:
            header, code = found
            note = f" Amounts in {code}, from the column \u201c{header}\u201d."
            out[name] = replace(interp, currency=code, reason=interp.reason + note)
    return out
