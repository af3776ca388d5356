"""The buying committee's room: members and invitations, the shortlist, shared trial
results and the mutual evaluation plan."""

from flask import Blueprint

bp = Blueprint("room", __name__)

from portal.room import plan_routes, receivers, routes, staff_routes  # noqa: E402,F401
