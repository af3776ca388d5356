"""Pipeline settings with their defaults.

Each can be overridden in the app config, e.g. from the environment as
``TESTDRIVE_PIPELINE_HALF_LIFE_DAYS=7`` (Flask's prefixed environment parses JSON values).
Run ``flask pipeline rebuild`` after changing the half-life or the weights.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, has_app_context

DEFAULTS: dict[str, Any] = {
    # Engagement score: weight per event kind, halved every PIPELINE_HALF_LIFE_DAYS.
    "PIPELINE_HALF_LIFE_DAYS": 14.0,
    "PIPELINE_SCORE_WEIGHTS": {
        "signed_up": 2,
        "logged_in": 1,
        "product_viewed": 1,
        "products_compared": 2,
        "searched": 0.5,
        "resource_downloaded": 3,
        "sheet_downloaded": 3,
        "demo_uploaded": 4,
        "demo_started": 3,
        "demo_completed": 8,
        "demo_failed": 2,
        "demo_result_downloaded": 5,
        "testimonials_viewed": 3,
        "testimonial_voted": 2,
        "reference_requested": 10,
        "question_asked": 5,
        "answer_viewed": 2,
        "idea_posted": 4,
        "idea_voted": 2,
        "cart_item_added": 8,
        "checkout_started": 10,
        "quote_downloaded": 8,
        "quote_requested": 10,
        "quote_viewed": 3,
        "quote_accepted": 15,
        "order_placed": 15,
        "order_paid": 20,
    },
    # Alerts: a jump of the score by this much since sellers were last told about the deal.
    "PIPELINE_SCORE_JUMP": 15,
    # ... told at most once per deal in this many hours.
    "PIPELINE_SCORE_JUMP_COOLDOWN_HOURS": 24,
    # Sellers hear once about a question left unanswered this many days.
    "PIPELINE_QUESTION_UNANSWERED_DAYS": 3,
    # Sellers hear about an open quote this many days before it expires.
    "PIPELINE_QUOTE_EXPIRING_DAYS": 3,
    # Events older than this (imported history, merged visitor events) raise no alerts.
    "PIPELINE_ALERT_MAX_AGE_HOURS": 24,
    # Currency for deals without a value yet, and of the forecast.
    "PIPELINE_CURRENCY": "USD",
    # How often the board asks for fresh columns (seconds).
    "PIPELINE_BOARD_POLL_SECONDS": 15,
    # Cards shown per column before "more".
    "PIPELINE_CARDS_PER_COLUMN": 25,
    # A cart above this (minor units) suggests offering invoice payment / a quote.
    "PIPELINE_INVOICE_SUGGESTION_AMOUNT": 500_000,
    # Outbound webhooks: attempts before giving up, first retry delay (doubles each time).
    "PIPELINE_WEBHOOK_MAX_ATTEMPTS": 6,
    "PIPELINE_WEBHOOK_BACKOFF_SECONDS": 30,
    "PIPELINE_WEBHOOK_TIMEOUT_SECONDS": 5,
    "PIPELINE_API_RATE_LIMIT": "300 per minute",
}


def setting(name: str) -> Any:
    if has_app_context():
        return current_app.config.get(name, DEFAULTS[name])
    return DEFAULTS[name]
