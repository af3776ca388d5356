"""The default stages read the buying room through OR clauses: a committee with a plan moves
on the room's figures, a buyer alone moves on events exactly as before. The stage expected
after each step is written out by hand from the default criteria (the docstring of each test
says which clause lets the deal in)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from sqlalchemy import select

from portal.journey.services import Actor
from portal.models import Notification, PlanStep, User
from portal.room import members, plan, shares, shortlist
from tests.factories import deal_of, make_plan, make_product, record
from tests.room.conftest import make_run


def _stage(db, user) -> str:
    db.session.expire_all()
    return deal_of(db.session.get(User, user.id)).stage.name


def _lens():
    lens = make_product(slug="pipeline-lens", name="Pipeline Lens", recipe="pipeline_lens")
    make_plan(lens)
    return lens


def test_a_buyer_alone_moves_on_events_as_before(db, make_user):
    """No committee, no plan: the event clauses of the criteria, one stage after the other."""
    solo = db.session.get(User, make_user(email="solo@gmail.com").id)
    lens = _lens()
    walk = [
        ("product_viewed", {}, "Exploring"),
        ("product_viewed", {}, "Exploring"),
        ("product_viewed", {}, "Researching"),  # product_viewed >= 3
        ("demo_started", {"run_id": "r1", "recipe": "x"}, "Trying"),
        ("demo_completed", {"run_id": "r1", "recipe": "x", "rows": 5}, "Trying"),
        ("testimonials_viewed", {}, "Validating"),  # demo_completed AND testimonials_viewed
        ("cart_item_added", {"plan_id": 1, "quantity": 2}, "Deciding"),
        ("order_paid", {"order_id": 1, "amount": 100, "currency": "USD"}, "Customer"),
    ]
    for kind, props, expected in walk:
        record(solo, kind, lens, **props)
        db.session.commit()
        assert _stage(db, solo) == expected, kind
    assert deal_of(solo).room == {}


def test_a_buyer_alone_with_a_plan_is_never_held_back_and_needs_a_committee(db, make_user):
    """A plan of one person: shortlisting opens Researching (plan_steps_total >= 1), a shared
    result Validating, but three steps done by one person are not a committee (Deciding
    needs committee_members >= 2 there); a cart still is Deciding."""
    solo = db.session.get(User, make_user(email="solo@gmail.com").id)
    lens = _lens()
    me = Actor.for_user(solo)
    record(solo, "product_viewed", lens)
    shortlist.add_to_shortlist(solo, lens.id, me)
    db.session.commit()
    assert _stage(db, solo) == "Researching"
    run = make_run(solo, lens)
    record(solo, "demo_completed", lens, run_id=run.sandbox_id, recipe="x", rows=6)
    shares.share_run(solo, run.sandbox_id, "account", None, False, me, 30)
    db.session.commit()
    assert _stage(db, solo) == "Validating"  # demo_completed AND shares >= 1
    for step in plan.plan_of(solo.account_id)[1:3]:
        plan.tick_step(solo, step.id, True, me)
    db.session.commit()
    assert deal_of(solo).room["plan_steps_done"] == 3
    assert _stage(db, solo) == "Validating"  # one member: no committee clause
    record(solo, "quote_requested", lens, quote_id=1, number="Q-1", amount=100, currency="USD")
    db.session.commit()
    assert _stage(db, solo) == "Deciding"


def test_a_committee_moves_on_its_plan_without_the_event_paths(db, make_user):
    """Ann and Bob (acme.example): no three product views, no testimonials, no cart, and
    still Researching, Validating, Deciding from the room, then Customer when paid."""
    ann = db.session.get(User, make_user(email="ann@acme.example").id)
    bob = db.session.get(User, make_user(email="bob@acme.example").id)
    make_user(role="seller", email="sam@vendor.example")
    lens = _lens()
    record(ann, "product_viewed", lens)
    db.session.commit()
    assert _stage(db, ann) == "Exploring"
    shortlist.add_to_shortlist(ann, lens.id, Actor.for_user(ann))
    members.set_role(bob, "finance", Actor.for_user(bob))
    db.session.commit()
    assert _stage(db, ann) == "Researching"  # plan_steps_total >= 1
    run = make_run(ann, lens)
    record(ann, "demo_started", lens, run_id=run.sandbox_id, recipe="x")
    record(ann, "demo_completed", lens, run_id=run.sandbox_id, recipe="x", rows=6)
    db.session.commit()
    # A demo on their own data ticked "Try it on our data" (1 done): not yet Validating.
    assert _stage(db, ann) == "Trying"
    steps = plan.plan_of(ann.account_id)
    plan.tick_step(bob, steps[1].id, True, Actor.for_user(bob))
    db.session.commit()
    assert _stage(db, ann) == "Validating"  # demo_completed AND plan_steps_done >= 2
    plan.tick_step(bob, steps[2].id, True, Actor.for_user(bob))
    db.session.commit()
    room = deal_of(ann).room
    assert (room["committee_members"], room["plan_steps_done"]) == (2, 3)
    assert _stage(db, ann) == "Deciding"  # committee_members >= 2 AND plan_steps_done >= 3
    # Deciding asks to be told on entry: the seller hears of it though no event moved it.
    told = db.session.scalars(select(Notification.message).where(Notification.kind == "stage"))
    assert "acme.example entered Deciding." in list(told)
    record(bob, "order_paid", lens, order_id=1, amount=100, currency="USD")
    db.session.commit()
    assert _stage(db, ann) == "Customer"
    done = db.session.scalars(
        select(PlanStep.title).where(
            PlanStep.account_id == ann.account_id, PlanStep.done_at.is_not(None)
        )
    ).all()
    assert "Sign and pay" in done  # the paid order completed its step by itself


# --- the data migration ------------------------------------------------------------------------

MIGRATION = next(
    (Path(__file__).parents[2] / "migrations" / "versions").glob("*_558e9d2df0bd_*.py")
)


def _migration():
    spec = importlib.util.spec_from_file_location("stages_read_the_room", MIGRATION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _criteria(db) -> dict[str, tuple[str, str]]:
    from portal.models import Stage

    db.session.expire_all()
    return {s.name: (s.criteria, s.description) for s in db.session.scalars(select(Stage))}


def test_the_migration_moves_default_criteria_and_leaves_an_admins_edit(db):
    """Stages with the event-only defaults get the room-aware ones; an edited stage keeps
    its criteria; downgrade gives the event-only defaults back, and the edit stays."""
    from portal.models import Stage
    from portal.pipeline.stages import DEFAULT_STAGES

    migration = _migration()
    event_only = {new: old for old, new, _, _ in migration.CHANGES}
    old_words = {new: old for _, _, old, new in migration.CHANGES}
    stages = {s.name: s for s in db.session.scalars(select(Stage))}
    for stage in stages.values():  # the stages as the first data migration wrote them
        if stage.criteria in event_only:
            stage.description = old_words[stage.description]
            stage.criteria = event_only[stage.criteria]
    edited = "demo_completed >= 2 AND reference_requested >= 1"
    stages["Validating"].criteria = edited
    stages["Deciding"].description = "Our own words."
    db.session.commit()
    connection = db.session.connection()
    assert migration.move_criteria(connection) == 2  # Researching and Deciding
    db.session.commit()
    after = _criteria(db)
    defaults = {name: (text, words) for name, _, text, _, _, _, words in DEFAULT_STAGES}
    assert after["Researching"] == defaults["Researching"]
    assert after["Validating"][0] == edited
    assert after["Deciding"] == (defaults["Deciding"][0], "Our own words.")
    assert after["Trying"] == defaults["Trying"] and after["Customer"] == defaults["Customer"]
    assert migration.move_criteria(db.session.connection()) == 0  # twice changes nothing
    migration.move_criteria(db.session.connection(), forward=False)
    db.session.commit()
    back = _criteria(db)
    assert back["Researching"][0] == event_only[defaults["Researching"][0]]
    assert back["Deciding"][0] == event_only[defaults["Deciding"][0]]
    assert back["Validating"][0] == edited


def test_the_default_criteria_in_code_match_the_migration(db):
    """``make_default_stages`` (and seed-demo) write what the migration writes."""
    from portal.pipeline import criteria
    from portal.pipeline.stages import DEFAULT_STAGES

    migration = _migration()
    written = {new for _, new, _, _ in migration.CHANGES}
    in_code = {criteria.validate(text) for _, _, text, *_ in DEFAULT_STAGES}
    assert written <= in_code
    assert {name for name, *_ in DEFAULT_STAGES} == set(_criteria(db))
