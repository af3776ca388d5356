"""The buyer's pages: home, products, product page, compare, search, sheet, resources."""

import io

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from portal.catalog.staff_services import add_resource, archive_product
from portal.models import Event
from tests.factories import make_pdf, make_resource


def events(db) -> list[Event]:
    db.session.expire_all()
    return db.session.scalars(select(Event).order_by(Event.id)).all()


def test_home_shows_featured_products_and_the_try_path(client, small_catalog):
    page = client.get("/").text
    assert "Featured products" in page
    assert "Demand Radar" in page and "From $199.00" in page
    assert "Try it on your own data" in page
    assert 'href="/products?category=Forecasting"' in page


def test_home_without_products(client):
    assert "being prepared" in client.get("/").text


def test_products_page_filters_sorts_and_paginates(client, db, small_catalog):
    page = client.get("/products").text
    assert "3 products" in page
    for name in ("Demand Radar", "Data Doctor", "Pipeline Lens"):
        assert name in page
    page = client.get("/products?category=Forecasting").text
    assert "1 product" in page and "Data Doctor" not in page
    page = client.get("/products?use_case=Demand+forecasting&sort=price_asc").text
    assert page.index("Pipeline Lens") < page.index("Demand Radar")
    assert "Data Doctor" not in page


@pytest.mark.parametrize(
    "query",
    [
        "?page=999",
        "?page=-3",
        "?page=abc",
        "?sort=nonsense",
        "?category=" + "x" * 5000,
        "?category=%27%20OR%201%3D1--",
        "?use_case=%00",
    ],
)
def test_products_page_survives_bad_parameters(client, small_catalog, query):
    response = client.get("/products" + query)
    assert response.status_code == 200
    assert "Products" in response.text


def test_products_page_empty_filter_result(client, small_catalog):
    page = client.get("/products?category=Nothing").text
    assert "No product matches these filters" in page


def test_pagination(client, db):
    from tests.factories import make_product

    for n in range(15):
        make_product(slug=f"p-{n:02d}", name=f"P {n:02d}")
    db.session.commit()
    first = client.get("/products?sort=name").text
    assert "P 00" in first and "P 12" not in first
    second = client.get("/products?sort=name&page=2").text
    assert "P 12" in second and 'aria-current="page"' in second
    assert "past the end" in client.get("/products?page=9").text


def test_product_page(client, small_catalog):
    page = client.get("/products/demand-radar").text
    assert "<h1" in page and "Demand Radar" in page
    assert "$199.00" in page and "$250,000.00" in page and "one-time" in page
    assert "<strong>order history</strong>" in page  # Markdown rendered
    assert "Seasonality" in page and "Deployment" in page
    assert "/products/demand-radar/sheet.pdf" in page


def test_product_page_escapes_and_sanitises(client, db, small_catalog):
    radar = small_catalog["radar"]
    radar.description_md = "Hi <script>alert(1)</script> [x](javascript:alert(2))"
    radar.tagline = "<img src=x onerror=alert(3)>"
    db.session.commit()
    page = client.get("/products/demand-radar").text
    assert "alert(1)" not in page and "javascript:" not in page
    assert "<img src=x" not in page and "&lt;img src=x" in page


@pytest.mark.parametrize("slug", ["nope", "x" * 300, "DEMAND-RADAR", "%3Cscript%3E"])
def test_unknown_product_is_a_404_page(client, small_catalog, slug):
    response = client.get(f"/products/{slug}")
    assert response.status_code == 404
    assert "couldn" in response.text


def test_archived_product_is_a_friendly_404(client, db, small_catalog):
    archive_product(small_catalog["doctor"])
    db.session.commit()
    response = client.get("/products/data-doctor")
    assert response.status_code == 404
    assert "Data Doctor is no longer offered" in response.text
    assert client.get("/products/data-doctor/sheet.pdf").status_code == 404


def test_product_page_links_to_trial_voices_and_cart(app, small_catalog):
    page = app.test_client().get("/products/demand-radar").text
    assert 'href="/try/demand-radar"' in page and "Try it on your data" in page
    assert 'href="/products/demand-radar/testimonials"' in page and "Talk to a customer" in page
    radar_plans = small_catalog["radar"].plans
    assert page.count('action="/cart/items"') == len(radar_plans)
    for plan in radar_plans:
        assert f'name="plan_id" value="{plan.id}"' in page
    assert 'name="quantity"' in page and 'name="csrf_token"' in page


def test_product_view_is_recorded_only_with_consent(client, visitor_client, db, small_catalog):
    client.get("/products/demand-radar")  # visitor_client is the same client: consent now set
    assert [(e.kind, e.product_id) for e in events(db)] == [
        ("product_viewed", small_catalog["radar"].id)
    ]


