"""Catalog administration pages: access control, validation, preview, archive, plans, files."""

import io

import pytest
from sqlalchemy import func, select

from portal.catalog.search import search_catalog
from portal.models import Faq, Plan, Product, Resource
from tests.factories import make_pdf, make_plan, make_product

PRODUCT_FORM = {
    "name": "Churn Compass",
    "slug": "churn-compass",
    "tagline": "Know who is about to leave",
    "category": "Customer analytics",
    "use_cases": "Churn prevention, Customer segmentation",
    "description_md": "Spot **churn** early. <script>alert(1)</script>",
    "features": "Churn risk: Ranked by value\nAlerts",
    "specs": "Deployment: Cloud\nUsers: Per seat",
    "recipe": "segment_studio",
    "sort_order": "5",
    "action": "save",
}
ADMIN_PAGES = [
    ("get", "/admin/catalog"),
    ("get", "/admin/catalog/new"),
    ("post", "/admin/catalog/new"),
    ("get", "/admin/catalog/{id}"),
    ("get", "/admin/catalog/{id}/edit"),
    ("get", "/admin/catalog/{id}/preview"),
    ("post", "/admin/catalog/{id}/archive"),
    ("post", "/admin/catalog/{id}/restore"),
    ("get", "/admin/catalog/{id}/plans/new"),
    ("get", "/admin/catalog/plans/{plan}/edit"),
    ("post", "/admin/catalog/plans/{plan}/archive"),
    ("get", "/admin/catalog/{id}/resources/new"),
    ("get", "/admin/catalog/{id}/faq/new"),
]


