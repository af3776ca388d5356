"""The demo rooms of ``seed-demo`` on the seller's board at first start, and a rebuild of the
seeded pipeline that agrees with what the listener built, rooms included. The expected
figures come from what ``portal/room/seed.py`` does: Globex has two members and a step due
three days ago; Initech two members and three of seven steps ticked."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.models import Account, Deal, StageTransition
from portal.pipeline.rebuild import rebuild_deals


def _deals(db) -> dict[str, tuple]:
    db.session.expire_all()
    result = {}
    for deal, name in db.session.execute(
        select(Deal, Account.name).join(Account, Account.id == Deal.account_id)
    ):
        history = sorted(
            (t.kind, t.from_stage_id or 0, t.to_stage_id or 0, t.occurred_at, t.reason)
            for t in db.session.scalars(
                select(StageTransition).where(StageTransition.deal_id == deal.id)
            )
        )
        result[f"{name}#{deal.account_id}"] = (deal.stage_id, dict(deal.room), history)
    return result


@pytest.mark.seeded_demo
def test_seeded_rooms_on_the_board_and_a_rebuild_agrees(db, seller_client):
    board = seller_client.get("/seller/pipeline?q=Globex").text
    assert "2 in committee" in board and "At risk" in board
    deals = {name.split("#")[0]: value for name, value in _deals(db).items()}
    globex_room, initech_room = deals["Globex"][1], deals["Initech"][1]
    assert globex_room["committee_members"] == 2
    assert (initech_room["plan_steps_done"], initech_room["plan_steps_total"]) == (3, 7)
    initech = db.session.scalar(
        select(Deal).join(Account, Account.id == Deal.account_id).where(Account.name == "Initech")
    )
    # Two members and three steps done: Deciding (no cart, quote or order at Initech).
    assert initech.stage.name == "Deciding"
    before = _deals(db)
    rebuild_deals()
    db.session.commit()
    assert _deals(db) == before
