from flask import jsonify, render_template
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from portal.catalog.services import catalog_facets, featured_products
from portal.extensions import csrf, db, limiter
from portal.main import bp


@bp.get("/")
def index():
    """The vendor's front door: what it offers, featured products, the way to try them."""
    return render_template(
        "main/index.html", featured=featured_products(limit=4), facets=catalog_facets()
    )


@bp.get("/healthz")
@limiter.exempt
@csrf.exempt
def healthz():
    """200 when the database answers, 503 when it does not."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="unavailable", database="unreachable"), 503
    return jsonify(status="ok", database="ok")
