"""The one-page product sheet: generated from the product's data with fpdf2.

It is the page a buyer forwards to colleagues and reads before any call, so it carries what
matters for a decision: what the product does, its specifications and every price. Long copy
is trimmed until the sheet fits on one page.
"""

from __future__ import annotations

from datetime import UTC, datetime

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace

from portal.catalog.text import markdown_blocks
from portal.models import Product
from portal.templating import money

BRAND = (31, 58, 95)
MUTED = (90, 98, 110)
INK = (20, 24, 30)
CELL_FILL = (255, 255, 255)
HEADING_FILL = (228, 234, 242)
RULE = (190, 198, 208)
# The PDF core fonts speak Latin-1: typographic characters get a plain stand-in.
_PLAIN = str.maketrans(
    {
        "—": "-",
        "–": "-",
        "‘": "'",
        "’": "'",
        "“": '"',
        "”": '"',
        "…": "...",
        "•": "-",
        "€": "EUR ",
        "→": "->",
        "≥": ">=",
        "≤": "<=",
        "\u00a0": " ",
        "\u202f": " ",
    }
)
# (description characters, features, specs) — tried in order until the sheet fits one page.
_BUDGETS = ((1100, 6, 10), (800, 5, 8), (500, 4, 6), (300, 3, 4), (0, 2, 3))


def plain(text: str | None) -> str:
    return (text or "").translate(_PLAIN).encode("latin-1", "replace").decode("latin-1")


def _shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(".,;: ")
    return f"{cut}..."


class _Sheet(FPDF):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font("Helvetica", size=7.5)
        self.set_text_color(*MUTED)
        self.multi_cell(0, 3.6, self.footer_text, align="C")


def build_product_sheet(
    product: Product, vendor: str, base_url: str, today: datetime | None = None
) -> bytes:
    """The product sheet as PDF bytes (always one page)."""
    for budget in _BUDGETS:
        pdf = _render(product, vendor, base_url.rstrip("/"), today or datetime.now(UTC), budget)
        if pdf.pages_count == 1:
            break
    return bytes(pdf.output())


def _render(product: Product, vendor: str, base: str, today: datetime, budget) -> _Sheet:
    chars, max_features, max_specs = budget
    pdf = _Sheet(format="A4")
    pdf.set_title(plain(f"{product.name} - product sheet"))
    pdf.set_author(plain(vendor))
    pdf.set_creator("Testdrive")
    pdf.footer_text = plain(
        f"Try {product.name} on your own data: {base}/try/{product.slug}    "
        f"Full details: {base}/products/{product.slug}\n"
        f"Prices as of {today:%d %B %Y}, excluding taxes. {vendor}."
    )
    pdf.set_margins(16, 14, 16)
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.add_page()
    _header(pdf, product, vendor)
    _overview(pdf, product, chars, max_features, max_specs)
    _plans(pdf, product.active_plans)
    return pdf


