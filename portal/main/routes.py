from flask import current_app, jsonify, render_template

from portal.catalog.services import catalog_facets, featured_products
from portal.extensions import csrf, limiter
from portal.main import bp
from portal.main.health import database_problem, redis_status


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
    """200 when the database takes writes and Redis (when configured) answers; else 503 with
    the reason per part, for a load balancer to take this instance out."""
    timeout_ms = current_app.config["HEALTHZ_TIMEOUT_MS"]
    database = database_problem(timeout_ms)
    redis = redis_status(timeout_ms / 1000)
    body = {"status": "ok", "database": database or "ok"}
    if redis:
        body["redis"] = redis
    if database or any(state != "ok" for state in redis.values()):
        body["status"] = "unavailable"
        return jsonify(body), 503, {"Retry-After": "5"}
    return jsonify(body)
