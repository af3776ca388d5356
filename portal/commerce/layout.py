"""The one layout of the business documents: quote, order confirmation / invoice, credit note
and the acceptance certificate.

Every document has the seller's letterhead (legal name, address, VAT id), a title with its
number, a facts block, the two parties, a lines table, totals, sections of plain text, and a
footer with the seller's registration and the page number. Tables are always dark text on a
light fill (headings) or on white (cells): fills are set explicitly for every row, never
inherited from whatever was drawn before.

fpdf2's core fonts speak Latin-1 only: text passes through ``safe`` first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace

from portal.commerce.addresses import address_lines, one_line_address
from portal.commerce.settings import COUNTRY_NAMES, setting
from portal.templating import ZERO_DECIMAL

INK = (20, 24, 30)
MUTED = (80, 88, 100)
BRAND = (31, 58, 95)
HEADING_FILL = (228, 234, 242)  # light blue-grey behind bold dark headings
CELL_FILL = (255, 255, 255)
RULE = (190, 198, 208)

REPLACEMENTS = {
    "—": "-",
    "–": "-",
    "’": "'",
    "‘": "'",
    "“": '"',
    "”": '"',
    "…": "...",
    "·": "-",
    "•": "-",
    "€": "EUR ",
    "\u00a0": " ",
    "\u202f": " ",
}


def safe(text: str | None) -> str:
    """Text the PDF core fonts can draw (typographic characters get plain stand-ins)."""
    text = text or ""
    for bad, good in REPLACEMENTS.items():
        text = text.replace(bad, good)
    return text.encode("latin-1", "replace").decode("latin-1")


def amount(minor: int, currency: str) -> str:
    digits = 0 if currency in ZERO_DECIMAL else 2
    return f"{currency} {minor / (10**digits):,.{digits}f}"


def day(moment: datetime) -> str:
    return moment.strftime("%d %B %Y")


@dataclass(frozen=True)
class Seller:
    """Who issues the documents, from the commerce settings."""

    legal_name: str
    address: str
    vat_id: str
    registration: str
    bank_details: str
    email: str

    @classmethod
    def from_settings(cls) -> Seller:
        return cls(
            legal_name=setting("SELLER_LEGAL_NAME"),
            address=setting("SELLER_ADDRESS"),
            vat_id=setting("SELLER_VAT_ID"),
            registration=setting("SELLER_REGISTRATION"),
            bank_details=setting("BANK_DETAILS"),
            email=setting("SELLER_EMAIL"),
        )

    @property
    def one_line_address(self) -> str:
        return one_line_address(self.address)


def buyer_lines(
    name: str, address: str, country: str, tax_id: str = "", extra: Sequence[str] = ()
) -> list[str]:
    """The buyer's block: name, address lines, country, VAT id."""
    lines = [name, *address_lines(address)]
    country_name = COUNTRY_NAMES.get(country, country)
    if country_name:
        lines.append(country_name)
    if tax_id:
        lines.append(f"VAT id: {tax_id}")
    lines.extend(extra)
    return [line for line in lines if line]


