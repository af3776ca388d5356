"""Research on one's own: browsing, product pages, comparison and the journey events they record.

Services take explicit arguments, raise ``CatalogError``s, and only ``flush()``; the route
commits. Every page-sized read loads its relations eagerly, so a page costs the same handful
of queries whether the catalog has ten products or five hundred.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, cast, column, exists, func, literal, select
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import selectinload

from portal.errors import ServiceError
from portal.extensions import db
from portal.journey.services import Actor, record_event
from portal.models import Plan, Product, Resource

PER_PAGE = 12
SLUG_SHAPE = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
MAX_COMPARE = 4
SORTS = {
    "featured": "Featured first",
    "name": "Name (A–Z)",
    "price_asc": "Price: low to high",
    "price_desc": "Price: high to low",
    "newest": "Newest",
}


class CatalogError(ServiceError):
    """A catalog rule was broken; the message is written for the person."""


class NotFound(CatalogError):
    """No such product or resource in the catalog (or it was archived)."""

    status = 404


def clean_text(value: Any) -> str:
    """Text from a URL or form, made safe for any database: control characters (PostgreSQL
    refuses NUL) become spaces, runs of whitespace one space."""
    text = "".join(ch if ch.isprintable() else " " for ch in str(value or ""))
    return " ".join(text.split())


# -- browsing -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CatalogFilters:
    category: str = ""
    use_case: str = ""
    sort: str = "featured"

    @classmethod
    def parse(cls, category: Any = "", use_case: Any = "", sort: Any = "") -> CatalogFilters:
        """Lenient: unknown or oversized values fall back to "no filter" / the default sort."""

        def clean(value: Any, limit: int) -> str:
            value = clean_text(value)
            return value if len(value) <= limit else ""

        sort = sort if sort in SORTS else "featured"
        return cls(category=clean(category, 60), use_case=clean(use_case, 80), sort=sort)

    @property
    def active(self) -> bool:
        return bool(self.category or self.use_case)


@dataclass
class Facets:
    categories: list[tuple[str, int]] = field(default_factory=list)
    use_cases: list[tuple[str, int]] = field(default_factory=list)
    total: int = 0


def _lowest_price():
    return (
        select(func.min(Plan.unit_amount))
        .where(Plan.product_id == Product.id, Plan.is_active)
        .correlate(Product)
        .scalar_subquery()
    )


def _has_use_case(use_case: str):
    """``use_case`` is one of the product's use cases (a JSON list), per database."""
    if db.engine.dialect.name == "postgresql":
        return cast(Product.use_cases, JSONB).contains([use_case])
    items = func.json_each(Product.use_cases).table_valued("value")
    return exists(select(literal(1)).select_from(items).where(column("value") == use_case))


def browse_products(filters: CatalogFilters) -> Select:
    """The active products matching ``filters``, sorted; a ``select`` the view paginates."""
    query = select(Product).where(Product.is_active).options(selectinload(Product.plans))
    if filters.category:
        query = query.where(Product.category == filters.category)
    if filters.use_case:
        query = query.where(_has_use_case(filters.use_case))
    order = {
        "featured": (Product.is_featured.desc(), Product.sort_order, Product.name),
        "name": (Product.name,),
        "price_asc": (_lowest_price().asc().nulls_last(), Product.name),
        "price_desc": (_lowest_price().desc().nulls_last(), Product.name),
        "newest": (Product.created_at.desc(), Product.id.desc()),
    }[filters.sort]
    return query.order_by(*order, Product.id)


def catalog_facets() -> Facets:
    """Categories and use cases of active products, with counts (one query)."""
    rows = db.session.execute(
        select(Product.category, Product.use_cases).where(Product.is_active)
    ).all()
    categories = Counter(category for category, _ in rows if category)
    use_cases = Counter(case for _, cases in rows for case in set(cases or []) if case)
    return Facets(
        categories=sorted(categories.items()),
        use_cases=sorted(use_cases.items()),
        total=len(rows),
    )


def featured_products(limit: int = 4) -> list[Product]:
    """Products for the home page: featured first, then the vendor's order."""
    query = browse_products(CatalogFilters()).limit(limit)
    return list(db.session.scalars(query))


def active_product(slug: str) -> Product | None:
    """The product offered under ``slug`` now, or None (unknown or archived)."""
    return db.session.scalar(select(Product).where(Product.slug == slug, Product.is_active))


