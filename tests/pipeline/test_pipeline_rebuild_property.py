"""The incremental listener and ``rebuild`` agree on any stream of events and lost marks.

Each example records a random stream through the real ``record_event`` path (in random time
order, with ties, so the out-of-order replay is exercised too), snapshots the deals, rebuilds
them from the raw events and compares. Every example runs in one transaction that is rolled
back, which resets the state cheaply.
"""

import math
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from portal.extensions import db
from portal.models import Deal, DealProduct, RoomSnapshot, StageTransition, User
from portal.pipeline.deal_actions import mark_lost
from portal.pipeline.engine import DealState
from portal.pipeline.rebuild import rebuild_deals
from portal.pipeline.room_figures import room_seen_at
from portal.room.signals import room_changed
from tests.factories import deal_of, make_plan, make_product, record

BASE = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
KINDS = (
    "signed_up",
    "product_viewed",
    "searched",
    "sheet_downloaded",
    "demo_uploaded",
    "demo_started",
    "demo_completed",
    "demo_failed",
    "testimonials_viewed",
    "reference_requested",
    "question_asked",
    "cart_item_added",
    "cart_item_removed",
    "checkout_started",
    "order_placed",
    "order_paid",
    "order_refunded",
    "order_cancelled",
    "quote_requested",
    "quote_accepted",
)

events = st.tuples(
    st.just("event"),
    st.integers(0, 3),  # who
    st.sampled_from(KINDS),
    st.sampled_from((None, 0, 1)),  # product
    st.integers(0, 3),  # plan
    st.integers(0, 4),  # quantity
    st.integers(0, 40),  # hours after BASE (ties on purpose)
)
losses = st.tuples(st.just("lost"), st.integers(0, 3))
# The buying room's figures changing at a moment (what portal.room.summary.room_updated
# records): members, steps done of 6, shares.
rooms = st.tuples(
    st.just("room"), st.integers(0, 3), st.integers(1, 3), st.integers(0, 6),
    st.integers(0, 2), st.integers(0, 40),
)  # fmt: skip
streams = st.lists(st.one_of(events, events, events, losses, rooms), max_size=25)


@pytest.fixture
def world(db, make_user):
    people = [
        make_user(email="dana@globex.example"),
        make_user(email="kim@globex.example"),
        make_user(email="lee@initech.example"),
        make_user(email="solo@gmail.com"),
    ]
    seller = make_user(role="seller")
    products = [make_product(), make_product()]
    plans = [
        make_plan(products[0], unit_amount=1900),
        make_plan(products[0], unit_amount=9900),
        make_plan(products[1], unit_amount=25000, currency="EUR"),
        make_plan(products[1], unit_amount=500),
    ]
    db.session.commit()
    return {
        "db": db,
        "people": people,
        "seller": db.session.get(User, seller.id),
        "products": [p.id for p in products],
        "plans": [p.id for p in plans],
    }


def _room_change(account_id: int, figures: dict, at: datetime) -> None:
    """What ``room_updated`` does, at a chosen moment: the snapshot, then the signal."""
    db.session.add(RoomSnapshot(account_id=account_id, at=at, figures=figures))
    db.session.flush()
    room_changed.send(account_id, account_id=account_id, summary=figures, at=at)


def _play(world, steps) -> None:
    for step in steps:
        if step[0] == "lost":
            deal = deal_of(world["people"][step[1]])
            if deal is not None and deal.lost_at is None:
                # A seller marks a deal lost now: after everything it has seen so far.
                seen = max(filter(None, (deal.last_activity_at, room_seen_at(deal.room))))
                mark_lost(deal, "No budget", world["seller"], now=seen + timedelta(1))
            continue
        if step[0] == "room":
            _, who, people, done, shared, hours = step
            figures = {"committee_members": people, "committee_roles": 1,
                       "plan_steps_done": done, "plan_steps_total": 6, "shares": shared,
                       "next_due": None}  # fmt: skip
            account_id = world["people"][who].account_id
            _room_change(account_id, figures, BASE + timedelta(hours=hours))
            continue
        _, who, kind, product, plan, quantity, hours = step
        props = {}
        plan_id = world["plans"][plan]
        if kind == "cart_item_added":
            props = {"plan_id": plan_id, "quantity": quantity}
        elif kind == "cart_item_removed":
            props = {"plan_id": plan_id}
        elif kind == "checkout_started":
            props = {"amount": 1000 * (quantity + 1), "currency": ("USD", "EUR")[plan % 2]}
        elif kind in ("order_paid", "order_refunded", "order_placed", "order_cancelled"):
            # Orders 1..4 of the account; gross amounts, the placement also says the net.
            props = {"order_id": plan + 1}
            if kind != "order_cancelled":
                props |= {"amount": 1190 * (quantity + 1), "currency": ("USD", "EUR")[plan % 2]}
            if kind == "order_placed":
                props |= {"net": 1000 * (quantity + 1), "number": f"TD-{plan + 1}"}
        elif kind == "quote_requested":
            props = {"quote_id": plan + 1, "number": f"Q-{plan % 2}", "amount": 1190 * quantity,
                     "net": 1000 * quantity, "currency": ("USD", "EUR")[quantity % 2]}  # fmt: skip
        elif kind == "quote_accepted":
            props = {"quote_id": plan + 1, "order_id": quantity + 1}
        record(
            world["people"][who],
            kind,
            world["products"][product] if product is not None else None,
            at=BASE + timedelta(hours=hours),
            **props,
        )


def _snapshot(db) -> dict:
    db.session.flush()
    db.session.expire_all()
    result = {}
    for deal in db.session.scalars(select(Deal).order_by(Deal.id)):
        state = {**DealState.of(deal).as_dict(), "room": deal.room}
        score = state.pop("score_log")
        transitions = sorted(
            (t.occurred_at, t.event_id or 0, t.kind, t.from_stage_id, t.to_stage_id,
             t.from_stage_seconds, t.actor_id, t.reason)
            for t in db.session.scalars(
                select(StageTransition).where(StageTransition.deal_id == deal.id)
            )
        )  # fmt: skip
        products = set(
            db.session.scalars(select(DealProduct.product_id).where(DealProduct.deal_id == deal.id))
        )
        result[deal.id] = {
            "state": state,
            "score": score,
            "value": (
                deal.value,
                deal.currency,
                deal.value_source,
                deal.value_ref,
                deal.value_ref_id,
                deal.value_label,
            ),
            "transitions": transitions,
            "products": products,
        }
    return result


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=streams)
def test_incremental_path_equals_rebuild(world, steps):
    db = world["db"]
    try:
        _play(world, steps)
        incremental = _snapshot(db)
        rebuild_deals()
        rebuilt = _snapshot(db)
        assert incremental.keys() == rebuilt.keys()
        for deal_id, expected in incremental.items():
            got = rebuilt[deal_id]
            if expected["score"] is None or got["score"] is None:
                assert expected["score"] == got["score"]
            else:
                assert math.isclose(expected["score"], got["score"], rel_tol=1e-9)
            for key in ("state", "value", "transitions", "products"):
                assert got[key] == expected[key], key
    finally:
        db.session.rollback()
