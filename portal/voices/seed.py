"""Demo data for trusted voices: customers with past purchases, their testimonials,
reference customers, reference requests and answered questions.

Runs after the catalog (and commerce) seeders and skips itself when the demo catalog is
missing. Safe to run again: everything is looked up by a natural key before it is created.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from portal.auth.seed import DEMO_PASSWORD
from portal.auth.services import create_user, find_user_by_email
from portal.extensions import db
from portal.models import (
    Answer,
    HelpfulVote,
    Order,
    OrderLine,
    Plan,
    Product,
    Question,
    ReferenceProfile,
    ReferenceRequest,
    Testimonial,
    User,
)
from portal.voices import references
from portal.voices.customers import display_name_for, verified_purchase
from portal.voices.demo_content import (
    CUSTOMERS,
    DEMO_SLUGS,
    PENDING,
    PROFILES,
    PURCHASES,
    QUESTIONS,
    REJECTED,
    STORIES,
    TESTIMONIALS,
    DemoCustomer,
)
from portal.voices.demo_depth import apply_demo_depth
from portal.voices.testimonials import recount_helpful


def _days_ago(days: int) -> datetime:
    return datetime.now(UTC).replace(hour=10, minute=0, second=0, microsecond=0) - timedelta(
        days=days
    )


def _ensure_customer(spec: DemoCustomer) -> User:
    user = find_user_by_email(spec.email)
    if user is None:
        user = create_user(spec.email, DEMO_PASSWORD, name=spec.name, company=spec.company)
        db.session.flush()
    return user


def _purchase_plan(product: Product) -> Plan | None:
    plans = [p for p in product.plans if p.is_active]
    recurring = [p for p in plans if p.billing != "one_time"]
    return (recurring or plans or [None])[0]


def _ensure_order(user: User, product: Product, days: int, n: int) -> bool:
    if verified_purchase(user.id, product.id) is not None:
        return False
    plan = _purchase_plan(product)
    if plan is None:
        return False
    number = f"TD-DEMO-V{n:04d}"
    if db.session.scalar(select(Order.id).where(Order.number == number)) is not None:
        return False
    quantity = min(max(5 if plan.per_seat else 1, plan.min_quantity), plan.max_quantity)
    total = plan.unit_amount * quantity
    paid_at = _days_ago(days)
    order = Order(
        number=number,
        user_id=user.id,
        account_id=user.account_id,
        status="paid",
        payment_method="invoice",
        currency=plan.currency,
        subtotal=total,
        tax=0,
        total=total,
        paid_at=paid_at,
        created_at=paid_at - timedelta(days=3),
    )
    order.lines.append(
        OrderLine(
            product_id=product.id,
            plan_id=plan.id,
            description=f"{product.name} — {plan.name}",
            quantity=quantity,
            unit_amount=plan.unit_amount,
            total=total,
        )
    )
    db.session.add(order)
    db.session.flush()
    return True


def _testimonial(user: User, spec: DemoCustomer, product: Product, **values) -> bool:
    exists = db.session.scalar(
        select(Testimonial.id).where(
            Testimonial.author_id == user.id, Testimonial.product_id == product.id
        )
    )
    purchased_at = verified_purchase(user.id, product.id)
    if exists is not None or purchased_at is None:
        return False
    choice = values.pop("display_choice")
    db.session.add(
        Testimonial(
            product_id=product.id,
            author_id=user.id,
            kind="verified",
            role=spec.role,
            industry=spec.industry,
            company_size=spec.size,
            display_choice=choice,
            display_name=display_name_for(user, choice),
            purchased_at=purchased_at,
            **values,
        )
    )
    db.session.flush()
    return True


def seed_voices() -> list[str]:
    """Create the demo voices once; return what was added."""
    products = {
        p.slug: p for p in db.session.scalars(select(Product).where(Product.slug.in_(DEMO_SLUGS)))
    }
    if len(products) < len(DEMO_SLUGS):
        return ["Trusted voices: the demo catalog is missing; skipped (run the catalog seeder)."]
    seller = find_user_by_email("seller@northwind.example")
    admin = find_user_by_email("admin@northwind.example")
    specs = {c.key: c for c in CUSTOMERS}
    users = {c.key: _ensure_customer(c) for c in CUSTOMERS}
    added = {"orders": 0, "testimonials": 0, "stories": 0, "profiles": 0, "questions": 0}

    for n, (key, slug, days) in enumerate(PURCHASES, start=1):
        added["orders"] += _ensure_order(users[key], products[slug], days, n)

    added["testimonials"] += _seed_approved(products, users, specs, seller)
    deepened, replies = apply_demo_depth(products, users, seller)
    added["testimonials"] += _seed_moderation(products, users, specs, seller)
    added["stories"] = _seed_stories(products, admin)
    added["profiles"] = _seed_profiles(users, specs)

    added["questions"] = _seed_questions(products, users, seller)
    requests = _seed_requests(products, users, seller)
    return [
        f"Trusted voices: {added['orders']} demo purchases, {added['testimonials']} testimonials, "
        f"{added['stories']} customer stories, {added['profiles']} reference customers, "
        f"{added['questions']} questions, {requests} reference requests added; "
        f"{deepened} reviews given sub-ratings, pros and cons, {replies} vendor replies.",
    ]


def _written(rating: int, title: str, body: str, choice: str) -> dict:
    """What the author wrote, as the testimonial's fields."""
    return {"rating": rating, "title": title, "body": body, "display_choice": choice}


