"""Catalog administration: create, edit and archive products, plans, resources and FAQ.

Every rule lives here (unique slug, amounts within bounds, ISO currency, quantity bounds), so
the admin pages, the seeder and the CLI share it. Services raise ``CatalogError`` with the
field at fault, only ``flush()``, and keep the search index in step with each change.
Products and plans are archived, never deleted: orders and journey events keep pointing at
them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import func, select

from portal.catalog.files import InvalidFile, store_pdf
from portal.catalog.search import rebuild_search_index
from portal.catalog.services import CatalogError, clean_text
from portal.extensions import db
from portal.models import BILLING_PERIODS, RESOURCE_KINDS, Faq, Plan, Product, Resource
from portal.templating import ZERO_DECIMAL

# A single price above ten million (in major units) is a typo, not a deal.
MAX_UNIT_AMOUNT = 1_000_000_000
MAX_QUANTITY = 100_000
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
RECIPE = re.compile(r"^[a-z][a-z0-9_]{0,59}$")
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


def _markdown(value: str | None) -> str:
    """Markdown keeps its line breaks; other control characters (NUL…) are dropped."""
    text = (value or "").replace("\r\n", "\n")
    return "".join(ch for ch in text if ch.isprintable() or ch in "\n\t").strip()


def _require(condition: bool, message: str, field_name: str) -> None:
    if not condition:
        raise CatalogError(message, field=field_name)


def _text(value: Any, limit: int, label: str, field_name: str, required: bool = True) -> str:
    value = clean_text(value)
    _require(bool(value) or not required, f"{label} is required.", field_name)
    _require(len(value) <= limit, f"{label} can be at most {limit} characters.", field_name)
    return value


# -- products -----------------------------------------------------------------------------


@dataclass
class ProductData:
    slug: str
    name: str
    tagline: str = ""
    category: str = ""
    use_cases: list[str] = field(default_factory=list)
    description_md: str = ""
    features: list[dict[str, str]] = field(default_factory=list)
    specs: list[list[str]] = field(default_factory=list)
    recipe: str | None = None
    is_featured: bool = False
    sort_order: int = 0


def parse_lines(text: str, label: str, field_name: str, need_value: bool) -> list[list[str]]:
    """``"Label: value"`` lines → ``[[label, value], ...]`` (blank lines skipped)."""
    pairs = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        head, sep, tail = clean_text(line).partition(":")
        head, tail = head.strip(), tail.strip()
        if need_value and (not sep or not head or not tail):
            raise CatalogError(
                f'{label}: line {number} needs the form "Label: value".', field=field_name
            )
        _require(bool(head), f"{label}: line {number} has no title.", field_name)
        _require(
            len(head) <= 80 and len(tail) <= 300, f"{label}: line {number} is too long.", field_name
        )
        pairs.append([head, tail])
    _require(len(pairs) <= 40, f"{label}: at most 40 lines.", field_name)
    return pairs


def features_from_text(text: str) -> list[dict[str, str]]:
    """``"Title: what it does"`` per line (the text part is optional)."""
    return [{"title": t, "text": v} for t, v in parse_lines(text, "Features", "features", False)]


def specs_from_text(text: str) -> list[list[str]]:
    return parse_lines(text, "Specifications", "specs", True)


def features_to_text(features: list[dict[str, str]]) -> str:
    return "\n".join(
        f"{f.get('title', '')}: {f.get('text', '')}".rstrip(": ") for f in features or []
    )


def specs_to_text(specs: list[list[str]]) -> str:
    return "\n".join(f"{label}: {value}" for label, value in specs or [])


def check_product(data: ProductData, product: Product | None = None) -> dict[str, Any]:
    """Apply every product rule without writing; the clean values, or ``CatalogError``."""
    slug = (data.slug or "").strip().lower()
    _require(bool(slug), "Slug is required.", "slug")
    _require(len(slug) <= 80, "Slug can be at most 80 characters.", "slug")
    _require(
        bool(SLUG.match(slug)),
        "Use lower-case letters, digits and single hyphens, e.g. pipeline-lens.",
        "slug",
    )
    taken = db.session.scalar(
        select(Product.id).where(
            func.lower(Product.slug) == slug, Product.id != (product.id if product else -1)
        )
    )
    _require(taken is None, f"The slug “{slug}” is already used by another product.", "slug")
    use_cases = []
    for case in data.use_cases or []:
        case = _text(case, 80, "Each use case", "use_cases")
        if case not in use_cases:
            use_cases.append(case)
    _require(len(use_cases) <= 12, "At most 12 use cases.", "use_cases")
    recipe = (data.recipe or "").strip() or None
    _require(
        recipe is None or bool(RECIPE.match(recipe)),
        "The recipe is a code such as pipeline_lens.",
        "recipe",
    )
    description = _markdown(data.description_md)
    _require(
        len(description) <= 20_000,
        "The description is too long (20,000 characters max).",
        "description_md",
    )
    return {
        "slug": slug,
        "name": _text(data.name, 120, "Name", "name"),
        "tagline": _text(data.tagline, 200, "Tagline", "tagline", required=False),
        "category": _text(data.category, 60, "Category", "category"),
        "use_cases": use_cases,
        "description_md": description,
        "features": list(data.features or []),
        "specs": [list(pair) for pair in data.specs or []],
        "recipe": recipe,
        "is_featured": bool(data.is_featured),
        "sort_order": int(data.sort_order or 0),
    }


def create_product(data: ProductData) -> Product:
    """Add a product to the catalog (active at once) and index it for search."""
    product = Product(**check_product(data, None))
    db.session.add(product)
    db.session.flush()
    rebuild_search_index([product.id])
    return product


def update_product(product: Product, data: ProductData) -> Product:
    for key, value in check_product(data, product).items():
        setattr(product, key, value)
    db.session.flush()
    rebuild_search_index([product.id])
    return product


def archive_product(product: Product) -> None:
    """Take a product out of the catalog and search; orders and events keep its row."""
    product.is_active = False
    db.session.flush()
    rebuild_search_index([product.id])


def restore_product(product: Product) -> None:
    product.is_active = True
    db.session.flush()
    rebuild_search_index([product.id])


# -- plans --------------------------------------------------------------------------------


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
    _require(
        bool(re.fullmatch(r"[A-Z]{3}", code)) and code in ISO_CURRENCIES,
        "Use a three-letter ISO 4217 currency code, e.g. USD or EUR.",
        "currency",
    )
    _require(
        code not in THREE_DECIMAL_CURRENCIES,
        f"Prices in {code} (three decimals) are not supported yet.",
        "currency",
    )
    return code


def parse_amount(text: str | None, currency: str) -> int:
    """``"250,000.00"`` in USD → ``25000000`` minor units. Raises ``CatalogError``."""
    digits = currency_digits(currency)
    raw = clean_text(text).replace(",", "").replace("_", "").replace(" ", "")
    _require(bool(raw), "Enter a price, e.g. 49.00 (0 for free).", "amount")
    _require(len(raw) <= 20, "That price is not a number.", "amount")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise CatalogError("That price is not a number.", field="amount") from None
    _require(value.is_finite(), "That price is not a number.", "amount")
    _require(value >= 0, "A price cannot be negative.", "amount")
    minor = value * (10**digits)
    _require(
        minor == minor.to_integral_value(),
        f"{currency} prices have at most {digits} decimals."
        if digits
        else f"{currency} prices have no decimals.",
        "amount",
    )
    _require(
        int(minor) <= MAX_UNIT_AMOUNT, "That price is above the maximum for one plan.", "amount"
    )
    return int(minor)


def format_amount(minor: int, currency: str) -> str:
    """``25000000`` USD → ``"250000.00"`` (for edit forms)."""
    digits = currency_digits(currency)
    return f"{Decimal(minor) / (10**digits):.{digits}f}"


def _validated_plan(data: PlanData) -> dict[str, Any]:
    currency = check_currency(data.currency)
    _require(data.billing in BILLING_PERIODS, "Choose one-time, monthly or yearly.", "billing")
    amount = data.unit_amount
    _require(
        isinstance(amount, int) and not isinstance(amount, bool),
        "The price must be a whole number of minor units.",
        "amount",
    )
    _require(amount >= 0, "A price cannot be negative.", "amount")
    _require(amount <= MAX_UNIT_AMOUNT, "That price is above the maximum for one plan.", "amount")
    low, high = data.min_quantity, data.max_quantity
    _require(
        isinstance(low, int) and low >= 1, "The minimum quantity is at least 1.", "min_quantity"
    )
    _require(
        isinstance(high, int) and high >= low,
        "The maximum quantity cannot be below the minimum.",
        "max_quantity",
    )
    _require(
        high <= MAX_QUANTITY, f"The maximum quantity is at most {MAX_QUANTITY:,}.", "max_quantity"
    )
    return {
        "name": _text(data.name, 80, "Plan name", "name"),
        "description": _text(data.description, 300, "Description", "description", required=False),
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


# -- resources ----------------------------------------------------------------------------


def _check_video_url(url: str | None) -> str:
    url = (url or "").strip()
    _require(bool(url), "Give the link to the video.", "url")
    _require(url.isprintable() and " " not in url, "That link has invalid characters.", "url")
    _require(len(url) <= 500, "The link is too long.", "url")
    parts = urlsplit(url)
    _require(
        parts.scheme in ("https", "http") and bool(parts.netloc),
        "The link must start with https:// (or http://).",
        "url",
    )
    return url


def add_resource(
    product: Product,
    kind: str,
    title: str,
    summary: str = "",
    *,
    url: str | None = None,
    pdf: bytes | None = None,
    folder: Path | None = None,
    sort_order: int = 0,
) -> Resource:
    """A datasheet or guide (``pdf`` bytes, validated and stored in ``folder``) or a video link."""
    _require(kind in RESOURCE_KINDS, "Choose datasheet, guide or video.", "kind")
    resource = Resource(
        product=product,
        kind=kind,
        title=_text(title, 160, "Title", "title"),
        summary=_text(summary, 400, "Summary", "summary", required=False),
        sort_order=int(sort_order or 0),
    )
    if kind == "video":
        resource.url = _check_video_url(url)
    else:
        resource.file_key = _store(pdf, folder)
    db.session.add(resource)
    db.session.flush()
    rebuild_search_index([product.id])
    return resource


def update_resource(
    resource: Resource,
    title: str,
    summary: str = "",
    *,
    url: str | None = None,
    pdf: bytes | None = None,
    folder: Path | None = None,
    sort_order: int = 0,
) -> str | None:
    """Edit a resource; a new ``pdf`` replaces the file. Returns the old file key to delete
    once the transaction is committed (or None)."""
    resource.title = _text(title, 160, "Title", "title")
    resource.summary = _text(summary, 400, "Summary", "summary", required=False)
    resource.sort_order = int(sort_order or 0)
    old_key = None
    if resource.kind == "video":
        resource.url = _check_video_url(url)
    elif pdf:
        old_key, resource.file_key = resource.file_key, _store(pdf, folder)
    db.session.flush()
    rebuild_search_index([resource.product_id])
    return old_key


def delete_resource(resource: Resource) -> str | None:
    """Remove a resource; returns its file key to delete after the commit (or None)."""
    key, product_id = resource.file_key, resource.product_id
    db.session.delete(resource)
    db.session.flush()
    rebuild_search_index([product_id])
    return key


def _store(pdf: bytes | None, folder: Path | None) -> str:
    _require(bool(pdf), "Choose a PDF file to upload.", "file")
    if folder is None:
        raise ValueError("a folder is needed to store uploaded files")
    try:
        return store_pdf(pdf, folder)
    except InvalidFile as error:
        raise CatalogError(str(error), field="file") from None


# -- FAQ ----------------------------------------------------------------------------------


def _validated_faq(question: str, answer_md: str, sort_order: int) -> dict[str, Any]:
    answer = _markdown(answer_md)
    _require(bool(answer), "Answer is required.", "answer_md")
    _require(len(answer) <= 5000, "The answer can be at most 5,000 characters.", "answer_md")
    return {
        "question": _text(question, 300, "Question", "question"),
        "answer_md": answer,
        "sort_order": int(sort_order or 0),
    }


def add_faq(product: Product, question: str, answer_md: str, sort_order: int = 0) -> Faq:
    faq = Faq(product=product, **_validated_faq(question, answer_md, sort_order))
    db.session.add(faq)
    db.session.flush()
    rebuild_search_index([product.id])
    return faq


def update_faq(faq: Faq, question: str, answer_md: str, sort_order: int = 0) -> Faq:
    for key, value in _validated_faq(question, answer_md, sort_order).items():
        setattr(faq, key, value)
    db.session.flush()
    rebuild_search_index([faq.product_id])
    return faq


def delete_faq(faq: Faq) -> None:
    product_id = faq.product_id
    db.session.delete(faq)
    db.session.flush()
    rebuild_search_index([product_id])