class Document(FPDF):
    """An A4 business document with the seller's letterhead and footer."""

    def __init__(self, title: str, number: str, seller: Seller, issued: datetime):
        super().__init__(format="A4")
        self.doc_title = title
        self.seller = seller
        self.set_title(safe(f"{title} {number}"))
        self.set_author(safe(seller.legal_name))
        self.set_creator("Testdrive")
        # A fixed creation date makes the bytes a function of the content (hashable, signable).
        self.set_creation_date(issued)
        self.set_margins(18, 16, 18)
        self.set_auto_page_break(auto=True, margin=22)
        self.alias_nb_pages()

    def header(self) -> None:
        self.set_fill_color(*BRAND)
        self.rect(0, 0, self.w, 4, style="F")
        self.set_xy(self.l_margin, 9)
        self.set_text_color(*INK)
        self.set_font("Helvetica", "B", 11)
        self.cell(self.epw / 2, 5, safe(self.seller.legal_name))
        self.set_font("Helvetica", "", 8.5)
        self.set_text_color(*MUTED)
        self.multi_cell(
            self.epw / 2,
            4,
            safe(f"{self.seller.one_line_address}\nVAT id {self.seller.vat_id}"),
            align="R",
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        self.set_draw_color(*RULE)
        self.line(self.l_margin, self.get_y() + 1.5, self.w - self.r_margin, self.get_y() + 1.5)
        self.set_y(self.get_y() + 4)
        self.set_text_color(*INK)

    def footer(self) -> None:
        self.set_y(-16)
        self.set_font("Helvetica", "", 7.5)
        self.set_text_color(*MUTED)
        seller = self.seller
        self.multi_cell(
            0,
            3.6,
            safe(
                f"{seller.legal_name} - {seller.one_line_address} - VAT id {seller.vat_id}\n"
                f"{seller.registration} - {seller.email} - page {self.page_no()} of {{nb}}"
            ),
            align="C",
        )


def start(title: str, number: str, seller: Seller, issued: datetime) -> Document:
    """A new document with its first page and big title."""
    pdf = Document(title, number, seller, issued)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 18)
    pdf.set_text_color(*INK)
    pdf.cell(pdf.epw, 10, safe(title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(1)
    return pdf


def facts(pdf: FPDF, rows: Sequence[tuple[str, str]], label_width: float = 42) -> None:
    """Label: value pairs, one per line."""
    for label, value in rows:
        pdf.set_font("Helvetica", "B", 10)
        pdf.set_text_color(*INK)
        pdf.cell(label_width, 5.6, safe(label + ":"))
        pdf.set_font("Helvetica", "", 10)
        pdf.multi_cell(pdf.epw - label_width, 5.6, safe(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def parties(pdf: FPDF, left: tuple[str, list[str]], right: tuple[str, list[str]]) -> None:
    """Two address blocks side by side: (heading, lines) each."""
    pdf.ln(3)
    top = pdf.get_y()
    half = pdf.epw / 2 - 3
    bottoms = []
    for index, (heading, lines) in enumerate((left, right)):
        pdf.set_xy(pdf.l_margin + index * (half + 6), top)
        pdf.set_font("Helvetica", "B", 10.5)
        pdf.set_text_color(*BRAND)
        pdf.cell(half, 6, safe(heading), new_x=XPos.LEFT, new_y=YPos.NEXT)
        pdf.set_font("Helvetica", "", 9.5)
        pdf.set_text_color(*INK)
        pdf.multi_cell(half, 4.8, safe("\n".join(lines)), new_x=XPos.LEFT, new_y=YPos.NEXT)
        bottoms.append(pdf.get_y())
    pdf.set_xy(pdf.l_margin, max(bottoms) + 2)


def table(
    pdf: FPDF,
    headings: Sequence[str],
    rows: Sequence[Sequence[str]],
    widths: Sequence[float],
    align: Sequence[str] | None = None,
) -> None:
    """A table of dark text: bold on a light fill for the headings, white cells below."""
    pdf.set_font("Helvetica", "", 9.5)
    pdf.set_text_color(*INK)
    pdf.set_draw_color(*RULE)
    pdf.set_fill_color(*CELL_FILL)
    with pdf.table(
        col_widths=tuple(widths),
        width=pdf.epw,
        text_align=tuple(align) if align else "LEFT",
        line_height=5.6,
        borders_layout="HORIZONTAL_LINES",
        headings_style=FontFace(emphasis="BOLD", color=INK, fill_color=HEADING_FILL),
        cell_fill_color=CELL_FILL,
        cell_fill_mode="ALL",
        padding=1.2,
    ) as drawn:
        heading_row = drawn.row()
        for heading in headings:
            heading_row.cell(safe(heading))
        for row in rows:
            cells = drawn.row()
            for value in row:
                cells.cell(safe(value))


def totals(pdf: FPDF, rows: Sequence[tuple[str, str, bool]], value_width: float = 45) -> None:
    """Right-aligned label / amount lines under a table; ``bold`` marks the grand total."""
    pdf.ln(1)
    for label, value, bold in rows:
        pdf.set_font("Helvetica", "B" if bold else "", 10)
        pdf.set_text_color(*INK)
        pdf.cell(pdf.epw - value_width, 6.2, safe(label), align="R")
        pdf.cell(value_width, 6.2, safe(value), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def section(pdf: FPDF, heading: str, paragraphs: Sequence[str] = ()) -> None:
    """A heading with a rule under it, then paragraphs of body text."""
    if pdf.get_y() > pdf.h - 50:
        pdf.add_page()
    pdf.ln(3)
    pdf.set_font("Helvetica", "B", 11)
    pdf.set_text_color(*BRAND)
    pdf.cell(pdf.epw, 6, safe(heading), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_draw_color(*RULE)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
    pdf.ln(1.5)
    pdf.set_text_color(*INK)
    pdf.set_font("Helvetica", "", 9.5)
    for paragraph in paragraphs:
        pdf.multi_cell(pdf.epw, 4.9, safe(paragraph), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(1)


def signature_lines(pdf: FPDF, labels: Sequence[str]) -> None:
    """Blank lines to sign on paper, each with its label under it."""
    pdf.ln(8)
    width = (pdf.epw - 8 * (len(labels) - 1)) / len(labels)
    y = pdf.get_y()
    pdf.set_draw_color(*INK)
    for index, label in enumerate(labels):
        x = pdf.l_margin + index * (width + 8)
        pdf.line(x, y, x + width, y)
        pdf.set_xy(x, y + 1)
        pdf.set_font("Helvetica", "", 8.5)
        pdf.set_text_color(*MUTED)
        pdf.cell(width, 4.5, safe(label))
    pdf.set_xy(pdf.l_margin, y + 8)
    pdf.set_text_color(*INK)


def finish(pdf: FPDF) -> bytes:
    return bytes(pdf.output())
