"""Room fixtures: two buying accounts, one with a full room (an invitation, a shortlisted
product with a comment, a run shared with the room and by link, a plan), and signed-in
clients. Trial runs are rows only; the result shown is a fixed one (no sandbox)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from portal.extensions import db as _db
from portal.journey.services import Actor
from portal.models import TrialDataset, TrialRun, User
from portal.room import members, plan, shares, shortlist
from tests.conftest import AuthActions
from tests.factories import make_plan, make_product

RESULT = {
    "title": "Pipeline Lens",
    "rows": 6,
    "kpis": [
        {"label": "Win rate", "value": 0.6, "unit": "percent", "explanation": "Won of closed"}
    ],
    "charts": [],
    "tables": [],
    "notes": [],
}


@pytest.fixture(autouse=True)
def fixed_result(monkeypatch):
    monkeypatch.setattr("portal.room.routes.runs.run_result", lambda run: RESULT)
    monkeypatch.setattr(
        "portal.room.routes.runs.result_csv", lambda run: "KPI,Value\nWin rate,60\n"
    )


def make_run(user: User, product, *, sample: bool = False, n: int = 1) -> TrialRun:
    now = datetime.now(UTC)
    dataset = TrialDataset(
        sandbox_id=f"ds-{user.id}-{n}",
        owner_key=f"u{user.id}",
        user_id=user.id,
        product_id=product.id,
        filename="deals.csv",
        format="csv",
        rows=6,
        columns=7,
        size_bytes=300,
        is_sample=sample,
        expires_at=now + timedelta(days=7),
    )
    run = TrialRun(
        sandbox_id=f"run-{user.id}-{n}",
        dataset=dataset,
        owner_key=f"u{user.id}",
        user_id=user.id,
        product_id=product.id,
        recipe="pipeline_lens",
        state="succeeded",
        rows=6,
    )
    _db.session.add_all([dataset, run])
    _db.session.flush()
    return run


def actor(user: User) -> Actor:
    return Actor.for_user(user)


@dataclass
class Room:
    ann: User  # champion at acme
    bob: User  # colleague at acme
    eve: User  # another account (globex)
    product_id: int
    item_id: int
    comment_id: int
    invitation_id: int
    invitation_token: str
    account_share_id: int
    link_share_id: int
    link_token: str
    step_id: int
    proposed_step_id: int
    run_sandbox_id: str


def signed_in(app, user: User):
    client = app.test_client()
    response = AuthActions(client).login(user.email)
    assert response.status_code == 302, response.text
    client.user = user
    return client


@pytest.fixture
def room(app, make_user) -> Room:
    ann = make_user(email="ann@acme.example", name="Ann Champion")
    bob = make_user(email="bob@acme.example", name="Bob Finance")
    eve = make_user(email="eve@globex.example", name="Eve Other")
    seller = make_user(role="seller", email="sam@vendor.example")
    with app.app_context():
        ann, bob, seller = (_db.session.get(User, u.id) for u in (ann, bob, seller))
        lens = make_product(slug="pipeline-lens", name="Pipeline Lens", recipe="pipeline_lens")
        make_plan(lens, name="Team")
        item = shortlist.add_to_shortlist(ann, lens.id, actor(ann))
        comment = shortlist.add_comment(ann, item.id, "Looks <b>good</b>", actor(ann))
        invitation, token = members.invite(ann, "carl@consult.example", "other", actor(ann), 7)
        run = make_run(ann, lens)
        account_share, _ = shares.share_run(ann, run.sandbox_id, "account", None, False, None, 30)
        link_share, link_token = shares.share_run(ann, run.sandbox_id, "link", 7, True, None, 30)
        step = plan.plan_of(ann.account_id)[0]
        proposed = plan.propose_step(seller, ann.account_id, "Security review call", None)
        _db.session.commit()
        built = Room(
            ann=ann,
            bob=bob,
            eve=eve,
            product_id=lens.id,
            item_id=item.id,
            comment_id=comment.id,
            invitation_id=invitation.id,
            invitation_token=token,
            account_share_id=account_share.id,
            link_share_id=link_share.id,
            link_token=link_token,
            step_id=step.id,
            proposed_step_id=proposed.id,
            run_sandbox_id=run.sandbox_id,
        )
        for user in (ann, bob):
            _db.session.refresh(user)
            _db.session.expunge(user)
    return built


def link_in(text: str) -> str:
    match = re.search(r"https?://[^\s\"<]+/room/invitations/[A-Za-z0-9_\-]+", text)
    assert match, text
    return match.group(0)
