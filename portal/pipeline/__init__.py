"""The seller pipeline: deals derived from the buyer's journey, board, analytics, alerts."""

from flask import Blueprint

bp = Blueprint("pipeline", __name__)

from portal.pipeline import admin_routes, receivers, staff_routes  # noqa: E402,F401
