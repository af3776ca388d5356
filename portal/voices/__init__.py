"""Trusted voices: verified testimonials, seller-brokered reference calls, peer Q&A."""

from flask import Blueprint

bp = Blueprint("voices", __name__)

from portal.voices import (  # noqa: E402,F401
    answer_routes,
    receivers,
    reference_routes,
    routes,
    staff_routes,
    templating,
)
