"""The JSON API (``/api/v1``) for sellers' tools, with bearer tokens and an OpenAPI document."""

from flask import Blueprint

from portal.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# Bearer tokens, not cookies, authenticate the API: there is no cross-site form to forge.
csrf.exempt(bp)

from portal.api import routes  # noqa: E402,F401
