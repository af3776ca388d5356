"""Catalog administration: create, edit and archive products, their resources and FAQ.

Every rule lives here or in ``plans`` (unique slug, amounts within bounds, ISO currency,
quantity bounds), so the staff pages, the seeder and the CLI share it. Services raise
``CatalogError`` with the field at fault, only ``flush()``, and keep the search index in step
with each change. Products and plans are archived, never deleted: orders and journey events
keep pointing at them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import func, select

from portal.catalog.files import InvalidFile, store_pdf
from portal.catalog.search import rebuild_search_index
from portal.catalog.services import CatalogError, clean_text
from portal.extensions import db
from portal.models import RESOURCE_KINDS, Faq, Product, Resource

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


RECIPE = re.compile(r"^[a-z][a-z0-9_]{0,59}$")


def markdown_field(value: str | None) -> str:
    """Markdown keeps its line breaks; other control characters (NUL…) are dropped."""
    text = (value or "").replace("\r\n", "\n")
    return "".join(ch for ch in text if ch.isprintable() or ch in "\n\t").strip()


def require(condition: bool, message: str, field_name: str) -> None:
    if not condition:
        raise CatalogError(message, field=field_name)


def text_field(value: Any, limit: int, label: str, field_name: str, required: bool = True) -> str:
    value = clean_text(value)
    require(bool(value) or not required, f"{label} is required.", field_name)
    require(len(value) <= limit, f"{label} can be at most {limit} characters.", field_name)
    return value


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
        require(bool(head), f"{label}: line {number} has no title.", field_name)
        require(
            len(head) <= 80 and len(tail) <= 300, f"{label}: line {number} is too long.", field_name
        )
        pairs.append([head, tail])
    require(len(pairs) <= 40, f"{label}: at most 40 lines.", field_name)
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
    require(bool(slug), "Slug is required.", "slug")
    require(len(slug) <= 80, "Slug can be at most 80 characters.", "slug")
    require(
        bool(SLUG.match(slug)),
        "Use lower-case letters, digits and single hyphens, e.g. pipeline-lens.",
        "slug",
    )
    taken = db.session.scalar(
        select(Product.id).where(
            func.lower(Product.slug) == slug, Product.id != (product.id if product else -1)
        )
    )
    require(taken is None, f"The slug “{slug}” is already used by another product.", "slug")
    use_cases = []
    for case in data.use_cases or []:
        case = text_field(case, 80, "Each use case", "use_cases")
        if case not in use_cases:
            use_cases.append(case)
    require(len(use_cases) <= 12, "At most 12 use cases.", "use_cases")
    recipe = (data.recipe or "").strip() or None
    require(
        recipe is None or bool(RECIPE.match(recipe)),
        "The recipe is a code such as pipeline_lens.",
        "recipe",
    )
    description = markdown_field(data.description_md)
    require(
        len(description) <= 20_000,
        "The description is too long (20,000 characters max).",
        "description_md",
    )
    return {
        "slug": slug,
        "name": text_field(data.name, 120, "Name", "name"),
        "tagline": text_field(data.tagline, 200, "Tagline", "tagline", required=False),
        "category": text_field(data.category, 60, "Category", "category"),
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


def _check_video_url(url: str | None) -> str:
    url = (url or "").strip()
    require(bool(url), "Give the link to the video.", "url")
    require(url.isprintable() and " " not in url, "That link has invalid characters.", "url")
    require(len(url) <= 500, "The link is too long.", "url")
    parts = urlsplit(url)
    require(
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
    require(kind in RESOURCE_KINDS, "Choose datasheet, guide or video.", "kind")
    resource = Resource(
        product=product,
        kind=kind,
        title=text_field(title, 160, "Title", "title"),
        summary=text_field(summary, 400, "Summary", "summary", required=False),
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
    resource.title = text_field(title, 160, "Title", "title")
    resource.summary = text_field(summary, 400, "Summary", "summary", required=False)
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
    require(bool(pdf), "Choose a PDF file to upload.", "file")
    if folder is None:
        raise ValueError("a folder is needed to store uploaded files")
    try:
        return store_pdf(pdf, folder)
    except InvalidFile as error:
        raise CatalogError(str(error), field="file") from None


def _validated_faq(question: str, answer_md: str, sort_order: int) -> dict[str, Any]:
    answer = markdown_field(answer_md)
    require(bool(answer), "Answer is required.", "answer_md")
    require(len(answer) <= 5000, "The answer can be at most 5,000 characters.", "answer_md")
    return {
        "question": text_field(question, 300, "Question", "question"),
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
