"""The demo catalog: Northwind Analytics and its four data products, one per sandbox recipe.

``seed_catalog`` goes through the same administration services as the admin pages (so the
copy below passes the same validation) and is safe to run again: existing products are left
as they are. Datasheets and guides are real PDFs, generated here.
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from portal.catalog.demo_content import GUIDE_SECTIONS, PRODUCTS, SHARED_FAQ
from portal.catalog.files import files_folder
from portal.catalog.plans import add_plan
from portal.catalog.search import rebuild_search_index
from portal.catalog.sheet import build_document_pdf
from portal.catalog.staff_services import ProductData, add_faq, add_resource, create_product
from portal.extensions import db
from portal.models import Product


def _resource_pdf(spec: dict, kind: str, title: str) -> bytes:
    sections = GUIDE_SECTIONS[kind](spec)
    return build_document_pdf(title, f"{spec['name']} by Northwind Analytics", sections)


def seed_catalog() -> list[str]:
    """Create the demo catalog once; index it for search; return lines to print."""
    folder = files_folder(current_app)
    existing = set(db.session.scalars(select(Product.slug)))
    created = []
    for spec in PRODUCTS:
        if spec["slug"] in existing:
            continue
        product = create_product(
            ProductData(
                **{
                    key: spec[key]
                    for key in (
                        "slug",
                        "name",
                        "tagline",
                        "category",
                        "use_cases",
                        "description_md",
                        "features",
                        "specs",
                        "recipe",
                        "is_featured",
                        "sort_order",
                    )
                }
            )
        )
        for order, plan in enumerate(spec["plans"]):
            plan.sort_order = order
            add_plan(product, plan)
        for order, (kind, title, summary) in enumerate(spec["resources"]):
            if kind == "video":
                url = f"https://videos.northwind.example/{spec['slug']}/tour"
                add_resource(product, kind, title, summary, url=url, sort_order=order)
            else:
                pdf = _resource_pdf(spec, kind, title)
                add_resource(
                    product, kind, title, summary, pdf=pdf, folder=folder, sort_order=order
                )
        for order, (question, answer) in enumerate(spec["faq"] + SHARED_FAQ):
            add_faq(product, question, answer, sort_order=order)
        created.append(spec["name"])
    rebuild_search_index()
    total = len(PRODUCTS)
    if created:
        return [f"Catalog: created {', '.join(created)} ({total} demo products)."]
    return [f"Catalog: the {total} demo products are already there."]
