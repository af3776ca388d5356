"""Catalog administration rules: slugs, prices, currencies, quantities, files, FAQ."""

import io

import pytest
from pypdf import PdfWriter
from sqlalchemy import func, select

from portal.catalog.files import check_pdf, pdf_path
from portal.catalog.plans import (
    MAX_UNIT_AMOUNT,
    PlanData,
    add_plan,
    check_currency,
    format_amount,
    parse_amount,
    update_plan,
)
from portal.catalog.services import CatalogError
from portal.catalog.staff_services import (
    ProductData,
    add_resource,
    archive_product,
    create_product,
    delete_resource,
    features_from_text,
    features_to_text,
    specs_from_text,
    specs_to_text,
    update_product,
)
from portal.models import Plan, Product
from tests.factories import make_paid_order, make_pdf, make_plan, make_product


def product_data(**fields) -> ProductData:
    values = {"slug": "new-product", "name": "New Product", "category": "Analytics"}
    values.update(fields)
    return ProductData(**values)


def error_of(call, *args, **kwargs) -> CatalogError:
    with pytest.raises(CatalogError) as info:
        call(*args, **kwargs)
    return info.value


def test_create_product_normalises_and_saves(db):
    product = create_product(
        product_data(slug=" New-Product ", use_cases=["A", "A", " B  c "], name="  Spaced   Out ")
    )
    assert product.slug == "new-product"
    assert product.use_cases == ["A", "B c"]
    assert product.name == "Spaced Out"
    assert product.is_active


@pytest.mark.parametrize(
    "slug", ["", "Has Space", "under_score", "-lead", "trail-", "double--hyphen", "é", "a" * 81]
)
def test_bad_slugs(db, slug):
    assert error_of(create_product, product_data(slug=slug)).field == "slug"


def test_slug_is_unique_case_insensitively(db):
    make_product(slug="taken")
    error = error_of(create_product, product_data(slug="TAKEN"))
    assert error.field == "slug" and "already used" in str(error)
    other = make_product(slug="other")
    assert error_of(update_product, other, product_data(slug="taken")).field == "slug"
    # a product keeps its own slug when edited
    update_product(other, product_data(slug="other", name="Renamed"))
    assert other.name == "Renamed"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 121}, "name"),
        ({"category": " "}, "category"),
        ({"tagline": "x" * 201}, "tagline"),
        ({"recipe": "Not A Code"}, "recipe"),
        ({"use_cases": ["x" * 81]}, "use_cases"),
        ({"use_cases": [f"case {i}" for i in range(13)]}, "use_cases"),
        ({"description_md": "x" * 20_001}, "description_md"),
    ],
)
def test_product_field_rules(db, fields, field):
    assert error_of(create_product, product_data(**fields)).field == field
    assert db.session.scalar(select(func.count()).select_from(Product)) == 0


def test_features_and_specs_round_trip():
    features = features_from_text("Seasonality: Weekly and yearly\n\n  SSO  \nAPI: REST: JSON")
    assert features == [
        {"title": "Seasonality", "text": "Weekly and yearly"},
        {"title": "SSO", "text": ""},
        {"title": "API", "text": "REST: JSON"},
    ]
    assert features_from_text(features_to_text(features)) == features
    specs = specs_from_text("Deployment: Cloud\nUsers: 5")
    assert specs_from_text(specs_to_text(specs)) == specs
    assert error_of(specs_from_text, "Deployment Cloud").field == "specs"
    assert error_of(specs_from_text, "Deployment:").field == "specs"
    assert error_of(features_from_text, ": no title").field == "features"


@pytest.mark.parametrize(
    ("text", "currency", "minor"),
    [
        ("49", "USD", 4900),
        ("49.5", "USD", 4950),
        ("250,000.00", "USD", 25_000_000),
        (" 0 ", "EUR", 0),
        ("1500", "JPY", 1500),
        ("10000000", "USD", MAX_UNIT_AMOUNT),
    ],
)
def test_parse_amount(text, currency, minor):
    assert parse_amount(text, currency) == minor
    assert parse_amount(format_amount(minor, currency), currency) == minor


@pytest.mark.parametrize(
    ("text", "currency", "message"),
    [
        ("", "USD", "Enter a price"),
        ("-1", "USD", "negative"),
        ("abc", "USD", "not a number"),
        ("NaN", "USD", "not a number"),
        ("Infinity", "USD", "not a number"),
        ("1e400", "USD", "maximum"),
        ("10000000.01", "USD", "maximum"),
        ("49.999", "USD", "at most 2 decimals"),
        ("10.5", "JPY", "no decimals"),
        ("9" * 40, "USD", "not a number"),
    ],
)
def test_bad_amounts(text, currency, message):
    error = error_of(parse_amount, text, currency)
    assert error.field == "amount" and message in str(error)


