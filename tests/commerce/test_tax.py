"""tax.py against every branch, table-driven. Expected rates are written out here from the
published 2026 standard rates, never read from the module's table."""

from datetime import date

import pytest

from portal.commerce.tax import (
    EU_MEMBER_STATES,
    EXPORT_NOTE,
    REVERSE_CHARGE_NOTE,
    InvalidVatId,
    decide_tax,
    normalise_vat_id,
    standard_rate_bp,
    tax_amount,
)

TODAY = date(2026, 12, 1)

# Standard VAT rates in percent, as published for 2026 (European Commission, "VAT rates").
PUBLISHED_2026 = {
    "AT": 20, "BE": 21, "BG": 20, "CY": 19, "CZ": 21, "DE": 19, "DK": 25, "EE": 24,
    "ES": 21, "FI": 25.5, "FR": 20, "GR": 24, "HR": 25, "HU": 27, "IE": 23, "IT": 22,
    "LT": 21, "LU": 17, "LV": 21, "MT": 18, "NL": 21, "PL": 23, "PT": 23, "RO": 21,
    "SE": 25, "SI": 22, "SK": 23,
}  # fmt: skip

# Valid ids (format and check digit); the French one is re-derived below by hand.
FR_ID = "FR40303265045"
DE_ID = "DE136695976"
IT_ID = "IT00743110157"


def test_the_table_has_every_member_state_at_its_2026_rate():
    assert set(PUBLISHED_2026) == EU_MEMBER_STATES and len(EU_MEMBER_STATES) == 27
    for country, percent in PUBLISHED_2026.items():
        assert standard_rate_bp(country, TODAY) == round(percent * 100), country


@pytest.mark.parametrize(
    ("country", "day", "percent"),
    [
        ("EE", date(2025, 6, 30), 22),
        ("EE", date(2025, 7, 1), 24),
        ("RO", date(2025, 7, 31), 19),
        ("RO", date(2025, 8, 1), 21),
        ("SK", date(2024, 12, 31), 20),
        ("SK", date(2025, 1, 1), 23),
        ("FI", date(2024, 8, 31), 24),
        ("FI", date(2024, 9, 1), 25.5),
        ("US", TODAY, 0),
    ],
)
def test_rates_follow_the_day_they_changed(country, day, percent):
    assert standard_rate_bp(country, day) == round(percent * 100)


@pytest.mark.parametrize(
    ("vendor", "buyer", "vat_id", "business", "percent", "treatment", "note"),
    [
        # domestic: the vendor's rate, VAT id or not
        ("DE", "DE", DE_ID, True, 19, "domestic", None),
        ("DE", "DE", None, False, 19, "domestic", None),
        ("FR", "FR", FR_ID, True, 20, "domestic", None),
        # EU business with a VAT id of its own state: reverse charge
        ("DE", "FR", FR_ID, True, 0, "reverse_charge", REVERSE_CHARGE_NOTE),
        ("FR", "DE", DE_ID, True, 0, "reverse_charge", REVERSE_CHARGE_NOTE),
        ("DE", "IT", IT_ID, True, 0, "reverse_charge", REVERSE_CHARGE_NOTE),
        # EU consumer, or EU business without a VAT id: the destination rate
        ("DE", "FR", None, False, 20, "eu_consumer", None),
        ("DE", "FR", None, True, 20, "eu_consumer", None),
        ("DE", "HU", None, False, 27, "eu_consumer", None),
        ("DE", "FI", None, False, 25.5, "eu_consumer", None),
        # a consumer who typed a valid id still buys as a consumer
        ("DE", "FR", FR_ID, False, 20, "eu_consumer", None),
        # outside the EU: export
        ("DE", "US", None, True, 0, "export", EXPORT_NOTE),
        ("DE", "GB", "GB980780684", True, 0, "export", EXPORT_NOTE),
        ("DE", "CH", None, False, 0, "export", EXPORT_NOTE),
        # a vendor outside the EU: no EU VAT anywhere, nothing to note
        ("US", "FR", None, False, 0, "export", None),
        ("US", "DE", DE_ID, True, 0, "export", None),
    ],
)
def test_decide_tax(vendor, buyer, vat_id, business, percent, treatment, note):
    decision = decide_tax(vendor, buyer, vat_id=vat_id, business=business, today=TODAY)
    assert decision.rate_bp == round(percent * 100)
    assert decision.treatment == treatment
    assert decision.note == note
    assert decision.vat_check == ("offline" if vat_id else "none")
    assert decision.vat_id == vat_id


def test_the_french_id_has_the_key_the_french_rule_gives():
    # France: key = (12 + 3 * (SIREN mod 97)) mod 97, two digits before the 9-digit SIREN.
    siren = int(FR_ID[4:])
    assert int(FR_ID[2:4]) == (12 + 3 * (siren % 97)) % 97
    bad_key = f"FR{(int(FR_ID[2:4]) + 1) % 100:02d}{FR_ID[4:]}"
    with pytest.raises(InvalidVatId):
        normalise_vat_id(bad_key, "FR")


def test_country_codes_are_case_insensitive():
    decision = decide_tax("de", "fr", vat_id=" fr 40 303 265 045 ", business=True, today=TODAY)
    assert (decision.treatment, decision.vat_id) == ("reverse_charge", FR_ID)


@pytest.mark.parametrize(
    ("raw", "country", "normalised"),
    [
        ("FR 40 303 265 045", "FR", FR_ID),
        ("de136695976", "DE", DE_ID),
        ("EL 094259216", "GR", "EL094259216"),
        ("ATU13585627", "AT", "ATU13585627"),
        ("NL004495445B01", "NL", "NL004495445B01"),
        ("GB 980 7806 84", "GB", "GB980780684"),
        ("NO 995 525 828 MVA", "NO", "NO995525828MVA"),
        ("CHE-116.281.710 MWST", "CH", "CHE116281710MWST"),
    ],
)
def test_vat_ids_are_normalised(raw, country, normalised):
    assert normalise_vat_id(raw, country) == normalised


@pytest.mark.parametrize(
    ("raw", "country", "words"),
    [
        ("FR40303265046", "FR", "check digit"),
        ("DE13669597", "DE", "wrong number of characters"),
        (DE_ID, "FR", "start with FR"),
        ("GR094259216", "GR", "start with EL"),
        ("GB980780685", "GB", "check digit"),
        ("12345", "US", "only check VAT ids"),
    ],
)
def test_invalid_vat_ids_are_refused_with_a_reason(raw, country, words):
    with pytest.raises(InvalidVatId) as caught:
        decide_tax("DE", country, vat_id=raw, business=True, today=TODAY)
    assert words in caught.value.message and caught.value.field == "tax_id"


@pytest.mark.parametrize(
    ("amount", "rate_bp", "expected"),
    [(12_000_000, 1900, 2_280_000), (999, 1900, 190), (50, 1000, 5), (5, 1000, 1), (4, 1000, 0)],
)
def test_tax_is_rounded_half_up_in_minor_units(amount, rate_bp, expected):
    # 999 * 0.19 = 189.81 → 190; 5 * 0.10 = 0.5 → 1; 4 * 0.10 = 0.4 → 0
    assert tax_amount(amount, rate_bp) == expected
