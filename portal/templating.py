"""Template globals and filters shared by every area."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask

from portal.journey.tracking import consent_state

# Currencies whose minor unit is not 1/100.
ZERO_DECIMAL = {"JPY", "KRW", "CLP", "VND", "ISK", "HUF"}
SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "CHF": "CHF "}


def money(amount_minor: int | None, currency: str = "USD") -> str:
    """12345, 'USD' → '$123.45'. Money is always integer minor units plus a currency."""
    if amount_minor is None:
        return "—"
    currency = (currency or "USD").upper()
    digits = 0 if currency in ZERO_DECIMAL else 2
    value = amount_minor / (10**digits)
    number = f"{abs(value):,.{digits}f}"
    sign = "-" if amount_minor < 0 else ""
    symbol = SYMBOLS.get(currency)
    return f"{sign}{symbol}{number}" if symbol else f"{sign}{number} {currency}"


def money_each(amounts: dict[str, int] | None, empty: str = "$0.00") -> str:
    """{'EUR': 500, 'USD': 1000} → '€5.00 · $10.00': one amount per currency, never summed."""
    if not amounts:
        return empty
    return " · ".join(money(amount, currency) for currency, amount in sorted(amounts.items()))


def timeago(moment: datetime | None) -> str:
    """'3 days ago', 'just now' for the past; 'in 5 hours', 'now' for the future."""
    if moment is None:
        return "never"
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    seconds = int((datetime.now(UTC) - moment).total_seconds())
    future = seconds < 0
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if abs(seconds) >= size:
            n = abs(seconds) // size
            span = f"{n} {unit}{'s' if n != 1 else ''}"
            return f"in {span}" if future else f"{span} ago"
    return "now" if future else "just now"


def register_template_helpers(app: Flask) -> None:
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["money_each"] = money_each
    app.jinja_env.filters["timeago"] = timeago

    @app.context_processor
    def inject_common():
        return {
            "consent": consent_state(),
            "vendor_name": app.config["VENDOR_NAME"],
            "current_year": datetime.now(UTC).year,
        }
