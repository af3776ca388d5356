from flask import Response, current_app, redirect, render_template, request, send_file
from sqlalchemy import select

from portal.boundary import perform
from portal.catalog import bp
from portal.catalog.files import files_folder, pdf_path
from portal.catalog.page_cache import cached_product_page
from portal.catalog.search import record_search, search_catalog
from portal.catalog.services import (
    MAX_COMPARE,
    PER_PAGE,
    SORTS,
    CatalogFilters,
    NotFound,
    browse_products,
    catalog_facets,
    compare_products,
    get_product,
    get_resource,
    parse_compare_slugs,
    record_comparison,
    record_product_view,
    record_resource_download,
    record_sheet_download,
)
from portal.catalog.sheet import build_product_sheet
from portal.errors import abort_with
from portal.extensions import db
from portal.ideas.board import search_ideas
from portal.journey.tracking import current_actor
from portal.models import Product


def _product_or_404(slug: str) -> Product:
    try:
        return get_product(slug)
    except NotFound as error:
        abort_with(404, str(error))


@bp.get("/products")
def products():
    filters = CatalogFilters.parse(
        request.args.get("category"), request.args.get("use_case"), request.args.get("sort")
    )
    page = db.paginate(browse_products(filters), per_page=PER_PAGE, error_out=False)
    return render_template(
        "catalog/products.html",
        page=page,
        filters=filters,
        facets=catalog_facets(),
        sorts=SORTS,
        compare_max=MAX_COMPARE,
    )


@bp.get("/products/<slug>")
def product(slug: str):
    if not current_app.config["PRODUCT_PAGE_CACHE"]:
        product = _product_or_404(slug)
        record_product_view(current_actor(), product)
        # Render before committing: a commit expires the loaded product and its collections,
        # and the template would load them all again.
        page = render_template("catalog/product.html", product=product, preview=False)
        db.session.commit()  # after rendering (see above)
        return page
    # The body comes rendered (once per product and content version); only the per-visitor
    # shell is rendered here. See portal.catalog.page_cache.
    cached = cached_product_page(slug, _product_or_404)
    record_product_view(current_actor(), cached.id)
    page = render_template(
        "catalog/product.html", product=cached, body=cached.body(), preview=False
    )
    db.session.commit()
    return page


@bp.get("/compare")
def compare():
    comparison = compare_products(parse_compare_slugs(request.args.getlist("p")))
    record_comparison(current_actor(), comparison)
    choices = db.session.execute(
        select(Product.slug, Product.name)
        .where(Product.is_active)
        .order_by(Product.sort_order, Product.name)
    ).all()
    page = render_template(
        "catalog/compare.html", comparison=comparison, choices=choices, compare_max=MAX_COMPARE
    )
    db.session.commit()  # after rendering, so the compared products are not loaded twice
    return page


@bp.get("/search")
def search():
    outcome = search_catalog(request.args.get("q", ""))
    ideas = search_ideas(outcome.terms)
    record_search(current_actor(), outcome)
    db.session.commit()  # search hits are plain rows: nothing to reload after the commit
    return render_template("catalog/search.html", outcome=outcome, ideas=ideas)


@bp.get("/products/<slug>/sheet.pdf")
def sheet(slug: str):
    product = _product_or_404(slug)
    pdf = build_product_sheet(
        product, current_app.config["VENDOR_NAME"], current_app.config["PUBLIC_BASE_URL"]
    )
    filename = f"{product.slug}-product-sheet.pdf"
    perform(record_sheet_download, current_actor(), product)
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


@bp.get("/resources/<int:resource_id>")
def resource(resource_id: int):
    """Download a datasheet or guide, or follow a video link (both are recorded)."""
    try:
        item = get_resource(resource_id)
    except NotFound as error:
        abort_with(404, str(error))
    if item.is_file:
        path = pdf_path(files_folder(current_app), item.file_key)
        if path is None:
            abort_with(404, "That file is not available at the moment. Please try later.")
    perform(record_resource_download, current_actor(), item)
    if not item.is_file:
        return redirect(item.url)
    name = "".join(c if c.isalnum() else "-" for c in item.title.lower()).strip("-")
    return send_file(
        path, mimetype="application/pdf", as_attachment=True, download_name=f"{name[:60]}.pdf"
    )
