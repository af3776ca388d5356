"""The room's figures reach the deal whenever it opens, and a rebuild replays them as they
were at each moment (``RoomSnapshot``), not as they are today. Expected figures are counted
by hand from what the test did (two members, the six steps of the default template, …)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from portal.journey.services import Actor
from portal.models import RoomSnapshot, StageTransition, User
from portal.pipeline.rebuild import rebuild_deals
from portal.room import members, plan, shares, shortlist
from tests.factories import deal_of, make_plan, make_product, record
from tests.room.conftest import make_run, signed_in

TEMPLATE_STEPS = 6  # plan.DEFAULT_TEMPLATE, counted


def _lens():
    lens = make_product(slug="pipeline-lens", name="Pipeline Lens", recipe="pipeline_lens")
    make_plan(lens)
    return lens


def _history(db, deal) -> list[tuple[str, str, datetime]]:
    db.session.expire_all()
    rows = db.session.scalars(
        select(StageTransition)
        .where(StageTransition.deal_id == deal.id)
        .order_by(StageTransition.occurred_at, StageTransition.id)
    )
    return [(t.kind, t.to_stage.name if t.to_stage else "", t.occurred_at) for t in rows]


def _snapshots(db, account_id) -> list[RoomSnapshot]:
    return db.session.scalars(
        select(RoomSnapshot)
        .where(RoomSnapshot.account_id == account_id)
        .order_by(RoomSnapshot.at, RoomSnapshot.id)
    ).all()


def test_a_deal_opened_after_the_room_starts_with_its_figures_and_risk(
    app, db, make_user, seller_client
):
    """Quinn (no tracking consent) builds the room: nothing is tracked, no deal. When Ria's
    first event opens the deal, it has the room's figures and the overdue step's flag."""
    quinn = db.session.get(User, make_user(email="quinn@acme.example", consent=False).id)
    ria = db.session.get(User, make_user(email="ria@acme.example", name="Ria").id)
    lens = _lens()
    shortlist.add_to_shortlist(quinn, lens.id, None)
    members.set_role(quinn, "champion", None)
    first = plan.plan_of(quinn.account_id)[0]
    plan.update_step(quinn, first.id, None, datetime.now(UTC).date() - timedelta(days=4))
    db.session.commit()
    assert deal_of(quinn) is None
    record(ria, "product_viewed", lens)
    db.session.commit()
    deal = deal_of(ria)
    expected = {
        "committee_members": 2,
        "committee_roles": 1,
        "plan_steps_done": 0,
        "plan_steps_total": TEMPLATE_STEPS,
        "shares": 0,
    }
    assert {k: deal.room[k] for k in expected} == expected
    # One product view alone is Exploring; the started plan makes it Researching at once.
    assert deal.stage.name == "Researching"
    board = seller_client.get("/seller/pipeline").text
    assert "At risk" in board and "Plan 0/6 · 2 in committee" in board
    assert (
        "At risk: a plan step is 4 days overdue"
        in seller_client.get(f"/seller/deals/{deal.id}").text
    )


def test_a_rebuild_replays_the_room_as_it_was_at_each_moment(app, db, make_user):
    """A share makes the deal Validating when it happens (not at the earlier demo); revoking
    it later does not undo that history, and a rebuild gives the same stage history."""
    ann = db.session.get(User, make_user(email="ann@acme.example").id)
    seller = make_user(role="seller", email="sam@vendor.example")
    lens = _lens()
    me = Actor.for_user(ann)
    record(ann, "product_viewed", lens)
    run = make_run(ann, lens)
    record(ann, "demo_started", lens, run_id=run.sandbox_id, recipe="x")
    record(ann, "demo_completed", lens, run_id=run.sandbox_id, recipe="x", rows=6)
    db.session.commit()
    share, _ = shares.share_run(ann, run.sandbox_id, "account", None, False, me, 30)
    db.session.commit()
    (shared,) = _snapshots(db, ann.account_id)
    assert shared.figures["shares"] == 1
    deal = deal_of(ann)
    live = _history(db, deal)
    assert [(kind, name) for kind, name, _ in live] == [
        ("entered", "Exploring"),
        ("advanced", "Trying"),
        ("advanced", "Validating"),
    ]
    assert live[-1][2] == shared.at  # when the share happened, not at the demo
    page = signed_in(app, seller).get(f"/seller/deals/{deal.id}").text
    assert "Trying → Validating" in page
    assert "the buying room: 1 member in the committee, 1 result shared" in page
    shares.revoke_share(ann, share.id, me)
    record(ann, "product_viewed", lens)
    db.session.commit()
    assert deal_of(ann).room["shares"] == 0
    rebuild_deals([ann.account_id])
    db.session.commit()
    assert _history(db, deal) == live  # today's figures (no share) would lose Validating
    assert deal_of(ann).stage.name == "Validating" and deal_of(ann).room["shares"] == 0


def test_a_back_dated_first_event_meets_the_room_after_it(app, db, make_user):
    """An event from before the room's first change opens the deal in its place: Exploring
    then, Researching when the plan started (the room's snapshot), as a rebuild has it."""
    ann = db.session.get(User, make_user(email="ann@acme.example").id)
    lens = _lens()
    shortlist.add_to_shortlist(ann, lens.id, None)
    db.session.commit()
    (started,) = _snapshots(db, ann.account_id)
    earlier = started.at - timedelta(days=2)
    record(ann, "product_viewed", lens, at=earlier)
    db.session.commit()
    deal = deal_of(ann)
    history = _history(db, deal)
    assert history == [
        ("entered", "Exploring", earlier),
        ("advanced", "Researching", started.at),
    ]
    rebuild_deals([ann.account_id])
    db.session.commit()
    assert _history(db, deal) == history


def test_every_room_change_is_recorded_once_with_its_figures(app, db, make_user):
    """One snapshot per change of the figures: the same figures twice add nothing."""
    ann = db.session.get(User, make_user(email="ann@acme.example").id)
    lens = _lens()
    client = signed_in(app, ann)
    client.post("/account/room/shortlist", data={"product_id": str(lens.id)})
    client.post("/account/room/shortlist", data={"product_id": str(lens.id)})  # again
    client.post("/account/room/role", data={"role": "champion"})
    client.post("/account/room/role", data={"role": "champion"})  # the same role
    figures = [s.figures for s in _snapshots(db, ann.account_id)]
    assert [(f["plan_steps_total"], f["committee_roles"]) for f in figures] == [
        (TEMPLATE_STEPS, 0),
        (TEMPLATE_STEPS, 1),
    ]
    assert all(f["committee_members"] == 1 for f in figures)


def test_the_criteria_preview_reads_the_room_history(app, db, make_user):
    """Previewing room criteria on a stage shows the committee's deal moving, as saving them
    would (the preview replays the room's snapshots with the events)."""
    from portal.models import Stage
    from portal.pipeline.criteria_preview import preview_criteria

    ann = db.session.get(User, make_user(email="ann@acme.example").id)
    make_user(email="bob@acme.example")
    lens = _lens()
    record(ann, "product_viewed", lens)
    members.set_role(ann, "champion", Actor.for_user(ann))
    db.session.commit()
    assert deal_of(ann).stage.name == "Exploring"
    trying = db.session.scalar(select(Stage).where(Stage.name == "Trying"))
    moves = preview_criteria(trying, "committee_members >= 2 AND committee_roles >= 1")
    assert [(m.from_stage, m.to_stage, m.names) for m in moves] == [
        ("Exploring", "Trying", ["acme.example"])
    ]