def count(db, model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def product(db):
    product = make_product(slug="existing", name="Existing Product")
    make_plan(product)
    db.session.commit()
    return {"id": product.id, "plan": product.plans[0].id}


# One signed-in client per role for every page: signing in (a password hash) is the slow part.
def test_buyers_and_sellers_get_403(buyer_client, seller_client, db, product):
    for method, path in ADMIN_PAGES:
        url = path.format(**product)
        for client in (buyer_client, seller_client):
            response = getattr(client, method)(url, data=PRODUCT_FORM if method == "post" else None)
            assert response.status_code == 403, f"{client.user.role} {method} {url}"
    assert count(db, Product) == 1
    assert db.session.get(Product, product["id"]).is_active


def test_anonymous_visitors_are_sent_to_sign_in(client, product):
    for method, path in ADMIN_PAGES:
        response = getattr(client, method)(path.format(**product))
        assert response.status_code == 302 and "/login" in response.location, path


def test_admin_index_links_the_catalog(admin_client, product):
    assert 'href="/admin/catalog"' in admin_client.get("/admin/").text
    page = admin_client.get("/admin/catalog").text
    assert "Existing Product" in page and "In the catalog" in page


def test_create_product(admin_client, db):
    assert admin_client.get("/admin/catalog/new").status_code == 200
    response = admin_client.post("/admin/catalog/new", data=PRODUCT_FORM)
    assert response.status_code == 302
    product = db.session.scalar(select(Product).where(Product.slug == "churn-compass"))
    assert response.location.endswith(f"/admin/catalog/{product.id}")
    assert product.use_cases == ["Churn prevention", "Customer segmentation"]
    assert product.features[1] == {"title": "Alerts", "text": ""}
    assert product.specs == [["Deployment", "Cloud"], ["Users", "Per seat"]]
    assert [h.product_slug for h in search_catalog("churn").hits] == ["churn-compass"]
    page = admin_client.get("/products/churn-compass").text
    assert "<strong>churn</strong>" in page and "alert(1)" not in page


PRODUCT_ERRORS = [
    ({"slug": "existing"}, "slug", "already used"),
    ({"slug": "Not A Slug!"}, "slug", "lower-case letters"),
    ({"name": ""}, "name", "Give the product a name"),
    ({"specs": "No colon here"}, "specs", "Label: value"),
    ({"recipe": "DROP TABLE"}, "recipe", "code such as"),
    ({"sort_order": "many"}, "sort_order", "Not a valid integer"),
]


def test_product_validation_errors(admin_client, db, product):
    for changes, field, message in PRODUCT_ERRORS:
        response = admin_client.post("/admin/catalog/new", data={**PRODUCT_FORM, **changes})
        assert response.status_code == 422, changes
        assert message in response.text, changes
        assert f'id="{field}-error"' in response.text, changes
        assert 'aria-invalid="true"' in response.text
    assert count(db, Product) == 1


def test_csrf_is_required(admin_client, db):
    response = admin_client.post("/admin/catalog/new", data=PRODUCT_FORM, csrf=False)
    assert response.status_code in (400, 422)
    assert count(db, Product) == 0


def test_preview_shows_sanitised_copy_without_saving(admin_client, db, product):
    data = {
        **PRODUCT_FORM,
        "action": "preview",
        "description_md": "# Big\n[x](javascript:alert(1))",
    }
    response = admin_client.post("/admin/catalog/new", data=data)
    assert response.status_code == 200
    assert "Preview, not saved yet" in response.text
    assert "javascript:" not in response.text.split("Preview, not saved yet")[1]
    assert count(db, Product) == 1
    # previews also apply every rule
    response = admin_client.post("/admin/catalog/new", data={**data, "slug": "existing"})
    assert response.status_code == 422 and "already used" in response.text


def test_edit_product(admin_client, db, product):
    form = admin_client.get(f"/admin/catalog/{product['id']}/edit").text
    assert 'value="existing"' in form and "Forecasting" in form  # use cases pre-filled
    data = {**PRODUCT_FORM, "slug": "existing", "name": "Renamed Product"}
    response = admin_client.post(f"/admin/catalog/{product['id']}/edit", data=data)
    assert response.status_code == 302
    assert db.session.get(Product, product["id"]).name == "Renamed Product"


def test_full_page_preview_of_an_archived_product(admin_client, db, product):
    admin_client.post(f"/admin/catalog/{product['id']}/archive")
    page = admin_client.get(f"/admin/catalog/{product['id']}/preview").text
    assert "This is how buyers see Existing Product" in page and "archived" in page
    assert admin_client.get("/products/existing").status_code == 404


def test_archive_and_restore(admin_client, db, product):
    response = admin_client.post(f"/admin/catalog/{product['id']}/archive", follow_redirects=True)
    assert "is archived" in response.text
    assert db.session.get(Product, product["id"]).is_archived
    assert "Existing Product" not in admin_client.get("/products").text
    assert search_catalog("existing").hits == []
    admin_client.post(f"/admin/catalog/{product['id']}/restore")
    db.session.expire_all()
    assert db.session.get(Product, product["id"]).is_active
    assert "Existing Product" in admin_client.get("/products").text
    assert admin_client.post(f"/admin/catalog/{product['id']}/archive", csrf=False).status_code in (
        302,
        400,
    )


def test_unknown_ids_are_404(admin_client):
    for url in ("/admin/catalog/999", "/admin/catalog/999/edit", "/admin/catalog/plans/999/edit"):
        assert admin_client.get(url).status_code == 404


PLAN_FORM = {
    "name": "Enterprise licence",
    "amount": "250,000.00",
    "currency": "usd",
    "billing": "one_time",
    "min_quantity": "1",
    "max_quantity": "1",
    "sort_order": "0",
}


def test_add_a_big_ticket_plan(admin_client, db, product):
    response = admin_client.post(f"/admin/catalog/{product['id']}/plans/new", data=PLAN_FORM)
    assert response.status_code == 302
    plan = db.session.scalar(select(Plan).where(Plan.name == "Enterprise licence"))
    assert (plan.unit_amount, plan.currency, plan.billing) == (25_000_000, "USD", "one_time")
    assert "$250,000.00" in admin_client.get("/products/existing").text
    form = admin_client.get(f"/admin/catalog/plans/{plan.id}/edit").text
    assert 'value="250000.00"' in form


PLAN_ERRORS = [
    ({"amount": "-5"}, "amount", "cannot be negative"),
    ({"amount": "99999999999"}, "amount", "above the maximum"),
    ({"amount": "12.345"}, "amount", "at most 2 decimals"),
    ({"amount": "free"}, "amount", "not a number"),
    ({"currency": "XXX"}, "currency", "ISO 4217"),
    ({"min_quantity": "0"}, "min_quantity", "Number must be"),
    ({"min_quantity": "5", "max_quantity": "2"}, "max_quantity", "below the minimum"),
    ({"billing": "hourly"}, "billing", "Not a valid choice"),
]


def test_plan_validation_errors(admin_client, db, product):
    url = f"/admin/catalog/{product['id']}/plans/new"
    for changes, field, message in PLAN_ERRORS:
        response = admin_client.post(url, data={**PLAN_FORM, **changes})
        assert response.status_code == 422, changes
        assert message in response.text and f'id="{field}-error"' in response.text, changes
    assert count(db, Plan) == 1


def test_archive_a_plan(admin_client, db, product):
    admin_client.post(f"/admin/catalog/plans/{product['plan']}/archive")
    assert not db.session.get(Plan, product["plan"]).is_active
    assert (
        "Prices for Existing Product are on request" in admin_client.get("/products/existing").text
    )
    admin_client.post(f"/admin/catalog/plans/{product['plan']}/restore")
    db.session.expire_all()
    assert db.session.get(Plan, product["plan"]).is_active


def test_upload_a_datasheet(admin_client, db, product, catalog_files):
    data = {
        "kind": "datasheet",
        "title": "Existing datasheet",
        "summary": "All the facts",
        "sort_order": "0",
        "file": (io.BytesIO(make_pdf("facts")), "../../evil name.pdf"),
    }
    url = f"/admin/catalog/{product['id']}/resources/new"
    response = admin_client.post(url, data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    resource = db.session.scalar(select(Resource))
    assert resource.file_key and "evil" not in resource.file_key
    assert [p.name for p in catalog_files.iterdir()] == [f"{resource.file_key}.pdf"]
    download = admin_client.get(f"/resources/{resource.id}")
    assert download.data.startswith(b"%PDF-")
    download.close()

    # replacing the file removes the old one after the commit
    edit = f"/admin/catalog/resources/{resource.id}/edit"
    data = {"title": "New title", "summary": "", "sort_order": "0"}
    data["file"] = (io.BytesIO(make_pdf("v2")), "v2.pdf")
    assert admin_client.post(edit, data=data, content_type="multipart/form-data").status_code == 302
    db.session.expire_all()
    assert [p.name for p in catalog_files.iterdir()] == [f"{resource.file_key}.pdf"]

    admin_client.post(f"/admin/catalog/resources/{resource.id}/delete")
    assert count(db, Resource) == 0 and list(catalog_files.iterdir()) == []


BAD_UPLOADS = [
    ((b"#!/bin/sh\nrm -rf /", "script.pdf"), "not a PDF"),
    ((b"%PDF-1.4\nnonsense", "broken.pdf"), "could not be read"),
    (None, "Choose a PDF file"),
]


def test_bad_uploads_get_a_422(admin_client, db, product, catalog_files):
    url = f"/admin/catalog/{product['id']}/resources/new"
    for upload, message in BAD_UPLOADS:
        data = {"kind": "guide", "title": "Guide", "summary": "", "sort_order": "0"}
        if upload:
            data["file"] = (io.BytesIO(upload[0]), upload[1])
        response = admin_client.post(url, data=data, content_type="multipart/form-data")
        assert response.status_code == 422, message
        assert message in response.text and 'id="file-error"' in response.text
    assert count(db, Resource) == 0
    assert not catalog_files.exists() or list(catalog_files.iterdir()) == []


def test_video_resource_and_bad_link(admin_client, db, product):
    url = f"/admin/catalog/{product['id']}/resources/new"
    data = {"kind": "video", "title": "Tour", "summary": "", "sort_order": "0"}
    bad = admin_client.post(url, data={**data, "url": "javascript:alert(1)"})
    assert bad.status_code == 422
    good = admin_client.post(url, data={**data, "url": "https://videos.example/tour"})
    assert good.status_code == 302
    assert db.session.scalar(select(Resource.url)) == "https://videos.example/tour"


def test_faq_crud(admin_client, db, product):
    url = f"/admin/catalog/{product['id']}/faq/new"
    assert admin_client.post(url, data={"question": "Q?", "answer_md": ""}).status_code == 422
    data = {"question": "Is there an on-premises option?", "answer_md": "Yes, **always**."}
    assert admin_client.post(url, data=data).status_code == 302
    faq = db.session.scalar(select(Faq))
    page = admin_client.get("/products/existing").text
    assert "Is there an on-premises option?" in page and "<strong>always</strong>" in page
    assert search_catalog("premises").hits[0].kind == "faq"
    edit = f"/admin/catalog/faq/{faq.id}/edit"
    admin_client.post(edit, data={"question": "Renamed?", "answer_md": "No."})
    db.session.expire_all()
    assert db.session.get(Faq, faq.id).question == "Renamed?"
    admin_client.post(f"/admin/catalog/faq/{faq.id}/delete")
    assert count(db, Faq) == 0


def test_control_characters_in_admin_forms(admin_client, db, product):
    data = {
        **PRODUCT_FORM,
        "name": "Nul\x00Product",
        "description_md": "Line one\x00\r\nLine two",
        "specs": "Deploy\x00ment: Cloud",
    }
    assert admin_client.post("/admin/catalog/new", data=data).status_code == 302
    created = db.session.scalar(select(Product).where(Product.slug == "churn-compass"))
    assert created.name == "Nul Product"
    assert created.description_md == "Line one \nLine two"
    plan = {**PLAN_FORM, "name": "Plan\x00", "amount": "4\x009"}
    response = admin_client.post(f"/admin/catalog/{created.id}/plans/new", data=plan)
    assert response.status_code in (302, 422)
    video = {"kind": "video", "title": "T", "url": "https://v.example/\x00x", "sort_order": "0"}
    response = admin_client.post(f"/admin/catalog/{created.id}/resources/new", data=video)
    assert response.status_code == 422
