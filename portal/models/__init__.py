"""All models, imported here so Alembic and ``db.create_all`` see every table."""

from portal.models.accounts import ROLES, Account, User
from portal.models.base import Base, TimestampMixin, utcnow
from portal.models.catalog import BILLING_PERIODS, RESOURCE_KINDS, Faq, Plan, Product, Resource
from portal.models.commerce import (
    ATTEMPT_STATUSES,
    ORDER_STATUSES,
    PAYMENT_METHODS,
    Cart,
    CartItem,
    CreditNote,
    Order,
    OrderLine,
    OrderStatusChange,
    Payment,
    PaymentAttempt,
    ProcessedWebhookEvent,
)
from portal.models.journey import Event
from portal.models.pipeline import (
    ApiToken,
    Deal,
    DealNote,
    DealProduct,
    Notification,
    Stage,
    StageTransition,
    WebhookDelivery,
    WebhookEndpoint,
)
from portal.models.search import SEARCH_TABLE, include_in_migrations
from portal.models.trials import RUN_STATES, TrialDataset, TrialRun
from portal.models.voices import (
    Answer,
    HelpfulVote,
    Question,
    ReferenceProfile,
    ReferenceRequest,
    Testimonial,
)

__all__ = [
    "ATTEMPT_STATUSES",
    "Cart",
    "CartItem",
    "CreditNote",
    "OrderStatusChange",
    "Payment",
    "PaymentAttempt",
    "ProcessedWebhookEvent",
    "BILLING_PERIODS",
    "ORDER_STATUSES",
    "PAYMENT_METHODS",
    "RESOURCE_KINDS",
    "ROLES",
    "RUN_STATES",
    "SEARCH_TABLE",
    "Account",
    "Answer",
    "ApiToken",
    "Deal",
    "DealNote",
    "DealProduct",
    "Notification",
    "Stage",
    "StageTransition",
    "WebhookDelivery",
    "WebhookEndpoint",
    "Base",
    "Event",
    "Faq",
    "HelpfulVote",
    "Order",
    "OrderLine",
    "Plan",
    "Product",
    "Question",
    "ReferenceProfile",
    "ReferenceRequest",
    "Resource",
    "Testimonial",
    "TimestampMixin",
    "TrialDataset",
    "TrialRun",
    "User",
    "include_in_migrations",
    "utcnow",
]
