"""The one registry of journey event kinds.

Every kind says in plain words what the buyer did and which small properties it may carry.
Property types: ``id`` (a positive integer), ``int``, ``code`` (a short identifier such as a
recipe name or a currency), ``query`` (a normalised search query: lower-case, at most 100
characters). Free text and e-mail addresses are never accepted.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class EventKind:
    name: str
    label: str  # plain words, used in timelines: "{who} {label}"
    props: dict[str, str] = field(default_factory=dict)


def _kinds(*kinds: EventKind) -> dict[str, EventKind]:
    return {k.name: k for k in kinds}


EVENT_KINDS: dict[str, EventKind] = _kinds(
    # accounts
    EventKind("signed_up", "signed up"),
    EventKind("logged_in", "signed in"),
    # research
    EventKind("product_viewed", "viewed a product"),
    EventKind("products_compared", "compared products", {"count": "int", "product_ids": "ids"}),
    EventKind("searched", "searched", {"query": "query", "results": "int"}),
    EventKind("resource_downloaded", "downloaded a resource", {"resource_id": "id"}),
    EventKind("sheet_downloaded", "downloaded the product sheet"),
    # try before you buy
    EventKind(
        "demo_uploaded",
        "uploaded data",
        {"dataset_id": "code", "format": "code", "rows": "int", "columns": "int", "sample": "int"},
    ),
    EventKind("demo_started", "started a demo", {"run_id": "code", "recipe": "code"}),
    EventKind("demo_completed", "ran a demo", {"run_id": "code", "recipe": "code", "rows": "int"}),
    EventKind(
        "demo_failed", "had a demo fail", {"run_id": "code", "recipe": "code", "reason": "code"}
    ),
    EventKind(
        "demo_result_downloaded", "downloaded demo results", {"run_id": "code", "format": "code"}
    ),
    EventKind("dataset_deleted", "deleted their data", {"dataset_id": "code"}),
    EventKind("upload_rejected", "had an upload refused", {"reason": "code"}),
    # trusted voices
    EventKind("testimonials_viewed", "read testimonials", {"count": "int"}),
    EventKind("testimonial_voted", "found a testimonial helpful", {"testimonial_id": "id"}),
    EventKind("reference_requested", "asked to talk to a customer", {"request_id": "id"}),
    EventKind("question_asked", "asked a question", {"question_id": "id"}),
    EventKind("answer_viewed", "read answers", {"question_id": "id"}),
    # the buying committee's room
    EventKind("committee_invited", "invited someone to the room", {"invitation_id": "id"}),
    EventKind("committee_joined", "joined the buying committee", {"role": "code"}),
    EventKind("committee_role_set", "said their role in the purchase", {"role": "code"}),
    EventKind("committee_member_removed", "removed someone from the room"),
    EventKind("shortlist_added", "added a product to the shortlist"),
    EventKind("shortlist_commented", "commented on the shortlist", {"comment_id": "id"}),
    EventKind("result_shared", "shared a demo result", {"run_id": "code", "scope": "code"}),
    EventKind(
        "shared_result_viewed", "viewed a shared demo result", {"run_id": "code", "via": "code"}
    ),
    EventKind("result_share_revoked", "stopped sharing a demo result", {"run_id": "code"}),
    EventKind("plan_step_added", "added a step to the evaluation plan", {"step_id": "id"}),
    EventKind("plan_step_accepted", "accepted a proposed plan step", {"step_id": "id"}),
    EventKind("plan_step_removed", "removed a step from the evaluation plan", {"step_id": "id"}),
    EventKind("plan_step_done", "completed a plan step", {"step_id": "id", "auto": "code"}),
    EventKind("reference_call_held", "held a reference call", {"request_id": "id"}),
    # co-creation
    EventKind("idea_posted", "posted an idea", {"idea_id": "id"}),
    EventKind("idea_voted", "voted for an idea", {"idea_id": "id"}),
    # commerce
    EventKind("cart_item_added", "added to cart", {"plan_id": "id", "quantity": "int"}),
    EventKind("cart_item_removed", "removed from cart", {"plan_id": "id"}),
    EventKind("checkout_started", "started checkout", {"amount": "int", "currency": "code"}),
    EventKind("quote_downloaded", "downloaded a quote", {"order_id": "id"}),
    EventKind(
        "quote_requested",
        "asked for a quote",
        {
            "quote_id": "id",
            "number": "code",
            "amount": "int",
            "net": "int",
            "currency": "code",
            "valid_until": "code",
        },
    ),
    EventKind("quote_viewed", "opened a quote", {"quote_id": "id"}),
    EventKind(
        "quote_accepted",
        "accepted a quote",
        {
            "quote_id": "id",
            "number": "code",
            "order_id": "id",
            "amount": "int",
            "net": "int",
            "currency": "code",
        },
    ),
    EventKind(
        "order_placed",
        "placed an order",
        {
            "order_id": "id",
            "number": "code",
            "amount": "int",
            "net": "int",
            "currency": "code",
            "method": "code",
        },
    ),
    EventKind(
        "order_paid", "paid an order", {"order_id": "id", "amount": "int", "currency": "code"}
    ),
    EventKind(
        "order_refunded",
        "had an order refunded",
        {"order_id": "id", "amount": "int", "currency": "code"},
    ),
    EventKind("order_cancelled", "had an order cancelled", {"order_id": "id"}),
)


def get_kind(name: str) -> EventKind:
    try:
        return EVENT_KINDS[name]
    except KeyError:
        raise UnknownEventKind(name) from None


class UnknownEventKind(ValueError):
    def __init__(self, name: str):
        super().__init__(f"Unknown journey event kind {name!r}; add it to portal/journey/kinds.py")
