"""Demo history: ~300 buying accounts over 90 days, simulated through the real services, so
the pipeline listener builds the deals exactly as it does for real buyers and the board looks
alive on first start.

People sign up with ``create_user``; reading and trying are journey events recorded with
``record_event`` at a past ``occurred_at`` (the pages that record them need a browser).
Shopping goes through the commerce services, which record their own events: ``add_to_cart``
(cart_item_added), ``start_checkout`` (checkout_started), ``place_order`` by invoice
(cart_item_removed, order_placed) and ``mark_order_paid`` by the demo seller (order_paid).
Those services stamp "now"; the seed moves their events and the order's dates back to the
simulated moment (dates only) and replays the account's deal from its events, so the board,
the timeline and the analytics show purchases spread over the 90 days.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from portal.auth.services import create_user
from portal.commerce.cart import add_to_cart, get_cart
from portal.commerce.checkout import BillingDetails, place_order, start_checkout
from portal.commerce.orders import mark_order_paid
from portal.commerce.pricing import price_cart
from portal.extensions import db
from portal.journey.owners import user_key
from portal.journey.services import Actor, event_recorded, record_event
from portal.models import Account, Deal, Event, Plan, Product, User
from portal.pipeline.deal_actions import mark_lost
from portal.pipeline.rebuild import rebuild_deals
from portal.pipeline.stages import create_default_stages

ADJECTIVES = (
    "Blue", "Northern", "Bright", "Granite", "Silver", "Rapid", "Evergreen", "Summit", "Harbor",
    "Pioneer", "Crescent", "Atlas", "Lumen", "Vertex", "Cobalt", "Maple", "Orion", "Keystone",
    "Redwood", "Sterling",
)  # fmt: skip
INDUSTRIES = (
    "Logistics", "Foods", "Health", "Retail", "Energy", "Bank", "Insurance", "Media", "Labs",
    "Manufacturing", "Travel", "Telecom", "Pharma", "Analytics", "Motors",
)  # fmt: skip
FIRST = (
    "Alex", "Sam", "Robin", "Kim", "Jo", "Noor", "Mika", "Lena", "Omar", "Priya", "Tomás",
    "Yuki", "Ada", "Ben", "Chloe", "Dev", "Eli", "Fatima", "Gus", "Hana",
)  # fmt: skip
LAST = (
    "Meyer", "Okafor", "Larsen", "Costa", "Nguyen", "Schmidt", "Rossi", "Kowalski", "Haddad",
    "Silva", "Tanaka", "Murphy",
)  # fmt: skip
SEARCHES = (
    ("forecast sales", 4), ("churn prediction", 3), ("data quality", 5), ("inventory", 2),
    ("sso", 0), ("gdpr export", 0), ("api", 1), ("excel import", 2), ("on premise", 0),
    ("pricing", 3), ("anomaly detection", 2), ("salesforce integration", 0),
)  # fmt: skip
FAILURES = ("missing_column", "bad_encoding", "too_many_rows", "timeout")
LOST_REASONS = ("Chose a competitor", "No budget this year", "Project cancelled", "Went silent")
# How far each simulated account gets: 0 exploring … 5 customer (weights sum to 100).
DEPTHS = (28, 22, 17, 13, 12, 8)
# Simulated buyers never sign in (their random passwords are thrown away), so a cheap hash
# keeps seeding fast; real users keep the strong default.
SIMULATED_PASSWORD_METHOD = "pbkdf2:sha256:1000"


@dataclass
class Catalog:
    products: list[Product]
    plans: dict[int, list[Plan]]


def _catalog() -> Catalog:
    products = list(
        db.session.scalars(select(Product).where(Product.is_active).order_by(Product.id))
    )
    plans: dict[int, list[Plan]] = {}
    for plan in db.session.scalars(select(Plan).where(Plan.is_active).order_by(Plan.id)):
        plans.setdefault(plan.product_id, []).append(plan)
    return Catalog(products, plans)


def _companies(rng: random.Random, count: int) -> list[tuple[str, str]]:
    names = [f"{a} {i}" for a in ADJECTIVES for i in INDUSTRIES]
    rng.shuffle(names)
    return [(name, name.lower().replace(" ", "-") + ".example") for name in names[:count]]


class _Journey:
    """Events of one account, in time order, stopping at ``now``."""

    def __init__(self, rng: random.Random, start: datetime, now: datetime, people: list[Actor]):
        self.rng, self.at, self.now, self.people = rng, start, now, people
        self.events: list[tuple[datetime, Actor, str, int | None, dict]] = []

    def wait(self, low_days: float, high_days: float) -> None:
        self.at += timedelta(days=self.rng.uniform(low_days, high_days))

    def add(self, kind: str, product: Product | None = None, who: Actor | None = None, **props):
        if self.at < self.now:
            actor = who or self.rng.choice(self.people)
            self.events.append((self.at, actor, kind, product.id if product else None, props))
        self.at += timedelta(minutes=self.rng.uniform(1, 40))


def _simulate(journey: _Journey, depth: int, catalog: Catalog, rng: random.Random, seq) -> None:
    first = journey.people[0]
    journey.add("signed_up", who=first)
    for other in journey.people[1:]:
        journey.wait(0, 3)
        journey.add("signed_up", who=other)
    for query, results in rng.sample(SEARCHES, rng.randint(1, 3)):
        journey.add("searched", query=query, results=results)
    if not catalog.products:  # no catalog yet: research is all there is
        if depth >= 1:
            for query, results in rng.sample(SEARCHES, 3):
                journey.wait(0.5, 4)
                journey.add("searched", query=query, results=results)
        return
    focus = rng.choice(catalog.products)
    others = [p for p in catalog.products if p.id != focus.id]
    journey.add("product_viewed", focus)
    if depth >= 1:
        for _ in range(rng.randint(2, 5)):
            journey.wait(0.2, 3)
            journey.add("product_viewed", rng.choice([focus, focus, *others[:3]]))
        if others and rng.random() < 0.6:
            journey.add("products_compared", count=2, product_ids=[focus.id, others[0].id])
        if rng.random() < 0.7:
            journey.add("sheet_downloaded", focus)
    if depth >= 2:
        journey.wait(1, 8)
        run = f"sim-{next(seq)}"
        rows = rng.randint(800, 60_000)
        journey.add("demo_uploaded", focus, dataset_id=f"ds-{run}", format="csv", rows=rows)
        recipe = focus.recipe or "demo"
        journey.add("demo_started", focus, run_id=run, recipe=recipe)
        if rng.random() < 0.25:
            journey.add(
                "demo_failed", focus, run_id=run, recipe=recipe, reason=rng.choice(FAILURES)
            )
            journey.wait(0.1, 2)
            run = f"sim-{next(seq)}"
            journey.add("demo_started", focus, run_id=run, recipe=recipe)
        if depth >= 3 or rng.random() < 0.5:
            journey.add("demo_completed", focus, run_id=run, recipe=recipe, rows=rows)
    if depth >= 3:
        journey.wait(1, 10)
        journey.add("testimonials_viewed", focus, count=rng.randint(2, 8))
        if rng.random() < 0.4:
            journey.add("question_asked", focus)
        if rng.random() < 0.35:
            journey.add("reference_requested", focus)
    if depth >= 4:
        journey.wait(2, 12)
        plans = catalog.plans.get(focus.id) or []
        if plans:
            plan = rng.choice(plans)
            quantity = rng.randint(
                plan.min_quantity, min(plan.max_quantity, plan.min_quantity + 25)
            )
            journey.shopping = (plan, quantity)  # type: ignore[attr-defined]


BILLING_COUNTRIES = ("US", "GB", "DE", "FR", "NL", "CA")


class _Clock:
    """Moves the events the commerce services record (at "now") to the simulated moment."""

    def __init__(self) -> None:
        self.at: datetime | None = None
        self.events: list[Event] = []

    def receive(self, sender, event: Event, **_extra) -> None:
        if self.at is not None:
            event.occurred_at = self.at
            self.events.append(event)


@contextmanager
def _simulated_clock() -> Iterator[_Clock]:
    clock = _Clock()
    with event_recorded.connected_to(clock.receive):
        yield clock


def _shop(
    journey: _Journey,
    buyer: User,
    buys: bool,
    seller: User | None,
    clock: _Clock,
    rng: random.Random,
) -> bool:
    """Cart, checkout and (for buyers) an invoice order paid by bank transfer, all through the
    commerce services. Returns whether anything happened (the deal needs a replay then)."""
    plan, quantity = journey.shopping  # type: ignore[attr-defined]
    if journey.at >= journey.now:
        return False
    actor, key = Actor.for_user(buyer), user_key(buyer.id)
    clock.at = journey.at
    add_to_cart(key, plan.id, quantity, actor)
    cart = get_cart(key)
    cart.created_at = cart.updated_at = journey.at
    db.session.flush()  # the services lock and reload the cart and the order
    journey.at += timedelta(minutes=rng.uniform(1, 20))
    if journey.at < journey.now:
        clock.at = journey.at
        start_checkout(price_cart(cart, country=None, vat_id=None, business=True), actor)
    journey.wait(1, 7)
    if not buys or journey.at >= journey.now:
        return True
    clock.at = placed_at = journey.at
    details = BillingDetails(
        legal_name=buyer.account.name,
        address="1 Demo Street\nDemo City",
        country=rng.choice(BILLING_COUNTRIES),
        po_number=f"PO-{rng.randint(1000, 9999)}",
    )
    order, _ = place_order(buyer, key, details, "invoice", reviewed=None, actor=actor)
    order.created_at = order.updated_at = placed_at
    order.quote_valid_until = placed_at + (order.quote_valid_until - datetime.now(UTC))
    for change in order.history:
        change.created_at = placed_at
    db.session.flush()
    journey.wait(1, 10)  # the bank transfer takes a few days
    if seller is None or journey.at >= journey.now:
        return True  # still awaiting payment: the deal stays in Deciding
    clock.at = paid_at = journey.at
    mark_order_paid(order, seller, reference=f"SIM-{order.number}")
    order.paid_at = order.updated_at = paid_at
    for payment in order.payments:
        payment.received_at = paid_at
    order.history[-1].created_at = paid_at
    return True


def seed_pipeline(accounts: int = 300, days: int = 90, seed: int = 2026) -> list[str]:
    """Default stages, then simulated buying accounts (skipped when already there)."""
    create_default_stages()
    rng = random.Random(seed)
    companies = _companies(rng, accounts)
    if not companies or db.session.scalar(
        select(Account.id).where(Account.domain == companies[0][1])
    ):
        count = db.session.scalar(select(func.count()).select_from(Deal))
        return [f"Pipeline: stages ready, {count} deals (simulated history already there)."]
    catalog = _catalog()
    now = datetime.now(UTC)
    seller = db.session.scalar(select(User).where(User.role == "seller").order_by(User.id))
    seq = iter(range(1, 10**9))
    lost = 0
    with _simulated_clock() as clock:
        for name, domain in companies:
            people = []
            for _ in range(rng.choice((1, 1, 1, 2, 2, 3))):
                first, last = rng.choice(FIRST), rng.choice(LAST)
                email = f"{first.lower()}.{last.lower()}{next(seq)}@{domain}".replace("á", "a")
                user = create_user(
                    email,
                    secrets.token_urlsafe(16),
                    name=f"{first} {last}",
                    company=name,
                    tracking_consent=True,
                    password_method=SIMULATED_PASSWORD_METHOD,
                )
                people.append((user, Actor.for_user(user)))
            account = user.account
            depth = rng.choices(range(len(DEPTHS)), weights=DEPTHS)[0]
            start = now - timedelta(days=days * rng.random() ** 0.7)
            journey = _Journey(rng, start, now, [actor for _, actor in people])
            _simulate(journey, depth, catalog, rng, seq)
            for at, actor, kind, product_id, props in journey.events:
                record_event(actor, kind, product_id, occurred_at=at, **props)
            last_at = journey.events[-1][0] if journey.events else None
            if hasattr(journey, "shopping"):
                clock.events.clear()
                try:
                    shopped = _shop(journey, people[0][0], depth >= 5, seller, clock, rng)
                finally:
                    clock.at = None
                if shopped:
                    # The listener saw the services' events at "now": replay them in place.
                    rebuild_deals([account.id])
                    last_at = max((e.occurred_at for e in clock.events), default=last_at)
            if (
                seller
                and depth < 5
                and last_at
                and rng.random() < 0.08
                and now - last_at > timedelta(days=21)
            ):
                deal = db.session.scalar(select(Deal).where(Deal.account_id == account.id))
                mark_lost(deal, rng.choice(LOST_REASONS), seller, now=last_at + timedelta(days=20))
                lost += 1
            db.session.flush()
    _demo_users_journeys(catalog, now, rng, seq)
    count = db.session.scalar(select(func.count()).select_from(Deal))
    return [f"Pipeline: simulated {len(companies)} buying accounts ({lost} lost); {count} deals."]


def _demo_users_journeys(catalog: Catalog, now: datetime, rng: random.Random, seq) -> None:
    """Give the demo prospects (Dana, Lee) a recent journey so their cards are on the board."""
    for email, depth in (("dana@globex.example", 3), ("lee@initech.example", 1)):
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None or not user.tracking_consent:
            continue
        journey = _Journey(rng, now - timedelta(days=6), now, [Actor.for_user(user)])
        _simulate(journey, depth, catalog, rng, seq)
        for at, actor, kind, product_id, props in journey.events:
            record_event(actor, kind, product_id, occurred_at=at, **props)
