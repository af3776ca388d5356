"""Suggested next navigation steps, derived from where the deal stands.

The seller does not push the buyer; these say what would help the buyer on their next step
(a peer to talk to, the sheet they have not read, a way to pay that fits the amount)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from portal.models import Deal, Stage
from portal.pipeline.settings import setting
from portal.pipeline.stalled import is_stalled
from portal.templating import money


@dataclass(frozen=True)
class Step:
    title: str
    why: str


def next_steps(
    deal: Deal,
    stage: Stage | None,
    product_names: dict[int, str],
    now: datetime | None = None,
) -> list[Step]:
    now = now or datetime.now(UTC)
    c = deal.counters or {}
    per_product = {int(k): v for k, v in (deal.product_counters or {}).items()}

    def most(kind: str) -> str | None:
        ranked = sorted(
            ((counts.get(kind, 0), pid) for pid, counts in per_product.items()), reverse=True
        )
        if ranked and ranked[0][0]:
            return product_names.get(ranked[0][1])
        return None

    focus = most("demo_completed") or most("product_viewed") or "the product"
    steps: list[Step] = []
    if stage is not None and stage.is_won:
        return [
            Step(
                "Stop selling, start servicing",
                "They are a customer: check onboarding went well and offer to introduce them "
                "as a reference once they are happy.",
            )
        ]
    if deal.lost_at is not None:
        steps.append(
            Step(
                "Leave the door open",
                f"Marked lost ({deal.lost_reason}). It reopens by itself when they come back.",
            )
        )
    steps += _research_steps(c, most, focus)
    steps += _buying_steps(deal, c)
    if is_stalled(deal, stage, now):
        quiet = now - deal.last_activity_at
        steps.append(
            Step(
                "Re-engage with something useful",
                f"No activity for {quiet.days} days in {stage.name}. Share a customer story "
                "or a guide that answers what they last looked at.",
            )
        )
    if not steps:
        steps.append(
            Step(
                "Watch, don't push",
                "They are finding their way; the next signal will suggest the next step.",
            )
        )
    return steps


def _research_steps(c: dict, most, focus: str) -> list[Step]:
    """Steps while they research and try: peers, help with data, the sheet, the right demo."""
    steps: list[Step] = []
    if c.get("reference_requested"):
        steps.append(
            Step(
                "Arrange the reference call they asked for",
                "Connect them with a customer who uses "
                f"{most('reference_requested') or focus}; peers convince more than slides.",
            )
        )
    elif c.get("demo_completed") and not (c.get("testimonials_viewed") or c.get("question_asked")):
        steps.append(
            Step(
                "Introduce a reference customer in their industry",
                f"Their {focus} demo worked but they have not heard from customers yet.",
            )
        )
    if c.get("demo_failed", 0) > c.get("demo_completed", 0):
        steps.append(
            Step(
                "Offer help with their data",
                f"{c['demo_failed']} demo run(s) failed and fewer succeeded; a short call on "
                "preparing the file usually unblocks it.",
            )
        )
    if c.get("product_viewed", 0) >= 2 and not c.get("sheet_downloaded"):
        steps.append(
            Step(
                "Send the product sheet",
                f"They keep coming back to {most('product_viewed') or focus} but have not "
                "downloaded its sheet.",
            )
        )
    if c.get("products_compared") and not c.get("demo_started"):
        steps.append(
            Step(
                "Suggest which product fits their data",
                "They compared products and have not tried one: point to the demo that fits.",
            )
        )
    if c.get("question_asked"):
        steps.append(
            Step("Make sure their questions are answered", "Unanswered questions stall deals.")
        )
    return steps


def _buying_steps(deal: Deal, c: dict) -> list[Step]:
    """Steps once money is in play: a way to pay that fits the amount, finishing checkout."""
    steps: list[Step] = []
    big = int(setting("PIPELINE_INVOICE_SUGGESTION_AMOUNT"))
    if deal.value_source == "cart" and deal.value >= big:
        steps.append(
            Step(
                "Offer invoice payment or a quote",
                f"The cart holds {money(deal.value, deal.currency)}: more than most cards "
                "carry; a purchase order may suit them better.",
            )
        )
    if c.get("checkout_started") and not c.get("order_placed"):
        steps.append(
            Step(
                "Help them finish checkout",
                "They started checkout but did not place the order; offer a quote to take "
                "through their purchasing.",
            )
        )
    return steps
