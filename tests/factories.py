"""Small factories for test data. Each flushes; the caller commits when it needs to."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

from portal.extensions import db
from portal.models import Faq, Order, OrderLine, Plan, Product, Resource, Stage, User
from portal.pipeline.stages import create_default_stages

_seq = itertools.count(1)


def make_default_stages() -> list[Stage]:
    """The default stages, as the data migration and ``seed-demo`` write them."""
    return create_default_stages()


def make_product(**fields) -> Product:
    n = next(_seq)
    values = {
        "slug": f"product-{n}",
        "name": f"Product {n}",
        "tagline": "Does useful things",
        "category": "Analytics",
        "use_cases": ["Forecasting"],
        "description_md": "A **useful** product.",
        "recipe": "data_doctor",
    }
    values.update(fields)
    product = Product(**values)
    db.session.add(product)
    db.session.flush()
    return product


def make_plan(product: Product, **fields) -> Plan:
    values = {
        "name": "Team",
        "unit_amount": 4900,
        "currency": "USD",
        "billing": "monthly",
        "per_seat": True,
        "min_quantity": 1,
        "max_quantity": 50,
    }
    values.update(fields)
    plan = Plan(product=product, **values)
    db.session.add(plan)
    db.session.flush()
    return plan


def make_paid_order(user: User, plan: Plan, quantity: int = 1, paid_at=None) -> Order:
    """A paid order for ``plan`` (what makes ``user`` a verified customer of its product)."""
    total = plan.unit_amount * quantity
    order = Order(
        number=f"TD-T{next(_seq):06d}",
        user_id=user.id,
        account_id=user.account_id,
        status="paid",
        payment_method="invoice",
        currency=plan.currency,
        subtotal=total,
        tax=0,
        total=total,
        paid_at=paid_at or datetime.now(UTC),
    )
    order.lines.append(
        OrderLine(
            product_id=plan.product_id,
            plan_id=plan.id,
            description=f"{plan.product.name} — {plan.name}",
            quantity=quantity,
            unit_amount=plan.unit_amount,
            total=total,
        )
    )
    db.session.add(order)
    db.session.flush()
    return order


def make_faq(product: Product, **fields) -> Faq:
    values = {"question": "Does it work?", "answer_md": "Yes, it **does**."}
    values.update(fields)
    faq = Faq(product=product, **values)
    db.session.add(faq)
    db.session.flush()
    return faq


def make_resource(product: Product, **fields) -> Resource:
    """A video-link resource by default (no file needed)."""
    values = {"kind": "video", "title": "Product tour", "url": "https://videos.example/tour"}
    values.update(fields)
    resource = Resource(product=product, **values)
    db.session.add(resource)
    db.session.flush()
    return resource


def make_pdf(text: str = "Hello", pages: int = 1) -> bytes:
    """A small valid PDF (for upload tests)."""
    from fpdf import FPDF

    pdf = FPDF()
    for _ in range(pages):
        pdf.add_page()
        pdf.set_font("Helvetica", size=12)
        pdf.cell(0, 10, text)
    return bytes(pdf.output())


def make_testimonial(product: Product, author: User | None = None, **fields):
    """A testimonial (approved by default); verified with ``author``, imported without."""
    from portal.models import Testimonial

    values = {
        "product_id": product.id,
        "author_id": author.id if author else None,
        "kind": "verified" if author else "imported",
        "rating": 5,
        "title": "It does what it says",
        "body": "We rolled it out to the whole team in a week and it paid off quickly.",
        "role": "Head of Sales",
        "industry": "logistics",
        "company_size": "201-1000",
        "display_name": author.display_name if author else "A. Customer",
        "purchased_at": datetime(2026, 3, 14, tzinfo=UTC) if author else None,
        "source_note": "" if author else "Case study, 2025",
        "status": "approved",
    }
    values.update(fields)
    testimonial = Testimonial(**values)
    db.session.add(testimonial)
    db.session.flush()
    return testimonial


def make_reference_profile(user: User, **fields):
    """Opt ``user`` in as a reference customer."""
    from portal.models import ReferenceProfile

    values = {
        "user_id": user.id,
        "is_active": True,
        "industry": "logistics",
        "company_size": "201-1000",
        "role": "VP Sales",
        "topics": ["rollout", "roi"],
        "availability": "Tuesday afternoons",
        "monthly_cap": 2,
    }
    values.update(fields)
    profile = ReferenceProfile(**values)
    db.session.add(profile)
    db.session.flush()
    return profile


def record(user: User, kind: str, product=None, at=None, **props):
    """Record a journey event for ``user`` through the real service (the pipeline listens)."""
    from portal.journey.services import Actor, record_event

    actor = Actor(user_id=user.id, account_id=user.account_id)
    return record_event(actor, kind, product, occurred_at=at, **props)


def deal_of(user: User):
    """The deal of ``user``'s buying account (or None)."""
    from sqlalchemy import select

    from portal.models import Deal

    return db.session.scalar(select(Deal).where(Deal.account_id == user.account_id))
