"""Deals kept up to date by the journey listener: stages, score, value, lost, rebuild."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from portal.journey.services import Actor, attach_visitor, erase_user, record_event
from portal.models import Deal, DealProduct, Event, Stage, StageTransition, User
from portal.pipeline.deal_actions import mark_lost
from portal.pipeline.errors import PipelineError
from portal.pipeline.rebuild import rebuild_deals
from portal.pipeline.scoring import score_at
from portal.pipeline.stages import list_stages, save_stage
from tests.factories import deal_of, make_plan, make_product, record

NOW = datetime.now(UTC)


def stage_name(deal) -> str:
    return deal.stage.name


def history(db, deal) -> list[tuple[str, str | None, int | None]]:
    rows = db.session.scalars(
        select(StageTransition)
        .where(StageTransition.deal_id == deal.id)
        .order_by(StageTransition.occurred_at, StageTransition.id)
    )
    return [(t.kind, t.to_stage.name if t.to_stage else None, t.event_id) for t in rows]


def test_a_deal_follows_the_buyers_journey_through_the_default_stages(db, make_user):
    user = make_user(email="dana@globex.example")
    product = make_product(name="Pipeline Lens")
    plan = make_plan(product, unit_amount=4900)
    first = record(user, "signed_up")
    assert stage_name(deal_of(user)) == "Exploring"
    for _ in range(3):
        record(user, "product_viewed", product)
    assert stage_name(deal_of(user)) == "Researching"
    record(user, "demo_started", product, run_id="r1", recipe="lens")
    assert stage_name(deal_of(user)) == "Trying"
    completed = record(user, "demo_completed", product, run_id="r1", recipe="lens", rows=12430)
    assert stage_name(deal_of(user)) == "Trying"  # a demo alone is not validation
    read = record(user, "testimonials_viewed", product, count=3)
    assert stage_name(deal_of(user)) == "Validating"
    added = record(user, "cart_item_added", product, plan_id=plan.id, quantity=3)
    assert stage_name(deal_of(user)) == "Deciding"
    paid = record(user, "order_paid", order_id=7, amount=14700, currency="USD")
    db.session.commit()

    deal = deal_of(user)
    assert stage_name(deal) == "Customer"
    assert deal.counters["product_viewed"] == 3
    assert deal.product_counters[str(product.id)]["demo_completed"] == 1
    assert deal.people == [user.id]
    steps = history(db, deal)
    assert [s[1] for s in steps] == [
        "Exploring",
        "Researching",
        "Trying",
        "Validating",
        "Deciding",
        "Customer",
    ]
    # every change names the event that caused it
    assert steps[0][2] == first.id and steps[3][2] == read.id and steps[5][2] == paid.id
    assert completed.id not in [s[2] for s in steps] and added.id == steps[4][2]
    assert db.session.scalar(select(func.count()).select_from(DealProduct)) == 1


def test_anonymous_visitors_have_no_deal(db):
    record_event(Actor(visitor_id="visitor-abcdef1234"), "product_viewed", 1)
    assert db.session.scalar(select(func.count()).select_from(Deal)) == 0


def test_colleagues_share_one_deal_and_are_the_people_involved(db, make_user):
    dana = make_user(email="dana@globex.example")
    kim = make_user(email="kim@globex.example")
    record(dana, "product_viewed", 1)
    record(kim, "product_viewed", 1)
    record(dana, "product_viewed", 2)
    assert db.session.scalar(select(func.count()).select_from(Deal)) == 1
    deal = deal_of(dana)
    assert deal.people == [dana.id, kim.id]
    assert set(deal.product_counters) == {"1", "2"}


def test_a_deal_never_moves_backwards_except_when_lost_and_reopens_on_activity(db, make_user):
    seller = db.session.get(User, make_user(role="seller").id)
    buyer = make_user()
    record(buyer, "cart_item_added", 1, plan_id=1, quantity=1, at=NOW - timedelta(days=3))
    assert stage_name(deal_of(buyer)) == "Deciding"
    record(buyer, "cart_item_removed", 1, plan_id=1, at=NOW - timedelta(days=2))
    record(buyer, "product_viewed", 1, at=NOW - timedelta(days=2))
    assert stage_name(deal_of(buyer)) == "Deciding"  # criteria on counts never unwind

    deal = deal_of(buyer)
    mark_lost(deal, "Chose a competitor", seller, now=NOW - timedelta(days=1))
    with pytest.raises(PipelineError, match="already marked lost"):
        mark_lost(deal, "again", seller)
    assert deal.lost_at is not None and deal.lost_reason == "Chose a competitor"
    back = record(buyer, "product_viewed", 1)
    db.session.commit()
    deal = deal_of(buyer)
    assert deal.lost_at is None
    kinds = [kind for kind, _, _ in history(db, deal)]
    assert kinds == ["entered", "lost", "reopened"]
    assert history(db, deal)[-1] == ("reopened", "Deciding", back.id)

    before = _snapshot(db)
    rebuild_deals()
    db.session.commit()
    assert _snapshot(db) == before


def test_lost_needs_a_reason(db, make_user):
    seller = db.session.get(User, make_user(role="seller").id)
    buyer = make_user()
    record(buyer, "product_viewed", 1)
    with pytest.raises(PipelineError, match="Say why"):
        mark_lost(deal_of(buyer), "   ", seller)


def test_value_is_the_open_cart_else_paid_orders_else_the_cheapest_plan_tried(db, make_user):
    buyer = make_user()
    product = make_product()
    cheap = make_plan(product, unit_amount=1900)
    make_plan(product, unit_amount=9900)
    other = make_plan(make_product(), unit_amount=100_000, currency="USD")

    record(buyer, "product_viewed", product)
    assert (deal_of(buyer).value, deal_of(buyer).value_source) == (0, "")
    record(buyer, "demo_started", product, run_id="r1", recipe="x")
    assert (deal_of(buyer).value, deal_of(buyer).value_source) == (1900, "tried")
    record(buyer, "cart_item_added", product, plan_id=cheap.id, quantity=2)
    record(buyer, "cart_item_added", plan_id=other.id, quantity=1)
    assert (deal_of(buyer).value, deal_of(buyer).value_source) == (103_800, "cart")
    record(buyer, "cart_item_added", product, plan_id=cheap.id, quantity=5)  # new quantity
    assert deal_of(buyer).value == 109_500
    record(buyer, "cart_item_removed", plan_id=other.id)
    assert deal_of(buyer).value == 9500
    record(buyer, "order_placed", order_id=3, amount=9500, currency="USD", method="invoice")
    record(buyer, "order_paid", order_id=3, amount=9500, currency="USD")
    deal = deal_of(buyer)
    assert (deal.value, deal.currency, deal.value_source) == (9500, "USD", "paid")


def test_score_weights_kinds_and_halves_every_half_life(app, db, make_user):
    app.config["PIPELINE_HALF_LIFE_DAYS"] = 10
    app.config["PIPELINE_SCORE_WEIGHTS"] = {"demo_completed": 8, "product_viewed": 1}
    buyer = make_user()
    record(buyer, "demo_completed", 1, at=NOW - timedelta(days=20))
    record(buyer, "product_viewed", 1, at=NOW - timedelta(days=10))
    record(buyer, "signed_up", at=NOW)  # weight 0: counted, not scored
    deal = deal_of(buyer)
    assert score_at(deal.score_log, NOW, 10) == pytest.approx(8 / 4 + 1 / 2)
    assert score_at(deal.score_log, NOW + timedelta(days=10), 10) == pytest.approx(1.25)


def test_stalled_after_the_stages_days_without_activity(db, make_user):
    from portal.pipeline.stalled import is_stalled

    buyer = make_user()
    record(buyer, "product_viewed", 1, at=NOW - timedelta(days=40))
    deal = deal_of(buyer)
    stage = deal.stage
    assert stage.name == "Exploring" and stage.stalled_after_days == 30
    assert is_stalled(deal, stage, NOW)
    assert not is_stalled(deal, stage, NOW - timedelta(days=15))


def test_an_event_recorded_out_of_order_is_replayed_in_place(db, make_user):
    buyer = make_user()
    record(buyer, "cart_item_added", plan_id=1, quantity=1, at=NOW - timedelta(days=1))
    # an older removal arrives late: replayed, it does not empty today's cart
    record(buyer, "cart_item_removed", plan_id=1, at=NOW - timedelta(days=5))
    assert deal_of(buyer).cart == {"1": 1}
    assert deal_of(buyer).opened_at == NOW - timedelta(days=5)


def test_identity_merge_replays_the_visitors_earlier_events_into_the_deal(db, make_user):
    buyer = db.session.get(User, make_user().id)
    record_event(Actor(visitor_id="visitor-abcdef1234"), "demo_started", 1, run_id="r", recipe="x")
    record_event(Actor(visitor_id="visitor-abcdef1234"), "demo_uploaded", 1, rows=10)
    record(buyer, "signed_up")
    assert deal_of(buyer).stage.name == "Exploring"
    attach_visitor(buyer, "visitor-abcdef1234")
    db.session.commit()
    deal = deal_of(buyer)
    assert deal.stage.name == "Trying"
    assert deal.counters == {"signed_up": 1, "demo_started": 1, "demo_uploaded": 1}


def test_erasing_the_last_person_deletes_the_deal_and_a_colleague_replays_it(db, make_user):
    dana = db.session.get(User, make_user(email="dana@globex.example").id)
    kim = db.session.get(User, make_user(email="kim@globex.example").id)
    record(dana, "product_viewed", 1)
    record(kim, "demo_started", 1, run_id="r", recipe="x")
    assert deal_of(dana).stage.name == "Trying"
    erase_user(kim)
    db.session.commit()
    deal = deal_of(dana)
    assert deal.people == [dana.id] and deal.counters == {"product_viewed": 1}
    account_id = dana.account_id
    erase_user(dana)
    db.session.commit()
    assert db.session.scalar(select(Deal).where(Deal.account_id == account_id)) is None


def test_changing_the_criteria_rebuilds_every_deal(db, make_user):
    buyer = make_user()
    record(buyer, "demo_completed", 1, run_id="r", recipe="x", rows=5)
    assert deal_of(buyer).stage.name == "Exploring"  # Trying needs demo_started/uploaded
    trying = next(s for s in list_stages() if s.name == "Trying")
    _stage, rebuilt = save_stage(
        trying,
        name="Trying",
        position=trying.position,
        probability=25,
        criteria_text="demo_started >= 1 or demo_completed >= 1",
        stalled_after_days=14,
    )
    db.session.commit()
    assert rebuilt
    assert trying.criteria == "demo_started >= 1 OR demo_completed >= 1"
    assert deal_of(buyer).stage.name == "Trying"


def test_rebuild_command_recomputes_from_the_events(app, db, runner, make_user):
    buyer = make_user()
    record(buyer, "product_viewed", 1)
    record(buyer, "sheet_downloaded", 1)
    db.session.commit()
    before = _snapshot(db)
    db.session.execute(Deal.__table__.update().values(counters={}, stage_id=None, value=99))
    db.session.execute(StageTransition.__table__.delete())
    db.session.commit()
    result = runner.invoke(args=["pipeline", "rebuild"])
    assert "Rebuilt 1 deals" in result.output
    db.session.expire_all()
    assert _snapshot(db) == before


def test_a_deal_without_events_goes_away_on_rebuild(db, make_user):
    buyer = make_user()
    record(buyer, "product_viewed", 1)
    db.session.execute(Event.__table__.delete())
    rebuild_deals()
    assert db.session.scalar(select(func.count()).select_from(Deal)) == 0


def _snapshot(db) -> list:
    deals = db.session.scalars(select(Deal).order_by(Deal.id)).all()
    transitions = db.session.scalars(
        select(StageTransition).order_by(StageTransition.deal_id, StageTransition.occurred_at)
    ).all()
    return [
        [
            (d.account_id, d.stage_id, d.counters, d.value, d.value_source, d.lost_at, d.people)
            for d in deals
        ],
        [(t.kind, t.from_stage_id, t.to_stage_id, t.event_id, t.reason) for t in transitions],
    ]


def test_the_listener_sees_a_stage_edited_by_another_process(db, make_user):
    buyer = make_user()
    record(buyer, "product_viewed", 1)  # the listener now keeps the parsed stages
    db.session.commit()
    # Another process edits the criteria: nothing in this process is told.
    with db.engine.begin() as other:
        other.execute(
            update(Stage).where(Stage.name == "Trying").values(criteria="demo_completed >= 1")
        )
    record(buyer, "demo_completed", 1, run_id="r", recipe="x", rows=5)
    db.session.commit()
    assert deal_of(buyer).stage.name == "Trying"


def test_staff_events_leave_an_existing_deal_alone(db, make_user):
    buyer = make_user(email="kim@initech.example")
    record(buyer, "product_viewed", 1)
    db.session.commit()
    counters = dict(deal_of(buyer).counters)
    seller = make_user(role="seller", email="sam@initech.example")
    assert seller.account_id == buyer.account_id  # same company domain, one account
    record(seller, "product_viewed", 1)
    db.session.commit()
    assert deal_of(buyer).counters == counters
    assert deal_of(buyer).people == [buyer.id]
