"""Commerce: cart, checkout (card through Stripe, or invoice / purchase order), orders, the
customer's home and the Stripe webhook."""

from flask import Blueprint

bp = Blueprint("commerce", __name__)

from portal.commerce import (  # noqa: E402,F401
    checkout_routes,
    order_routes,
    payment_routes,
    quote_routes,
    receivers,
    routes,
    staff_routes,
)