def test_no_consent_no_events(app, db, small_catalog):
    anonymous = app.test_client()
    anonymous.get("/products/demand-radar")
    anonymous.get("/search?q=nothing-here")
    anonymous.get("/products/demand-radar/sheet.pdf")
    assert events(db) == []


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "Pick two to 4 products"),
        ("?p=", "Pick two to 4 products"),
        ("?p=demand-radar", "Pick at least one more product"),
        ("?p=ghost,phantom", "find these products"),
        ("?p=a,b,c,d,e", "find these products"),
        ("?p=" + ",".join(["x"] * 500), "find this product"),
        ("?p=%3Cscript%3Ealert(1)%3C/script%3E", "find this product"),
    ],
)
def test_compare_helpful_pages(client, small_catalog, query, message):
    response = client.get("/compare" + query)
    assert response.status_code == 200
    assert message in response.text
    assert "<script>alert" not in response.text
    assert 'name="p"' in response.text  # a picker to choose products


def test_compare_side_by_side(visitor_client, db, small_catalog):
    response = visitor_client.get("/compare?p=demand-radar&p=data-doctor")
    page = response.text
    assert page.index("Demand Radar") < page.index("Data Doctor")
    assert "Cloud or on-premises" in page
    assert 'class="differs"' in page and "differs</span>" in page
    assert "Not included" in page
    (event,) = events(db)
    assert event.kind == "products_compared"
    assert event.props["count"] == 2


def test_compare_five_keeps_four_and_explains(client, db, small_catalog):
    from tests.factories import make_product

    for slug in ("four", "five"):
        make_product(slug=slug)
    db.session.commit()
    page = client.get("/compare?p=demand-radar,data-doctor,pipeline-lens,four,five").text
    assert "up to 4 products" in page and "<code>five</code>" in page


@pytest.mark.parametrize(
    "query",
    ["", "%20%20", "x" * 10_000, "%27%3B%20DROP%20TABLE%20product%3B--", "%22%20OR%20%221", "%00"],
)
def test_search_handles_bad_input(client, small_catalog, query):
    response = client.get(f"/search?q={query}")
    assert response.status_code == 200
    assert client.get("/products/demand-radar").status_code == 200  # nothing was dropped


def test_search_results_page(visitor_client, db, small_catalog):
    page = visitor_client.get("/search?q=forecast").text
    assert "results for “forecast”" in page and "<mark>" in page
    assert 'href="/products/demand-radar"' in page
    page = visitor_client.get("/search?q=suppliers").text
    assert 'href="/products/data-doctor#faq-' in page
    page = visitor_client.get("/search?q=Quantum+Blockchain").text
    assert "No results for “Quantum Blockchain”" in page
    recorded = [e.props for e in events(db)]
    assert [p["query"] for p in recorded] == ["forecast", "suppliers", "quantum blockchain"]
    assert recorded[0]["results"] >= 2 and recorded[1]["results"] == 1
    assert recorded[2]["results"] == 0  # the listening view's "found nothing"


def test_product_sheet_pdf(visitor_client, db, small_catalog):
    response = visitor_client.get("/products/demand-radar/sheet.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    for expected in ("Demand Radar", "Starter", "$199.00", "$250,000.00", "Deployment"):
        assert expected in text
    (event,) = events(db)
    assert (event.kind, event.product_id) == ("sheet_downloaded", small_catalog["radar"].id)


def test_resource_downloads(visitor_client, db, catalog_files, small_catalog):
    radar = small_catalog["radar"]
    sheet = add_resource(
        radar, "datasheet", "Radar datasheet", pdf=make_pdf(), folder=catalog_files
    )
    video = make_resource(radar, url="https://videos.example/radar")
    db.session.commit()
    page = visitor_client.get("/products/demand-radar").text
    assert "Radar datasheet" in page and f"/resources/{sheet.id}" in page

    response = visitor_client.get(f"/resources/{sheet.id}")
    assert response.status_code == 200 and response.data.startswith(b"%PDF-")
    assert "radar-datasheet.pdf" in response.headers["Content-Disposition"]
    response.close()
    response = visitor_client.get(f"/resources/{video.id}")
    assert response.status_code == 302 and response.location == "https://videos.example/radar"
    assert [e.props for e in events(db)][-2:] == [
        {"resource_id": sheet.id},
        {"resource_id": video.id},
    ]


def test_missing_resources_are_404(client, db, catalog_files, small_catalog):
    assert client.get("/resources/999").status_code == 404
    assert client.get("/resources/abc").status_code == 404
    resource = add_resource(
        small_catalog["doctor"], "guide", "Guide", pdf=make_pdf(), folder=catalog_files
    )
    db.session.commit()
    for path in catalog_files.iterdir():
        path.unlink()  # the file went missing on disk
    assert client.get(f"/resources/{resource.id}").status_code == 404
    archive_product(small_catalog["doctor"])
    db.session.commit()
    assert client.get(f"/resources/{resource.id}").status_code == 404


def test_control_characters_never_reach_the_database(visitor_client, db, small_catalog):
    # PostgreSQL refuses NUL in text: every entry point cleans input before querying.
    for url, status in [
        ("/products?category=%00&use_case=Demand%00forecasting", 200),
        ("/products/demand%00radar", 404),
        ("/products/%00/sheet.pdf", 404),
        ("/compare?p=demand-radar,data%00doctor,%01", 200),
        ("/search?q=fore%00cast%0Ademand", 200),
    ]:
        assert visitor_client.get(url).status_code == status, url
    (searched,) = [e for e in events(db) if e.kind == "searched"]
    assert searched.props["query"] == "fore cast demand"
