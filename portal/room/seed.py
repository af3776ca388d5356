"""Demo rooms (``seed-demo``): Globex and Initech each with a committee, a shortlist and a
plan at different points, one overdue step (Globex is "at risk" on the board) and a result
shared with the room. Runs after the pipeline seed, through the room's own services."""

from __future__ import annotations

import io
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

import sandbox
from portal.auth.seed import DEMO_PASSWORD
from portal.auth.services import create_user, find_user_by_email
from portal.extensions import db
from portal.journey.owners import user_key
from portal.journey.services import Actor, record_event
from portal.models import Account, PlanStep, Product, ShortlistItem, User
from portal.room import members, plan, shares, shortlist

RUN_WAIT_SECONDS = 60


def _user(email: str, name: str, account_id: int | None = None) -> User:
    user = find_user_by_email(email)
    if user is None:
        account = db.session.get(Account, account_id) if account_id is not None else None
        user = create_user(email, DEMO_PASSWORD, name=name, account=account, tracking_consent=True)
    return user


def _product(slug: str) -> Product | None:
    return db.session.scalar(select(Product).where(Product.slug == slug, Product.is_active))


def _shared_run(user: User, product: Product) -> str:
    """Run the product's demo on a file of "their own" and share it with the room."""
    from portal.trials import datasets, runs

    owner = user_key(user.id)
    actor = Actor.for_user(user)
    data = sandbox.sample_csv(datasets.recipe_for(product).name)
    dataset = datasets.upload_dataset(
        owner, actor, product, io.BytesIO(data), "globex-pipeline.csv"
    )
    info = datasets.dataset_info(dataset)
    mapping = {
        field: suggestion.column
        for field, suggestion in runs.suggested_mapping(info, product).items()
        if suggestion.preselect
    }
    run = runs.start_run(owner, actor, dataset, product, mapping, {})
    db.session.commit()  # the worker reads the run from the store, the page from the row
    deadline = time.monotonic() + RUN_WAIT_SECONDS
    while not run.done and time.monotonic() < deadline:
        time.sleep(0.5)
        runs.refresh_run(run)
    if run.state != "succeeded":
        return "  (the demo run did not finish in time: no shared result)"
    shares.share_run(user, run.sandbox_id, "account", None, False, actor, 30)
    return f"  shared result: {product.name} on {dataset.filename}"


def seed_rooms() -> list[str]:
    """Two demo rooms (skipped when Globex already has a shortlist)."""
    dana = find_user_by_email("dana@globex.example")
    lee = find_user_by_email("lee@initech.example")
    lens, radar = _product("pipeline-lens"), _product("demand-radar")
    if dana is None or lee is None or lens is None:
        return ["Rooms: skipped (demo users or catalog missing)."]
    if db.session.scalar(
        select(ShortlistItem.id).where(ShortlistItem.account_id == dana.account_id)
    ):
        return ["Rooms: Globex and Initech rooms already there."]
    lines = ["Rooms:"]
    today = datetime.now(UTC).date()

    # Globex: champion, finance and a consultant invited; plan under way with an overdue step.
    record_event(Actor.for_user(dana), "product_viewed", lens)  # the account has a deal
    members.set_role(dana, "champion", Actor.for_user(dana))
    cfo = _user("rita.cfo@globex.example", "Rita Ortiz", dana.account_id)
    members.set_role(cfo, "finance", Actor.for_user(cfo))
    shortlist.add_to_shortlist(dana, lens.id, Actor.for_user(dana))
    if radar is not None:
        item = shortlist.add_to_shortlist(dana, radar.id, Actor.for_user(dana))
        shortlist.add_comment(cfo, item.id, "Cheaper, but no SSO yet?", Actor.for_user(cfo))
    members.invite(dana, "morgan@advisors.example", "other", Actor.for_user(dana), 7)
    steps = plan.plan_of(dana.account_id)
    security = next(s for s in steps if s.title == "Review the security pack")
    plan.update_step(dana, security.id, cfo.id, today - timedelta(days=3))
    lines.append("  Globex: 2 members, 1 invitation, 2 shortlisted, a step 3 days overdue")
    db.session.commit()
    try:
        lines.append(_shared_run(dana, lens))
    except Exception as error:  # the sandbox may be unavailable where the demo is seeded
        db.session.rollback()
        lines.append(f"  (no shared result: {error})")

    # Initech: further along; the seller proposed a step, accepted; quote and security done.
    record_event(Actor.for_user(lee), "product_viewed", lens)
    members.set_role(lee, "decision_maker", Actor.for_user(lee))
    ops = _user("kai.it@initech.example", "Kai Brandt", lee.account_id)
    members.set_role(ops, "it_security", Actor.for_user(ops))
    shortlist.add_to_shortlist(lee, lens.id, Actor.for_user(lee))
    for step in plan.plan_of(lee.account_id)[:3]:
        plan.tick_step(lee, step.id, True, Actor.for_user(lee))
    seller = db.session.scalar(select(User).where(User.role == "seller").order_by(User.id))
    if seller is not None:
        proposed = plan.propose_step(
            seller, lee.account_id, "Kick-off with our onboarding team", None
        )
        plan.answer_proposal(lee, proposed.id, True, Actor.for_user(lee))
    last = db.session.scalar(
        select(PlanStep)
        .where(PlanStep.account_id == lee.account_id, PlanStep.done_at.is_(None))
        .order_by(PlanStep.position.desc())
    )
    if last is not None:
        plan.update_step(lee, last.id, ops.id, today + timedelta(days=10))
    lines.append("  Initech: 2 members, 3 of 7 steps done, a seller's step accepted")
    return lines
