"""How a timeline reads: lines link to what they are about, a cart emptied by its order is part
of the order (not "took it out of the cart"), and the same thing done again the same day is one
line ("read 8 testimonials · 4 times today")."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from portal.models import Event

# The checkout records the emptied cart and the order in one transaction, moments apart.
ORDER_WINDOW = timedelta(minutes=1)
_PRODUCT_PAGES = {
    "product_viewed": "catalog.product",
    "sheet_downloaded": "catalog.product",
    "resource_downloaded": "catalog.product",
    "cart_item_added": "catalog.product",
    "cart_item_removed": "catalog.product",
    "demo_uploaded": "trials.try_product",
    "upload_rejected": "trials.try_product",
    "demo_started": "trials.try_product",
    "demo_completed": "trials.try_product",
    "demo_failed": "trials.try_product",
    "demo_result_downloaded": "trials.try_product",
    "testimonials_viewed": "voices.testimonials",
    "question_asked": "voices.questions",
    "answer_viewed": "voices.questions",
}


def link_of(event: Event, slug: str | None) -> tuple[str, dict] | None:
    """Where a line about ``event`` leads a seller: the order, the testimonial, the request,
    the product's page or demo. A prospect's demo run and data stay theirs: a demo line leads
    to the demo, not to their result."""
    p = event.props or {}
    if p.get("order_id"):
        return "commerce.seller_order", {"order_id": p["order_id"]}
    if event.kind == "reference_requested":
        return "voices.seller_references", {}
    if event.kind == "searched" and p.get("query"):
        return "catalog.search", {"q": p["query"]}
    if event.kind == "products_compared":
        return "catalog.compare", {}
    if event.kind in ("idea_posted", "idea_voted") and p.get("idea_id"):
        return "ideas.idea", {"idea_id": p["idea_id"]}
    if slug is None:
        return None
    if event.kind == "testimonial_voted" and p.get("testimonial_id"):
        return "voices.testimonials", {"slug": slug, "_anchor": f"t{p['testimonial_id']}"}
    if event.kind in ("question_asked", "answer_viewed") and p.get("question_id"):
        return "voices.question", {"slug": slug, "question_id": p["question_id"]}
    endpoint = _PRODUCT_PAGES.get(event.kind)
    return (endpoint, {"slug": slug}) if endpoint else None


def _emptied_by_order(entries: list, index: int) -> bool:
    """Whether the cart line at ``index`` (oldest first) is the order placed right after it."""
    removed = entries[index].event
    for later in entries[index + 1 :]:
        if later.event.occurred_at - removed.occurred_at > ORDER_WINDOW:
            return False
        if later.event.kind == "order_placed":
            return later.event.user_id == removed.user_id
        if later.event.kind != "cart_item_removed":
            return False
    return False


def group(entries: Sequence, now: datetime, newest_first: bool = True) -> list:
    """The timeline's lines: ``entries`` (from ``describe``) folded as a reader would, each
    with its ``repeats`` suffix."""
    oldest_first = list(reversed(entries)) if newest_first else list(entries)
    lines: list = []
    for index, entry in enumerate(oldest_first):
        if entry.event.kind == "cart_item_removed" and _emptied_by_order(oldest_first, index):
            continue
        previous = lines[-1] if lines else None
        if (
            previous is not None
            and previous.text == entry.text
            and previous.occurred_at.date() == entry.event.occurred_at.date()
        ):
            previous.times += 1
            previous.latest = entry.event
            continue
        lines.append(entry)
    for line in lines:
        line.suffix = repeats(line.times, line.occurred_at.date(), now.date())
    return list(reversed(lines)) if newest_first else lines


def repeats(times: int, day: date, today: date) -> str:
    """ " · 4 times today", " · twice on 3 Nov" — or nothing for a single event."""
    if times < 2:
        return ""
    count = "twice" if times == 2 else f"{times} times"
    if day == today:
        when = "today"
    elif day == today - timedelta(days=1):
        when = "yesterday"
    else:
        when = f"on {day.day} {day.strftime('%b')}"
    return f" · {count} {when}"