def _seed_approved(products: dict, users: dict, specs: dict, seller: User | None) -> int:
    """Published testimonials with their helpful votes."""
    count = 0
    voters = [*users.values()]
    for prospect in ("dana@globex.example", "lee@initech.example"):
        if (user := find_user_by_email(prospect)) is not None:
            voters.append(user)
    for key, slug, rating, title, body, choice, days, votes in TESTIMONIALS:
        created = _testimonial(
            users[key],
            specs[key],
            products[slug],
            **_written(rating, title, body, choice),
            status="approved",
            created_at=_days_ago(days),
            moderated_by_id=seller.id if seller else None,
            moderated_at=_days_ago(max(days - 1, 0)),
        )
        if not created:
            continue
        count += 1
        testimonial = db.session.scalar(
            select(Testimonial).where(
                Testimonial.author_id == users[key].id,
                Testimonial.product_id == products[slug].id,
            )
        )
        for voter in [v for v in voters if v.id != users[key].id][:votes]:
            db.session.add(HelpfulVote(testimonial_id=testimonial.id, user_id=voter.id))
        db.session.flush()
        recount_helpful([testimonial.id])
    return count


def _seed_moderation(products: dict, users: dict, specs: dict, seller: User | None) -> int:
    """Testimonials waiting for moderation, and one the author has to rewrite."""
    count = 0
    for key, slug, rating, title, body, choice in PENDING:
        if title:
            count += _testimonial(
                users[key],
                specs[key],
                products[slug],
                **_written(rating, title, body, choice),
                status="pending",
                created_at=_days_ago(2),
            )
    key, slug, rating, title, body, choice, reason = REJECTED
    count += _testimonial(
        users[key],
        specs[key],
        products[slug],
        **_written(rating, title, body, choice),
        status="rejected",
        rejection_reason=reason,
        moderated_by_id=seller.id if seller else None,
        moderated_at=_days_ago(5),
        created_at=_days_ago(6),
    )
    return count


def _seed_stories(products: dict, admin: User | None) -> int:
    """Customer stories imported from elsewhere, with their source."""
    count = 0
    for slug, name, role, industry, size, rating, title, body, source in STORIES:
        exists = db.session.scalar(
            select(Testimonial.id).where(
                Testimonial.product_id == products[slug].id, Testimonial.title == title
            )
        )
        if exists is None:
            db.session.add(
                Testimonial(
                    product_id=products[slug].id,
                    kind="imported",
                    display_choice="full",
                    display_name=name,
                    role=role,
                    industry=industry,
                    company_size=size,
                    rating=rating,
                    title=title,
                    body=body,
                    source_note=source,
                    status="approved",
                    moderated_by_id=admin.id if admin else None,
                    moderated_at=_days_ago(200),
                    created_at=_days_ago(200),
                )
            )
            count += 1
    return count


