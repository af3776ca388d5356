"""The demo catalog: four products, one per sandbox recipe, from $29/month to $250,000."""

import io

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from portal.catalog.files import files_folder, pdf_path
from portal.catalog.search import search_catalog
from portal.catalog.seed import seed_catalog
from portal.catalog.services import get_product
from portal.catalog.sheet import build_product_sheet
from portal.models import Plan, Product

RECIPES = {
    "pipeline-lens": "pipeline_lens",
    "data-doctor": "data_doctor",
    "demand-radar": "demand_radar",
    "segment-studio": "segment_studio",
}


def test_seed_catalog_is_complete_and_idempotent(app, db):
    lines = seed_catalog()
    db.session.commit()
    assert "created" in lines[0]
    assert "already there" in seed_catalog()[0]
    db.session.commit()
    products = db.session.scalars(select(Product).order_by(Product.sort_order)).all()
    assert {p.slug: p.recipe for p in products} == RECIPES
    assert db.session.scalar(select(func.count()).select_from(Plan)) == 12
    amounts = db.session.scalars(select(Plan.unit_amount)).all()
    assert min(amounts) <= 5000  # a small monthly subscription
    assert max(amounts) == 25_000_000  # the $250,000 enterprise licence
    big = db.session.scalar(select(Plan).where(Plan.unit_amount == 25_000_000))
    assert (big.currency, big.billing, big.product.slug) == ("USD", "one_time", "demand-radar")
    folder = files_folder(app)
    for product in products:
        assert len(product.features) >= 5 and len(product.specs) >= 5 and len(product.faqs) >= 4
        kinds = sorted(r.kind for r in product.resources)
        assert kinds == ["datasheet", "guide", "video"]
        for resource in product.resources:
            if resource.is_file:
                data = pdf_path(folder, resource.file_key).read_bytes()
                assert len(PdfReader(io.BytesIO(data)).pages) >= 1
    assert search_catalog("duplicates").hits[0].product_slug == "data-doctor"
    assert search_catalog("churn").hits[0].product_slug == "segment-studio"


def test_every_demo_sheet_fits_one_page(app, db):
    seed_catalog()
    for slug in RECIPES:
        product = get_product(slug)
        pdf = PdfReader(io.BytesIO(build_product_sheet(product, "Northwind Analytics", "http://x")))
        assert len(pdf.pages) == 1, slug
        text = pdf.pages[0].extract_text()
        assert product.name in text
        for plan in product.active_plans:
            assert plan.name in text


@pytest.mark.seeded_demo
def test_seed_demo_command(runner, db, seed_demo_output):
    assert "Catalog: created Pipeline Lens, Data Doctor, Demand Radar, Segment Studio" in (
        seed_demo_output
    )
    result = runner.invoke(args=["catalog", "reindex"])
    assert result.exit_code == 0 and "Search index rebuilt: 32 entries" in result.output