@pytest.mark.parametrize("code", ["usd", " eur ", "GBP", "JPY"])
def test_iso_currencies(code):
    assert check_currency(code) == code.strip().upper()


@pytest.mark.parametrize("code", ["", "US", "USDX", "XYZ", "$", "KWD", "12A"])
def test_bad_currencies(code):
    assert error_of(check_currency, code).field == "currency"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"unit_amount": -1}, "amount"),
        ({"unit_amount": MAX_UNIT_AMOUNT + 1}, "amount"),
        ({"unit_amount": 10.5}, "amount"),
        ({"currency": "ABC"}, "currency"),
        ({"billing": "weekly"}, "billing"),
        ({"min_quantity": 0}, "min_quantity"),
        ({"min_quantity": 5, "max_quantity": 4}, "max_quantity"),
        ({"max_quantity": 100_001}, "max_quantity"),
        ({"name": ""}, "name"),
    ],
)
def test_plan_rules(db, fields, field):
    product = make_product()
    values = {"name": "Team", "unit_amount": 4900}
    values.update(fields)
    assert error_of(add_plan, product, PlanData(**values)).field == field
    assert db.session.scalar(select(func.count()).select_from(Plan)) == 0


def test_big_ticket_plan_and_price_change_keeps_old_orders(db, make_user):
    user = db.session.merge(make_user())
    product = make_product()
    plan = add_plan(product, PlanData("Enterprise licence", 25_000_000, billing="one_time"))
    order = make_paid_order(user, plan)
    update_plan(plan, PlanData("Enterprise licence", 27_500_000, billing="one_time"))
    assert order.lines[0].unit_amount == 25_000_000
    archive_product(product)
    db.session.commit()
    assert db.session.get(Product, product.id).is_archived
    assert order.lines[0].product_id == product.id


def test_pdf_resource_is_validated_and_stored(db, catalog_files):
    product = make_product()
    resource = add_resource(
        product, "datasheet", "Datasheet", pdf=make_pdf("Datasheet"), folder=catalog_files
    )
    path = pdf_path(catalog_files, resource.file_key)
    assert path is not None and path.read_bytes().startswith(b"%PDF-")
    assert resource.file_key not in ("Datasheet", "datasheet.pdf")
    assert delete_resource(resource) == resource.file_key


def _encrypted_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.encrypt("secret")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "Choose a PDF"),
        (b"MZ\x90\x00 an executable", "not a PDF"),
        (b"<html><script>alert(1)</script></html>", "not a PDF"),
        (b"%PDF-1.7\n garbage without any structure", "could not be read"),
        (make_pdf()[:200], "could not be read"),
    ],
)
def test_bad_uploads_are_refused(db, catalog_files, data, message):
    product = make_product()
    error = error_of(add_resource, product, "guide", "Guide", pdf=data, folder=catalog_files)
    assert error.field == "file" and message in str(error)
    assert not catalog_files.exists() or not any(catalog_files.iterdir())


def test_encrypted_and_oversized_pdfs(monkeypatch):
    with pytest.raises(ValueError, match="password"):
        check_pdf(_encrypted_pdf())
    monkeypatch.setattr("portal.catalog.files.MAX_PDF_BYTES", 100)
    with pytest.raises(ValueError, match="larger than"):
        check_pdf(make_pdf())


@pytest.mark.parametrize(
    "url", ["", "javascript:alert(1)", "ftp://videos.example/x", "https://", "x" * 501]
)
def test_video_links_must_be_web_links(db, url):
    product = make_product()
    assert error_of(add_resource, product, "video", "Tour", url=url).field == "url"


def test_resource_kind_and_file_requirements(db, catalog_files):
    product = make_product()
    assert error_of(add_resource, product, "podcast", "X").field == "kind"
    assert error_of(add_resource, product, "guide", "X", folder=catalog_files).field == "file"


def test_pdf_path_refuses_odd_keys(catalog_files):
    assert pdf_path(catalog_files, "../../etc/passwd") is None
    assert pdf_path(catalog_files, None) is None
    assert pdf_path(catalog_files, "0" * 32) is None  # well-formed but missing


def test_plan_factory_is_compatible(db):
    # the shared factory and the rules agree on what a valid plan is
    plan = make_plan(make_product())
    update_plan(plan, PlanData(plan.name, plan.unit_amount, max_quantity=plan.max_quantity))