def _seed_profiles(users: dict, specs: dict) -> int:
    """Customers who opted in as references."""
    count = 0
    for key, (topics, availability, cap) in PROFILES.items():
        user, spec = users[key], specs[key]
        if references.reference_profile(user.id) is not None:
            continue
        db.session.add(
            ReferenceProfile(
                user_id=user.id,
                is_active=True,
                industry=spec.industry,
                company_size=spec.size,
                role=spec.role,
                topics=topics,
                availability=availability,
                monthly_cap=cap,
            )
        )
        count += 1
    db.session.flush()
    return count


def _seed_questions(products: dict, users: dict, seller: User | None) -> int:
    count = 0
    for n, (slug, asker_email, title, body, answers) in enumerate(QUESTIONS):
        product = products[slug]
        asker = find_user_by_email(asker_email)
        if asker is None:
            continue
        exists = db.session.scalar(
            select(Question.id).where(Question.product_id == product.id, Question.title == title)
        )
        if exists is not None:
            continue
        days = 40 + 7 * count
        question = Question(
            product_id=product.id,
            author_id=asker.id,
            title=title,
            body=body,
            created_at=_days_ago(days),
        )
        db.session.add(question)
        db.session.flush()
        for offset, (who, text) in enumerate(answers, start=1):
            author = seller if "@" in who else users[who]
            if author is None:
                continue
            is_seller = author.has_role("seller")
            db.session.add(
                Answer(
                    question_id=question.id,
                    author_id=author.id,
                    author_kind="seller" if is_seller else "customer",
                    display_name=author.display_name
                    if is_seller
                    else display_name_for(author, "initial"),
                    purchased_at=None if is_seller else verified_purchase(author.id, product.id),
                    body=text,
                    created_at=_days_ago(days - offset),
                    is_accepted=n == 0 and offset == 1,  # the first asker accepted an answer
                )
            )
        count += 1
    db.session.flush()
    return count


def _seed_requests(products: dict, users: dict, seller: User | None) -> int:
    """Dana's request waits for Casey's answer (the demo customer login); Lee's is new."""
    dana = find_user_by_email("dana@globex.example")
    lee = find_user_by_email("lee@initech.example")
    specs = [
        (dana, "pipeline-lens", "logistics", "201-1000", "Head of Sales",
         ["rollout", "adoption"],
         "We're a 600-person distributor with reps who live in spreadsheets. How long did it "
         "take before your reps trusted the stalled-deal alerts, and what did you change in "
         "your weekly pipeline meeting?", "casey"),
        (lee, "data-doctor", "software", "51-200", "RevOps Lead", ["data", "buying"],
         "We're about to migrate from a homegrown CRM to HubSpot. I'd like to hear how much "
         "clean-up Data Doctor found before a migration and whether the nightly checks were "
         "worth keeping afterwards.", None),
    ]  # fmt: skip
    count = 0
    for requester, slug, industry, size, role, topics, message, reference in specs:
        if requester is None:
            continue
        product = products[slug]
        exists = db.session.scalar(
            select(ReferenceRequest.id).where(
                ReferenceRequest.requester_id == requester.id,
                ReferenceRequest.product_id == product.id,
            )
        )
        if exists is not None:
            continue
        item = ReferenceRequest(
            product_id=product.id,
            requester_id=requester.id,
            industry=industry,
            company_size=size,
            role=role,
            topics=topics,
            message=message,
            status="requested",
            created_at=_days_ago(3),
        )
        if reference and seller is not None:
            item.status = "proposed"
            item.reference_id = users[reference].id
            item.proposed_by_id = seller.id
            item.proposed_at = _days_ago(1)
            item.seller_note = (
                "Casey, you rolled Pipeline Lens out to a similar sales team last year; "
                "these questions are right up your street. Thank you!"
            )
        db.session.add(item)
        count += 1
    db.session.flush()
    return count
