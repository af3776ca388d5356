"""Order e-mails, queued during the transaction and sent after it commits. A mail failure is
logged and never undoes or breaks the order itself."""

from __future__ import annotations

import logging

from flask import current_app

from portal.extensions import db
from portal.mail import queue_mail
from portal.models import Order, User

log = logging.getLogger(__name__)

SUBJECTS = {
    "order_confirmation": "Your order {number}",
    "order_paid": "Payment received for order {number}",
    "order_refunded": "Order {number} refunded",
}


def queue_order_mail(order: Order, template: str) -> None:
    """``template`` is one of ``order_confirmation``, ``order_paid``, ``order_refunded``."""
    user = db.session.get(User, order.user_id) if order.user_id else None
    if user is None:
        return
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    try:
        queue_mail(
            user.email,
            SUBJECTS[template].format(number=order.number),
            template,
            user=user,
            order=order,
            order_url=f"{base}/orders/{order.id}",
            quote_url=f"{base}/orders/{order.id}/quote.pdf",
            account_url=f"{base}/account",
        )
    except Exception:  # the order stands; the mail can be resent by hand
        log.exception("could not send %s for order %s", template, order.number)
