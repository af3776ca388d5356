"""Next steps: the one place that maps a deal's situation to what would help the buyer next.

``RULES`` is read top to bottom, the strongest situation first (money owed before research
habits: a deal with an unpaid invoice is never told to "send the product sheet"). Admins see
the same table on the pipeline settings page; each rule has a test of its own. The seller
does not push the buyer; the steps say what would help them (a peer, a renewal, a way to pay).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from portal.commerce.settings import setting as commerce_setting
from portal.models import Deal, Stage
from portal.pipeline.settings import setting
from portal.pipeline.stalled import is_stalled
from portal.templating import money


@dataclass(frozen=True)
class Step:
    title: str
    why: str


@dataclass(frozen=True)
class Situation:
    """What the rules read about a deal (plain data: tests build it directly)."""

    today: date
    won: bool = False
    lost_reason: str | None = None  # None: not lost
    counters: dict | None = None
    orders: tuple[dict, ...] = ()  # open orders: {n, m, c, net, at}
    quotes: tuple[dict, ...] = ()  # open quotes: {number, c, net, until}
    cart_value: int = 0
    currency: str = "USD"
    focus: str = "the product"
    stalled_days: int | None = None  # None: not stalled
    stage_name: str = ""

    def count(self, kind: str) -> int:
        return (self.counters or {}).get(kind, 0)

    @property
    def money_in_play(self) -> bool:
        return bool(self.orders or self.quotes or self.cart_value)

    def overdue_invoices(self) -> list[dict]:
        terms = timedelta(days=int(commerce_setting("PAYMENT_TERMS_DAYS")))
        return [
            o
            for o in self.orders
            if o.get("m") == "invoice" and o.get("at") and _day(o["at"]) + terms < self.today
        ]

    def expiring_quotes(self) -> list[dict]:
        soon = self.today + timedelta(days=float(setting("PIPELINE_QUOTE_EXPIRING_DAYS")))
        return [q for q in self.quotes if q.get("until") and _day(q["until"]) <= soon]


def _day(text: str) -> date:
    return date.fromisoformat(text[:10])


@dataclass(frozen=True)
class Rule:
    situation: str  # in words, for the admin's table
    when: Callable[[Situation], bool]
    title: str
    why: Callable[[Situation], str]


def _first(items: list[dict], key: str) -> str:
    return str(items[0].get(key, "")) if items else ""


def _amount(item: dict) -> str:
    return money(item.get("net", 0), item.get("c", "USD"))


RULES: tuple[Rule, ...] = (
    Rule("They are a customer (won stage)", lambda s: s.won,
         "Stop selling, start servicing",
         lambda s: "They are a customer: check onboarding went well and offer to introduce "
         "them as a reference once they are happy."),
    Rule("Marked lost", lambda s: s.lost_reason is not None,
         "Leave the door open",
         lambda s: f"Marked lost ({s.lost_reason}). It reopens by itself when they come back."),
    Rule("An invoice is unpaid past the payment terms", lambda s: bool(s.overdue_invoices()),
         "Send a payment reminder",
         lambda s: f"Invoice order {_first(s.overdue_invoices(), 'n')} "
         f"({_amount(s.overdue_invoices()[0])}) is past its "
         f"{commerce_setting('PAYMENT_TERMS_DAYS')}-day terms; ask accounts payable kindly."),
    Rule("A quote has expired or expires within days", lambda s: bool(s.expiring_quotes()),
         "Offer to renew the quote",
         lambda s: f"Quote {_first(s.expiring_quotes(), 'number')} is valid until "
         f"{_first(s.expiring_quotes(), 'until')}; a renewal keeps their purchase moving."),
    Rule("A customer reference was asked for", lambda s: s.count("reference_requested") > 0,
         "Arrange the reference call they asked for",
         lambda s: f"Connect them with a customer who uses {s.focus}; peers convince more "
         "than slides."),
    Rule("An invoice order awaits payment (within terms)",
         lambda s: any(o.get("m") == "invoice" for o in s.orders),
         "Check the invoice reached their accounts payable",
         lambda s: f"Order {_first(s.orders, 'n')} ({_amount(s.orders[0])}) is open; make sure "
         "the invoice has the PO number their purchasing needs."),
    Rule("An open quote", lambda s: bool(s.quotes),
         "Follow up on the quote",
         lambda s: f"Quote {_first(s.quotes, 'number')} ({_amount(s.quotes[0])}) is open; "
         "offer to answer their purchasing's questions."),
    Rule("Checkout started, no order", lambda s: s.count("checkout_started") > 0
         and not s.count("order_placed"),
         "Help them finish checkout",
         lambda s: "They started checkout but did not place the order; offer a quote to take "
         "through their purchasing."),
    Rule("A large cart",
         lambda s: s.cart_value >= int(setting("PIPELINE_INVOICE_SUGGESTION_AMOUNT")),
         "Offer invoice payment or a quote",
         lambda s: f"The cart holds {money(s.cart_value, s.currency)}: more than most cards "
         "carry; a purchase order may suit them better."),
    Rule("More demo runs failed than succeeded",
         lambda s: s.count("demo_failed") > s.count("demo_completed"),
         "Offer help with their data",
         lambda s: f"{s.count('demo_failed')} demo run(s) failed and fewer succeeded; a short "
         "call on preparing the file usually unblocks it."),
    Rule("Tried a demo, no cart and no customer heard from yet",
         lambda s: s.count("demo_completed") > 0 and not s.money_in_play
         and not (s.count("testimonials_viewed") or s.count("question_asked")),
         "Offer a reference call",
         lambda s: f"Their {s.focus} demo worked but they have not heard from customers yet."),
    Rule("Keeps viewing a product, no sheet, no money in play",
         lambda s: s.count("product_viewed") >= 2 and not s.count("sheet_downloaded")
         and not s.money_in_play,
         "Send the product sheet",
         lambda s: f"They keep coming back to {s.focus} but have not downloaded its sheet."),
    Rule("Compared products, tried none",
         lambda s: s.count("products_compared") > 0 and not s.count("demo_started"),
         "Suggest which product fits their data",
         lambda s: "They compared products and have not tried one: point to the demo that fits."),
    Rule("Asked a question", lambda s: s.count("question_asked") > 0,
         "Make sure their questions are answered",
         lambda s: "Unanswered questions stall deals."),
    Rule("Quiet for longer than the stage allows", lambda s: s.stalled_days is not None,
         "Re-engage with something useful",
         lambda s: f"No activity for {s.stalled_days} days in {s.stage_name}. Share a customer "
         "story or a guide that answers what they last looked at."),
)  # fmt: skip

FALLBACK = Step(
    "Watch, don't push", "They are finding their way; the next signal will suggest the next step."
)


def steps_for(situation: Situation) -> list[Step]:
    """Every step whose situation holds, strongest first; a won deal gets only its own."""
    steps = [Step(r.title, r.why(situation)) for r in RULES if r.when(situation)]
    if situation.won:
        return steps[:1]
    return steps or [FALLBACK]


def situation_of(
    deal: Deal, stage: Stage | None, product_names: dict[int, str], now: datetime
) -> Situation:
    per_product = {int(k): v for k, v in (deal.product_counters or {}).items()}

    def most(kind: str) -> str | None:
        ranked = sorted(((c.get(kind, 0), pid) for pid, c in per_product.items()), reverse=True)
        return product_names.get(ranked[0][1]) if ranked and ranked[0][0] else None

    orders = sorted(
        (o for o in (deal.orders or {}).values() if o.get("status") == "open"),
        key=lambda o: o.get("at", ""),
    )
    quotes = sorted(
        ({**q, "number": number} for number, q in (deal.quotes or {}).items()
         if q.get("status") == "open"),
        key=lambda q: q.get("until") or "",
    )  # fmt: skip
    stalled = is_stalled(deal, stage, now)
    last = deal.last_activity_at.replace(tzinfo=deal.last_activity_at.tzinfo or UTC)
    return Situation(
        today=now.date(),
        won=bool(stage is not None and stage.is_won),
        lost_reason=deal.lost_reason if deal.lost_at is not None else None,
        counters=dict(deal.counters or {}),
        orders=tuple(orders),
        quotes=tuple(quotes),
        cart_value=deal.value if deal.value_source == "cart" else 0,
        currency=deal.currency,
        focus=most("reference_requested")
        or most("demo_completed")
        or most("product_viewed")
        or "the product",
        stalled_days=(now - last).days if stalled else None,
        stage_name=stage.name if stage else "",
    )


def next_steps(
    deal: Deal, stage: Stage | None, product_names: dict[int, str], now: datetime | None = None
) -> list[Step]:
    """The deal page's next steps, from ``RULES``."""
    now = now or datetime.now(UTC)
    return steps_for(situation_of(deal, stage, product_names, now))
