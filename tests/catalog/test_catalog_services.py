"""Browsing, product lookup, comparison, Markdown and the journey events of research."""

import pytest
from sqlalchemy import select

from portal.catalog.services import (
    CatalogFilters,
    NotFound,
    browse_products,
    catalog_facets,
    compare_products,
    featured_products,
    get_product,
    parse_compare_slugs,
    record_comparison,
    record_product_view,
)
from portal.catalog.staff_services import archive_product
from portal.catalog.text import markdown_to_text, render_markdown
from portal.journey.services import Actor
from portal.models import Event
from tests.factories import make_plan, make_product

ACTOR = Actor(visitor_id="visitor-abcdef123456")


def slugs(db, filters: CatalogFilters) -> list[str]:
    return [p.slug for p in db.session.scalars(browse_products(filters))]


def test_browse_filters_by_category_and_use_case(db, small_catalog):
    assert slugs(db, CatalogFilters(category="Forecasting")) == ["demand-radar"]
    assert sorted(slugs(db, CatalogFilters(use_case="Demand forecasting"))) == [
        "demand-radar",
        "pipeline-lens",
    ]
    assert slugs(db, CatalogFilters(category="Forecasting", use_case="Pipeline health")) == []
    assert slugs(db, CatalogFilters(use_case="Demand")) == []  # whole use cases, not substrings


def test_browse_sorts(db, small_catalog):
    assert slugs(db, CatalogFilters(sort="featured"))[0] == "demand-radar"
    assert slugs(db, CatalogFilters(sort="name")) == [
        "data-doctor",
        "demand-radar",
        "pipeline-lens",
    ]
    # lowest plan on sale: lens 49.00, doctor 99.00, radar 199.00
    assert slugs(db, CatalogFilters(sort="price_asc")) == [
        "pipeline-lens",
        "data-doctor",
        "demand-radar",
    ]
    assert slugs(db, CatalogFilters(sort="price_desc"))[0] == "demand-radar"


def test_products_without_plans_sort_last_by_price(db, small_catalog):
    make_product(slug="no-price", name="AAA No Price")
    assert slugs(db, CatalogFilters(sort="price_asc"))[-1] == "no-price"
    assert slugs(db, CatalogFilters(sort="price_desc"))[-1] == "no-price"


def test_filters_parse_leniently():
    filters = CatalogFilters.parse("  Forecasting ", None, "drop table")
    assert filters == CatalogFilters(category="Forecasting", use_case="", sort="featured")
    assert CatalogFilters.parse("x" * 500, "y" * 500, "name") == CatalogFilters(sort="name")


def test_archived_products_leave_the_catalog(db, small_catalog):
    archive_product(small_catalog["doctor"])
    assert "data-doctor" not in slugs(db, CatalogFilters())
    assert dict(catalog_facets().categories) == {"Forecasting": 1, "Sales analytics": 1}
    with pytest.raises(NotFound, match="no longer offered"):
        get_product("data-doctor")
    # but it still exists for admins, orders and events
    assert get_product("data-doctor", include_archived=True).name == "Data Doctor"


def test_facets_count_active_products(db, small_catalog):
    facets = catalog_facets()
    assert facets.total == 3
    assert dict(facets.use_cases)["Demand forecasting"] == 2
    assert [name for name, _ in facets.categories] == sorted(name for name, _ in facets.categories)


def test_featured_products_come_first(db, small_catalog):
    assert [p.slug for p in featured_products(limit=2)][0] == "demand-radar"


@pytest.mark.parametrize("slug", ["", "nope", "x" * 500, "../etc/passwd"])
def test_get_product_unknown(db, small_catalog, slug):
    with pytest.raises(NotFound):
        get_product(slug)


def test_starting_plan_ignores_archived_plans(db):
    product = make_product()
    make_plan(product, unit_amount=100, is_active=False)
    make_plan(product, unit_amount=500)
    db.session.refresh(product)
    assert product.starting_plan.unit_amount == 500


def test_parse_compare_slugs():
    assert parse_compare_slugs(["a, B ,a", "c", "", ",,"]) == ["a", "b", "c"]
    assert parse_compare_slugs([]) == []
    assert len(parse_compare_slugs([",".join(f"s{i}" for i in range(100))])) == 20


def test_compare_highlights_differences(db, small_catalog):
    comparison = compare_products(["demand-radar", "data-doctor"])
    assert comparison.ready
    assert [p.slug for p in comparison.products] == ["demand-radar", "data-doctor"]
    specs = {row.label: row for row in comparison.spec_rows}
    assert specs["Deployment"].values == ["Cloud", "Cloud or on-premises"]
    assert specs["Deployment"].differs
    assert not specs["Data refresh"].differs
    features = {row.label: row for row in comparison.feature_rows}
    assert features["Seasonality"].values == [True, True] and not features["Seasonality"].differs
    assert (
        features["Fuzzy duplicates"].values == [False, True]
        and features["Fuzzy duplicates"].differs
    )
    starting = comparison.plan_rows[0]
    assert [plan.unit_amount for plan in starting.values] == [19_900, 9900]
    assert starting.differs


def test_compare_reports_unknown_and_extra_products(db, small_catalog):
    comparison = compare_products(["demand-radar", "ghost", "data-doctor", "pipeline-lens", "x"])
    assert comparison.unknown == ["ghost"]
    assert comparison.dropped == ["x"]
    assert len(comparison.products) == 3
    assert not compare_products([]).ready
    one = compare_products(["demand-radar"])
    assert not one.ready and len(one.products) == 1


def test_compare_leaves_archived_products_out(db, small_catalog):
    archive_product(small_catalog["lens"])
    comparison = compare_products(["demand-radar", "pipeline-lens"])
    assert comparison.unknown == ["pipeline-lens"]
    assert not comparison.ready


def test_research_events(db, small_catalog):
    record_product_view(ACTOR, small_catalog["radar"])
    comparison = compare_products(["demand-radar", "data-doctor"])
    record_comparison(ACTOR, comparison)
    record_comparison(ACTOR, compare_products(["demand-radar"]))  # not a comparison
    events = db.session.scalars(select(Event).order_by(Event.id)).all()
    assert [(e.kind, e.product_id) for e in events] == [
        ("product_viewed", small_catalog["radar"].id),
        ("products_compared", None),
    ]
    assert events[1].props == {"count": 2, "product_ids": comparison.product_ids}
    record_product_view(None, small_catalog["radar"])  # no consent: nothing stored
    assert len(db.session.scalars(select(Event)).all()) == 2


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert('x')</script>Hello",
        "[click](javascript:alert(1))",
        '<a href="javascript:alert(1)">x</a>',
        '<img src=x onerror="alert(1)">',
        '<iframe src="https://evil.example"></iframe>',
        "[x](JaVaScRiPt:alert(1))",
    ],
)
def test_markdown_is_sanitised(source):
    html = str(render_markdown(source)).lower()
    for bad in ("<script", "javascript:", "onerror", "<iframe", "<img"):
        assert bad not in html


def test_markdown_keeps_safe_formatting():
    html = str(render_markdown("**bold** and [a link](https://northwind.example)\n\n- one"))
    assert "<strong>bold</strong>" in html
    assert 'href="https://northwind.example"' in html and 'rel="nofollow' in html
    assert "<li>one</li>" in html
    assert markdown_to_text("# Title\n\n*It* &amp; <b>that</b>\n\n<script>x()</script>") == (
        "Title\nIt & that"
    )
