"""Co-creation: the ideas board customers and prospects shape, and what it tells sellers."""

from flask import Blueprint

bp = Blueprint("ideas", __name__)

from portal.ideas import routes, staff_routes, templating  # noqa: E402,F401
