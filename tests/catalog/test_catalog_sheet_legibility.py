"""The product sheet reads well: sections in reading order, the Specifications and Plans tables
dark text on a light background (the navy header band once leaked into every cell), and each
bullet of the overview on a line of its own."""

from __future__ import annotations

import pytest
from fpdf import FPDF

from portal.catalog.seed import seed_catalog
from portal.catalog.services import get_product
from portal.catalog.sheet import build_product_sheet
from portal.catalog.text import markdown_blocks
from tests.pdf_checks import assert_legible, in_reading_order, pdf_text, require_poppler

SLUGS = ("pipeline-lens", "data-doctor", "demand-radar", "segment-studio")


@pytest.fixture
def sheets(db):
    require_poppler()
    seed_catalog()
    return {
        slug: (get_product(slug), build_product_sheet(get_product(slug), "Northwind", "http://x"))
        for slug in SLUGS
    }


def test_every_sheet_reads_in_order_with_light_tables(sheets):
    for slug, (product, pdf) in sheets.items():
        text = pdf_text(pdf)
        order = [product.name, "Overview", "What it does", "Specifications", "Plans and prices"]
        assert in_reading_order(text, order), slug
        spec_label = product.specs[0][0].split()[0]
        plan_name = product.active_plans[0].name.split()[0]
        assert_legible(pdf, [spec_label, "Plan", "Price", "Billing", plan_name])


def test_overview_bullets_are_on_lines_of_their_own(sheets):
    checked = 0
    for slug, (product, pdf) in sheets.items():
        lines = [" ".join(line.split()) for line in pdf_text(pdf, layout=True).splitlines()]
        blocks = markdown_blocks(product.description_md)
        bullets = [text for kind, text in blocks if kind == "bullet"]
        for bullet in bullets[:2]:  # the sheet's budget may shorten the list, never the first two
            start = " ".join(bullet.split()[:3])
            starting = [line for line in lines if line.startswith(f"- {start}")]
            assert len(starting) == 1, (slug, bullet, lines)
            checked += 1
    assert checked >= 2  # the demo catalog has bullet lists


def test_the_contrast_check_catches_dark_text_on_navy():
    """The check itself: the old sheet's cells (dark text on the brand's navy) fail it."""
    require_poppler()
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=10)
    pdf.set_fill_color(31, 58, 95)
    pdf.set_text_color(20, 24, 30)
    pdf.cell(80, 8, "Deployment", fill=True)
    with pytest.raises(AssertionError, match="dark background"):
        assert_legible(bytes(pdf.output()), ["Deployment"])