def get_product(slug: str, include_archived: bool = False) -> Product:
    """A product with its plans, resources and FAQ loaded; ``NotFound`` otherwise."""
    if not slug or not SLUG_SHAPE.match(slug):
        raise NotFound("We couldn't find that product.")
    query = (
        select(Product)
        .where(Product.slug == slug)
        .options(
            selectinload(Product.plans),
            selectinload(Product.resources),
            selectinload(Product.faqs),
        )
    )
    product = db.session.scalar(query)
    if product is None:
        raise NotFound("We couldn't find that product. It may have been renamed.")
    if product.is_archived and not include_archived:
        raise NotFound(f"{product.name} is no longer offered. Have a look at our other products.")
    return product


def get_resource(resource_id: int) -> Resource:
    """A resource of an active product; ``NotFound`` otherwise."""
    resource = db.session.get(Resource, resource_id)
    if resource is None or resource.product.is_archived:
        raise NotFound("We couldn't find that resource.")
    return resource


def record_product_view(actor: Actor | None, product: Product | int) -> None:
    """Record that ``actor`` viewed the product (a ``Product`` or its id)."""
    record_event(actor, "product_viewed", product=product)


def record_sheet_download(actor: Actor | None, product: Product) -> None:
    record_event(actor, "sheet_downloaded", product=product)


def record_resource_download(actor: Actor | None, resource: Resource) -> None:
    record_event(actor, "resource_downloaded", product=resource.product_id, resource_id=resource.id)


# -- comparison ---------------------------------------------------------------------------


@dataclass
class ComparisonRow:
    label: str
    values: list[Any]  # one per product, in column order; None = not stated / not included
    differs: bool


@dataclass
class Comparison:
    requested: list[str]
    products: list[Product] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)  # slugs we could not find
    dropped: list[str] = field(default_factory=list)  # beyond MAX_COMPARE
    spec_rows: list[ComparisonRow] = field(default_factory=list)
    feature_rows: list[ComparisonRow] = field(default_factory=list)
    plan_rows: list[ComparisonRow] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return len(self.products) >= 2

    @property
    def product_ids(self) -> list[int]:
        return [product.id for product in self.products]


def parse_compare_slugs(values: list[str]) -> list[str]:
    """``["a,b", "c"]`` → ``["a", "b", "c"]``: split, trimmed, lower-case, no duplicates."""
    slugs: list[str] = []
    for value in values[:20]:
        for part in (value or "").split(","):
            slug = clean_text(part).lower()[:80]
            if slug and slug not in slugs:
                slugs.append(slug)
    return slugs[:20]


def compare_products(slugs: list[str]) -> Comparison:
    """Up to four active products side by side, with the rows where they differ marked.

    Never raises: unknown slugs and those beyond four are reported on the ``Comparison``.
    """
    comparison = Comparison(requested=list(slugs))
    wanted, comparison.dropped = slugs[:MAX_COMPARE], slugs[MAX_COMPARE:]
    found = {}
    lookup = [slug for slug in wanted if SLUG_SHAPE.match(slug)]
    if lookup:
        query = (
            select(Product)
            .where(Product.slug.in_(lookup), Product.is_active)
            .options(selectinload(Product.plans))
        )
        found = {product.slug: product for product in db.session.scalars(query)}
    comparison.products = [found[slug] for slug in wanted if slug in found]
    comparison.unknown = [slug for slug in wanted if slug not in found]
    products = comparison.products

    spec_labels: list[str] = []
    for product in products:
        for label, _value in product.specs or []:
            if label not in spec_labels:
                spec_labels.append(label)
    for label in spec_labels:
        values = [dict((k, v) for k, v in (p.specs or [])).get(label) for p in products]
        comparison.spec_rows.append(ComparisonRow(label, values, len(set(values)) > 1))

    feature_titles: list[str] = []
    for product in products:
        for feature in product.features or []:
            title = feature.get("title", "")
            if title and title not in feature_titles:
                feature_titles.append(title)
    for title in feature_titles:
        values = [any(f.get("title") == title for f in p.features or []) for p in products]
        comparison.feature_rows.append(ComparisonRow(title, values, len(set(values)) > 1))

    starting = [p.starting_plan for p in products]
    keys = [(plan.unit_amount, plan.currency, plan.billing) if plan else None for plan in starting]
    comparison.plan_rows.append(ComparisonRow("Starting at", starting, len(set(keys)) > 1))
    counts = [len(p.active_plans) for p in products]
    comparison.plan_rows.append(ComparisonRow("Plans", counts, len(set(counts)) > 1))
    return comparison


def record_comparison(actor: Actor | None, comparison: Comparison) -> None:
    if comparison.ready:
        record_event(
            actor,
            "products_compared",
            count=len(comparison.products),
            product_ids=comparison.product_ids,
        )
