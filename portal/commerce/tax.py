"""VAT: which rate an order pays, and why, for a vendor established in one country.

The rules (EU VAT on electronically supplied services and licences, seen from the vendor):

- buyer in the vendor's own country → the domestic rate (a VAT id changes nothing);
- EU business in *another* member state with a valid VAT id of that state → reverse charge:
  0 %, and the document says "Reverse charge: VAT to be accounted for by the recipient";
- anyone else in the EU (a consumer, or a business without a VAT id) → the destination
  state's standard rate;
- outside the EU → no VAT (export).

A vendor outside the EU charges its own table's domestic rate at home and nothing abroad.
VAT ids are checked offline (format and check digit, ``python-stdnum``); the optional online
check against EU VIES lives in ``vies_gateway.py``. Pure Python: no Flask, no database.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime

from stdnum.ch import vat as ch_vat
from stdnum.eu import vat as eu_vat
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidLength, ValidationError
from stdnum.gb import vat as gb_vat
from stdnum.no import mva as no_mva

from portal.commerce.errors import CommerceError

REVERSE_CHARGE_NOTE = "Reverse charge: VAT to be accounted for by the recipient"
EXPORT_NOTE = "No VAT: supply to a customer outside the EU"

TREATMENTS = ("domestic", "reverse_charge", "eu_consumer", "export")

# Standard VAT rates in basis points (1900 = 19 %), with the day each took effect, newest
# last. Rates as published by the European Commission for 2026; the recent changes are kept
# so an order dated before them is priced as it was (FI Sept 2024, SK Jan 2025, EE July 2025,
# RO Aug 2025).
STANDARD_RATES: dict[str, tuple[tuple[date, int], ...]] = {
    "AT": ((date(2016, 1, 1), 2000),),
    "BE": ((date(1996, 1, 1), 2100),),
    "BG": ((date(2007, 1, 1), 2000),),
    "CY": ((date(2014, 1, 13), 1900),),
    "CZ": ((date(2013, 1, 1), 2100),),
    "DE": ((date(2021, 1, 1), 1900),),
    "DK": ((date(1992, 1, 1), 2500),),
    "EE": ((date(2024, 1, 1), 2200), (date(2025, 7, 1), 2400)),
    "ES": ((date(2012, 9, 1), 2100),),
    "FI": ((date(2013, 1, 1), 2400), (date(2024, 9, 1), 2550)),
    "FR": ((date(2014, 1, 1), 2000),),
    "GR": ((date(2016, 6, 1), 2400),),
    "HR": ((date(2013, 1, 1), 2500),),
    "HU": ((date(2012, 1, 1), 2700),),
    "IE": ((date(2021, 3, 1), 2300),),
    "IT": ((date(2013, 10, 1), 2200),),
    "LT": ((date(2009, 9, 1), 2100),),
    "LU": ((date(2024, 1, 1), 1700),),
    "LV": ((date(2011, 1, 1), 2100),),
    "MT": ((date(2004, 1, 1), 1800),),
    "NL": ((date(2012, 10, 1), 2100),),
    "PL": ((date(2011, 1, 1), 2300),),
    "PT": ((date(2011, 1, 1), 2300),),
    "RO": ((date(2017, 1, 1), 1900), (date(2025, 8, 1), 2100)),
    "SE": ((date(1990, 7, 1), 2500),),
    "SI": ((date(2013, 7, 1), 2200),),
    "SK": ((date(2011, 1, 1), 2000), (date(2025, 1, 1), 2300)),
}

# ISO 3166 codes of the 27 member states. Greece's VAT ids start with "EL", not "GR".
EU_MEMBER_STATES = frozenset(STANDARD_RATES)
VAT_PREFIX = {"GR": "EL"}

# Countries outside the EU whose VAT ids the checkout accepts (validated, printed).
NON_EU_VAT = {"GB": gb_vat, "CH": ch_vat, "NO": no_mva}


class InvalidVatId(CommerceError):
    """A VAT id that is malformed, fails its check digit, or belongs to another country."""


@dataclass(frozen=True)
class TaxDecision:
    """The VAT an order pays: the rate, the rule that chose it, and what to print."""

    rate_bp: int
    treatment: str  # one of TREATMENTS
    note: str | None  # printed on the order, quote and invoice
    vat_id: str | None  # normalised ("FR40303265045"); None without one
    vat_check: str  # "offline" (format + check digit), "vies" (confirmed online), "none"

    @property
    def rate_percent(self) -> str:
        """'19 %', '25.5 %', '0 %'."""
        return f"{self.rate_bp / 100:g} %"

    def checked_online(self) -> TaxDecision:
        """The same decision, its VAT id confirmed by VIES."""
        return replace(self, vat_check="vies")


def tax_amount(amount: int, rate_bp: int) -> int:
    """Tax in minor units, rounded half up, integers only."""
    return (amount * rate_bp + 5000) // 10000


def standard_rate_bp(country: str, today: date | None = None) -> int:
    """The standard VAT rate of a member state on ``today``; 0 outside the table."""
    today = today or datetime.now(UTC).date()
    rate = 0
    for since, bp in STANDARD_RATES.get(country.upper(), ()):
        if since <= today:
            rate = bp
    return rate


def is_eu(country: str | None) -> bool:
    return (country or "").upper() in EU_MEMBER_STATES


def _vat_error(exc: ValidationError, vat_id: str) -> str:
    if isinstance(exc, InvalidChecksum):
        return f"{vat_id} is not a valid VAT id: its check digit does not match. Check for a typo."
    if isinstance(exc, InvalidLength):
        return f"{vat_id} is not a valid VAT id: it has the wrong number of characters."
    if isinstance(exc, InvalidComponent):
        return f"{vat_id} is not a valid VAT id: it does not start with a known country prefix."
    return f"{vat_id} is not a valid VAT id: check the format, e.g. FR40303265045."


def normalise_vat_id(vat_id: str, country: str) -> str:
    """The VAT id without spaces and dots, its country prefix first; raises ``InvalidVatId``.

    EU ids must carry the prefix of the billing country (EL for Greece); GB, CH and NO ids are
    accepted for those countries. The check is offline: format and check digit.
    """
    country = country.upper()
    raw = vat_id.strip()
    try:
        if country in NON_EU_VAT:
            module = NON_EU_VAT[country]
            number = module.validate(raw)
            prefix = "" if number.startswith(("GB", "CHE", "NO")) else country
            return prefix + number
        if country not in EU_MEMBER_STATES:
            raise InvalidVatId(
                "We can only check VAT ids of EU member states, the UK, Switzerland and Norway; "
                "leave the field empty for this country.",
                field="tax_id",
            )
        number = eu_vat.validate(raw)
    except ValidationError as exc:
        raise InvalidVatId(_vat_error(exc, raw), field="tax_id") from exc
    expected = VAT_PREFIX.get(country, country)
    if not number.startswith(expected) or number.startswith("XI"):
        raise InvalidVatId(
            f"{raw} is not a VAT id of the billing country: EU VAT ids of this country "
            f"start with {expected}.",
            field="tax_id",
        )
    return number


def decide_tax(
    vendor_country: str,
    buyer_country: str,
    *,
    vat_id: str | None,
    business: bool,
    today: date | None = None,
) -> TaxDecision:
    """The VAT for a sale from ``vendor_country`` to a buyer in ``buyer_country``.

    ``vat_id`` (optional) is validated offline and must belong to ``buyer_country``; an
    invalid one raises ``InvalidVatId`` (field ``tax_id``) rather than being ignored, so a
    buyer never loses a reverse charge to a typo without being told.
    """
    vendor = vendor_country.strip().upper()
    buyer = buyer_country.strip().upper()
    number = normalise_vat_id(vat_id, buyer) if vat_id and vat_id.strip() else None
    check = "offline" if number else "none"
    if buyer == vendor:
        return TaxDecision(standard_rate_bp(vendor, today), "domestic", None, number, check)
    if not is_eu(vendor) or not is_eu(buyer):
        return TaxDecision(0, "export", EXPORT_NOTE if is_eu(vendor) else None, number, check)
    if business and number:
        return TaxDecision(0, "reverse_charge", REVERSE_CHARGE_NOTE, number, check)
    return TaxDecision(standard_rate_bp(buyer, today), "eu_consumer", None, number, check)
