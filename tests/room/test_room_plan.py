"""The evaluation plan: proposed from the product's template, edited by members, completed
by itself from events, proposals from the seller, and the deal's "at risk" flag."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select, update

from portal.models import Notification, PlanStep, Stage, User
from portal.pipeline.criteria_builder import name_choices
from portal.pipeline.due_alerts import raise_due_alerts
from portal.pipeline.stages import save_stage
from portal.room import plan
from portal.room.plan import DEFAULT_TEMPLATE, parse_template
from tests.factories import deal_of, make_product, record
from tests.room.conftest import make_run, signed_in


def _steps(db, account_id):
    return db.session.scalars(
        select(PlanStep).where(PlanStep.account_id == account_id).order_by(PlanStep.position)
    ).all()


def test_first_shortlisted_product_proposes_its_template(db, room):
    titles = [s.title for s in _steps(db, room.ann.account_id) if s.status == "active"]
    assert titles == [title for title, _ in parse_template(DEFAULT_TEMPLATE)]
    assert titles[0] == "Try it on our data"


def test_admin_edits_the_template_per_product(app, db, make_user, admin_client):
    product = make_product(slug="tiny", name="Tiny")
    db.session.commit()
    url = f"/admin/catalog/{product.id}/plan-template"
    assert admin_client.get(url).status_code == 200
    bad = admin_client.post(url, data={"steps": "Run it | teleport"})
    assert bad.status_code == 422 and "unknown automatic kind" in bad.text
    ok = admin_client.post(url, data={"steps": "Pilot on our data | own_data_demo\nSign"})
    assert ok.status_code == 303
    buyer = make_user(email="zed@zeta.example")
    client = signed_in(app, buyer)
    client.post("/account/room/shortlist", data={"product_id": str(product.id)})
    assert [s.title for s in _steps(db, buyer.account_id)] == ["Pilot on our data", "Sign"]


def test_a_demo_on_own_data_completes_the_step_by_itself_but_a_sample_does_not(db, room):
    ann = db.session.get(User, room.ann.id)
    sample = make_run(ann, _product(db, room), sample=True, n=2)
    record(ann, "demo_completed", room.product_id, run_id=sample.sandbox_id, recipe="x", rows=6)
    db.session.commit()
    step = db.session.get(PlanStep, room.step_id)
    assert step.auto_kind == "own_data_demo" and step.done_at is None
    own = make_run(ann, _product(db, room), n=3)
    record(ann, "demo_completed", room.product_id, run_id=own.sandbox_id, recipe="x", rows=6)
    db.session.commit()
    db.session.refresh(step)
    assert step.done_at is not None and step.done_by_event == "own_data_demo"
    assert deal_of(ann).room["plan_steps_done"] == 1


def _product(db, room):
    from portal.models import Product

    return db.session.get(Product, room.product_id)


def test_quote_accepted_and_order_paid_complete_their_steps(db, room):
    ann = db.session.get(User, room.ann.id)
    record(ann, "quote_accepted", room.product_id, quote_id=1, number="Q-1")
    record(ann, "order_paid", room.product_id, order_id=2, amount=100, currency="USD")
    db.session.commit()
    done = {s.auto_kind for s in _steps(db, ann.account_id) if s.done_at is not None}
    assert {"quote_accepted", "order_paid"} <= done


def test_members_edit_the_plan_and_the_seller_only_proposes(app, db, room, seller_client):
    ann = signed_in(app, room.ann)
    assert ann.post("/account/room/plan/steps", data={"title": "Legal review"}).status_code == 303
    legal = _steps(db, room.ann.account_id)[-1]
    assert legal.title == "Legal review" and legal.status == "active"
    assert (
        ann.post(f"/account/room/plan/steps/{legal.id}/move", data={"direction": "up"}).status_code
        == 303
    )
    db.session.expire_all()
    titles = [s.title for s in plan.plan_of(room.ann.account_id)]
    assert titles.index("Legal review") < titles.index("Security review call")
    due = (date.today() + timedelta(days=5)).isoformat()
    ann.post(
        f"/account/room/plan/steps/{legal.id}/update",
        data={"assignee": str(room.bob.id), "due_on": due},
    )
    db.session.expire_all()
    legal = db.session.get(PlanStep, legal.id)
    assert legal.assignee_id == room.bob.id and legal.due_on.isoformat() == due
    # the seller's proposal waits for the buyer
    deal_id = _deal_id(db, room)
    seller_client.post(f"/seller/deals/{deal_id}/plan/propose", data={"title": "Exec sponsor call"})
    proposed = db.session.scalar(select(PlanStep).where(PlanStep.title == "Exec sponsor call"))
    assert proposed.status == "proposed"
    # sellers cannot touch the buyer's steps through the buyer's routes
    assert seller_client.post(f"/account/room/plan/steps/{legal.id}/remove").status_code == 404
    assert (
        seller_client.post(
            f"/account/room/plan/steps/{legal.id}/done", data={"done": "1"}
        ).status_code
        == 404
    )
    seller_client.post(
        f"/seller/deals/{deal_id}/plan/steps/{legal.id}/comments", data={"body": "Happy to help"}
    )
    assert ann.post(f"/account/room/plan/steps/{proposed.id}/accept").status_code == 303
    db.session.expire_all()
    assert db.session.get(PlanStep, proposed.id).status == "active"
    page = ann.get("/account/room").text
    assert "Happy to help" in page and "(seller)" in page
    assert ann.post(f"/account/room/plan/steps/{legal.id}/remove").status_code == 303
    assert db.session.get(PlanStep, legal.id) is None


def _deal_id(db, room):
    ann = db.session.get(User, room.ann.id)
    if deal_of(ann) is None:
        record(ann, "product_viewed", room.product_id)
        db.session.commit()
    return deal_of(ann).id


def test_overdue_steps_put_the_deal_at_risk_then_stalled_on_the_board(app, db, room, seller_client):
    deal_id = _deal_id(db, room)
    for late, words in ((3, "At risk"), (8, "Plan stalled")):
        due = datetime.now(UTC).date() - timedelta(days=late)
        ann = signed_in(app, room.ann)
        ann.post(
            f"/account/room/plan/steps/{room.step_id}/update",
            data={"assignee": "", "due_on": due.isoformat()},
        )
        board = seller_client.get("/seller/pipeline").text
        assert words in board
        page = seller_client.get(f"/seller/deals/{deal_id}").text
        assert f"{words}: a plan step is {late} days overdue" in page
    # done steps are never overdue
    signed_in(app, room.ann).post(
        f"/account/room/plan/steps/{room.step_id}/done", data={"done": "1"}
    )
    assert "Plan stalled" not in seller_client.get("/seller/pipeline").text


def test_at_risk_from_the_first_day_late_and_stalled_from_the_seventh():
    from portal.pipeline.room_link import plan_risk

    today = date(2026, 12, 1)
    expected = {-3: None, 0: None, 1: "at_risk", 6: "at_risk", 7: "stalled", 30: "stalled"}
    for late, risk in expected.items():
        assert plan_risk(today - timedelta(days=late), today) == risk, late
    assert plan_risk(None, today) is None


def test_plan_step_overdue_alert_fires_once(app, db, room):
    _deal_id(db, room)
    db.session.execute(
        update(PlanStep)
        .where(PlanStep.id == room.step_id)
        .values(due_on=datetime.now(UTC).date() - timedelta(days=2))
    )
    db.session.commit()
    assert raise_due_alerts() >= 1
    assert raise_due_alerts() == 0
    messages = db.session.scalars(
        select(Notification.message).where(Notification.kind == "plan_overdue")
    ).all()
    assert any("“Try it on our data” is overdue by 2 days" in m for m in messages)


def test_room_metrics_drive_stage_criteria(app, db, room):
    names = {name for name, _ in name_choices()}
    assert {
        "plan_steps_done",
        "plan_steps_total",
        "committee_members",
        "committee_roles",
        "shares",
    } <= names
    deal_id = _deal_id(db, room)
    top = max(s.position for s in db.session.scalars(select(Stage)))
    save_stage(
        None,
        name="Committee formed",
        position=top + 1,
        probability=80,
        criteria_text="plan_steps_done >= 1 AND committee_members >= 2 AND shares >= 1",
        stalled_after_days=10,
    )
    db.session.commit()
    deal = deal_of(db.session.get(User, room.ann.id))
    assert deal.stage.name != "Committee formed"
    ann = signed_in(app, room.ann)
    ann.post(f"/account/room/plan/steps/{room.step_id}/done", data={"done": "1"})
    db.session.expire_all()
    deal = deal_of(db.session.get(User, room.ann.id))
    assert deal.id == deal_id and deal.stage.name == "Committee formed"
    assert deal.room["committee_members"] == 2 and deal.room["shares"] == 2
    # the rebuild keeps the room's metrics and agrees
    from portal.pipeline.rebuild import rebuild_deals

    rebuild_deals([deal.account_id])
    db.session.commit()
    db.session.expire_all()
    assert deal_of(db.session.get(User, room.ann.id)).stage.name == "Committee formed"


def test_timeline_tells_plan_changes_and_invitations_in_words(app, db, room, seller_client):
    deal_id = _deal_id(db, room)
    ann = signed_in(app, room.ann)
    ann.post("/account/room/plan/steps", data={"title": "Pilot with the sales team"})
    ann.post(f"/account/room/plan/steps/{room.proposed_step_id}/accept")
    ann.post("/account/room/invitations", data={"email": "x@y.example", "invitee_role": ""})
    page = seller_client.get(f"/seller/deals/{deal_id}").text
    assert "Ann (acme.example) added “Pilot with the sales team” to the evaluation plan" in page
    assert "accepted the seller&#39;s proposed step “Security review call”" in page
    assert "Ann (acme.example) invited a colleague to the buying room" in page
    assert "shortlisted Pipeline Lens" in page


def test_a_declined_proposal_leaves_the_plan_and_the_seller_sees_it(app, db, room, seller_client):
    deal_id = _deal_id(db, room)
    ann = signed_in(app, room.ann)
    url = f"/account/room/plan/steps/{room.proposed_step_id}/decline"
    assert ann.post(url).status_code == 303
    assert ann.post(url).status_code == 404  # a declined step is no longer in the plan
    page = ann.get("/account/room").text
    assert "Security review call" not in page
    active = [s for s in _steps(db, room.ann.account_id) if s.status == "active"]
    assert f"0 of {len(active)} done" in page
    seller_page = seller_client.get(f"/seller/deals/{deal_id}").text
    assert "The buyer declined: “Security review call”" in seller_page