def _header(pdf: _Sheet, product: Product, vendor: str) -> None:
    """The brand band, the product's name, tagline, category and use cases."""
    pdf.set_fill_color(*BRAND)
    pdf.rect(0, 0, pdf.w, 11, style="F")
    pdf.set_xy(16, 3)
    pdf.set_text_color(255, 255, 255)
    pdf.set_font("Helvetica", "B", 9)
    pdf.cell(0, 5, plain(vendor))
    pdf.set_xy(16, 3)
    pdf.set_font("Helvetica", size=9)
    pdf.cell(0, 5, "Product sheet", align="R")
    pdf.set_y(16)

    pdf.set_text_color(20, 24, 30)
    pdf.set_font("Helvetica", "B", 22)
    pdf.multi_cell(0, 9, plain(product.name), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if product.tagline:
        pdf.set_font("Helvetica", "I", 12)
        pdf.set_text_color(*MUTED)
        pdf.multi_cell(0, 6, plain(product.tagline), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    meta = " | ".join(filter(None, [product.category, ", ".join(product.use_cases or [])]))
    if meta:
        pdf.set_font("Helvetica", size=9)
        pdf.multi_cell(0, 5, plain(meta), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)


def _overview(pdf: _Sheet, product: Product, chars: int, max_features: int, max_specs: int):
    """What it is, what it does and its specifications, within the page's budget."""
    blocks = _budgeted(markdown_blocks(product.description_md), chars)
    if blocks:
        _heading(pdf, "Overview")
        for kind, text in blocks:
            _block(pdf, kind, text)
    features = (product.features or [])[:max_features]
    if features:
        _heading(pdf, "What it does")
        for feature in features:
            pdf.set_font("Helvetica", "B", 9.5)
            pdf.write(4.8, plain(f"-  {feature.get('title', '')}"))
            if feature.get("text"):
                pdf.set_font("Helvetica", size=9.5)
                pdf.write(4.8, plain(f" - {_shorten(feature['text'], 220)}"))
            pdf.ln(5.4)
    specs = (product.specs or [])[:max_specs]
    if specs:
        _heading(pdf, "Specifications")
        with _table(pdf, col_widths=(55, 123), first_row_as_headings=False) as table:
            for label, value in specs:
                row = table.row()
                row.cell(plain(label), style=FontFace(emphasis="BOLD", color=INK))
                row.cell(plain(_shorten(str(value), 160)))


def _budgeted(blocks: list[tuple[str, str]], chars: int) -> list[tuple[str, str]]:
    """The description's blocks up to ``chars`` characters; the last one shortened."""
    kept, left = [], chars
    for kind, text in blocks:
        if left < 40:
            break
        kept.append((kind, _shorten(text, left)))
        left -= len(text)
    return kept


def _block(pdf: _Sheet, kind: str, text: str) -> None:
    """A paragraph, or a bullet on a line of its own with its text indented after it."""
    pdf.set_font("Helvetica", size=10)
    pdf.set_text_color(*INK)
    if kind == "bullet":
        pdf.set_x(pdf.l_margin + 2)
        pdf.cell(4, 5, "-")
        pdf.multi_cell(pdf.epw - 6, 5, plain(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    else:
        pdf.multi_cell(0, 5, plain(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(1.2)


def _table(pdf: _Sheet, **options):
    """A table of dark text on white cells (headings: bold on a light fill). The fills are
    set here on purpose: left to fpdf2, a table takes the last fill colour drawn, which on
    this sheet is the navy of the header band."""
    pdf.set_font("Helvetica", size=9)
    pdf.set_text_color(*INK)
    pdf.set_fill_color(*CELL_FILL)
    pdf.set_draw_color(*RULE)
    return pdf.table(
        line_height=4.8,
        borders_layout="HORIZONTAL_LINES",
        cell_fill_color=CELL_FILL,
        cell_fill_mode="ALL",
        headings_style=FontFace(emphasis="BOLD", color=INK, fill_color=HEADING_FILL),
        padding=(1, 1.5),
        **options,
    )


def _plans(pdf: _Sheet, plans) -> None:
    _heading(pdf, "Plans and prices")
    if not plans:
        pdf.set_font("Helvetica", size=10)
        pdf.multi_cell(0, 5, "Prices on request.", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        return
    with _table(
        pdf, col_widths=(50, 34, 44, 50), text_align=("LEFT", "RIGHT", "LEFT", "LEFT")
    ) as table:
        heading = table.row()
        for title in ("Plan", "Price", "Billing", "Quantity"):
            heading.cell(title)
        for plan in plans:
            row = table.row()
            row.cell(plain(plan.name))
            row.cell(plain(money(plan.unit_amount, plan.currency)))
            row.cell(plain(plan.billing_label))
            unit = "seats" if plan.per_seat else "units"
            if plan.min_quantity == plan.max_quantity:
                quantity = f"{plan.min_quantity} {unit}" if plan.per_seat else "-"
            else:
                quantity = f"{plan.min_quantity}-{plan.max_quantity:,} {unit}"
            row.cell(quantity)


def _heading(pdf: FPDF, title: str) -> None:
    pdf.ln(2.5)
    pdf.set_font("Helvetica", "B", 11.5)
    pdf.set_text_color(*BRAND)
    pdf.cell(0, 6, title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_draw_color(*BRAND)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
    pdf.ln(1.5)
    pdf.set_text_color(20, 24, 30)


def build_document_pdf(title: str, subtitle: str, sections: list[tuple[str, str]]) -> bytes:
    """A simple multi-section document (the demo catalog's datasheets and guides)."""
    pdf = _Sheet(format="A4")
    pdf.footer_text = plain(subtitle)
    pdf.set_title(plain(title))
    pdf.set_margins(18, 18, 18)
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 20)
    pdf.set_text_color(*BRAND)
    pdf.multi_cell(0, 9, plain(title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Helvetica", "I", 11)
    pdf.set_text_color(*MUTED)
    pdf.multi_cell(0, 6, plain(subtitle), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    for heading, body in sections:
        _heading(pdf, plain(heading))
        pdf.set_font("Helvetica", size=10.5)
        pdf.multi_cell(0, 5.4, plain(body), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(pdf.output())
