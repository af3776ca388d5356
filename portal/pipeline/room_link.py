"""The buying committee's room as the pipeline sees it: its metrics on the deal (criteria
read them, the board shows them), the "at risk" / "stalled" flag of an overdue plan, and the
"new committee member" alert. Only ``flush()``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select

from portal.extensions import db
from portal.models import COMMITTEE_ROLES, Deal, User
from portal.pipeline import alerts, outgoing_webhooks
from portal.pipeline.deals import _write_deal
from portal.pipeline.engine import DealState, apply_room
from portal.pipeline.rebuild import rebuild_deals
from portal.pipeline.room_figures import RoomChange, room_seen_at
from portal.pipeline.rules import load_rules

# An overdue plan puts a deal at risk from the first day late, stalled from the seventh.
AT_RISK_DAYS = 1
STALLED_DAYS = 7


def plan_risk(next_due: date | str | None, today: date) -> str | None:
    """ "at_risk" (1-6 days past the oldest open step's due date), "stalled" (7+) or None."""
    if not next_due:
        return None
    due = date.fromisoformat(next_due) if isinstance(next_due, str) else next_due
    late = (today - due).days
    if late >= STALLED_DAYS:
        return "stalled"
    if late >= AT_RISK_DAYS:
        return "at_risk"
    return None


RISK_WORDS = {"at_risk": "At risk", "stalled": "Plan stalled"}


@dataclass(frozen=True)
class PlanStatus:
    """What the board and the deal page show of a deal's room."""

    members: int
    roles: int
    done: int
    total: int
    shares: int
    risk: str | None
    late_days: int

    @property
    def risk_words(self) -> str:
        return RISK_WORDS.get(self.risk or "", "")


def plan_status(room: dict[str, Any] | None, today: date | None = None) -> PlanStatus | None:
    """The room's figures on a deal, or None when the account has no room activity."""
    if not room:
        return None
    today = today or datetime.now(UTC).date()
    next_due = room.get("next_due")
    late = (today - date.fromisoformat(next_due)).days if next_due else 0
    return PlanStatus(
        members=int(room.get("committee_members") or 0),
        roles=int(room.get("committee_roles") or 0),
        done=int(room.get("plan_steps_done") or 0),
        total=int(room.get("plan_steps_total") or 0),
        shares=int(room.get("shares") or 0),
        risk=plan_risk(next_due, today),
        late_days=max(0, late),
    )


def apply_room_summary(account_id: int, summary: dict[str, Any], at: datetime) -> None:
    """Store the room's figures (holding from ``at``) on the account's deal and move it on
    when a stage's criteria now hold. An account without a deal (nobody tracked yet) gets
    them when its deal opens; a change older than what the deal has seen is replayed."""
    deal = db.session.scalar(
        select(Deal).where(Deal.account_id == account_id).with_for_update(of=Deal)
    )
    if deal is None:
        return
    seen = room_seen_at(deal.room)
    if (
        (deal.last_activity_at is not None and at < deal.last_activity_at)
        or (seen is not None and at < seen)
        or (deal.lost_at is not None and at <= deal.lost_at)
    ):
        rebuild_deals([account_id])  # older than what the deal has seen: replay in place
        return
    state = DealState.of(deal)
    rules = load_rules()
    drafts = apply_room(state, RoomChange(at, summary), rules)
    if state.room == (deal.room or {}):
        return
    changes: dict[str, Any] = {"room": state.room}
    if drafts:
        changes.update(stage_id=state.stage_id, stage_entered_at=state.stage_entered_at)
    _write_deal(deal.id, changes, (), drafts)
    db.session.expire(deal)
    if drafts:
        outgoing_webhooks.enqueue_stage_changes(deal, drafts)
        alerts.after_room_change(deal, drafts, rules, at)


def alert_new_member(account_id: int, user: User, role: str) -> None:
    """Tell the deal's seller(s) that someone joined the committee, with their role."""
    deal = db.session.scalar(select(Deal).where(Deal.account_id == account_id))
    if deal is None:
        return
    words = COMMITTEE_ROLES.get(role, "role not given")
    message = f"{deal.account.name}: new committee member {user.display_name} ({words})."
    alerts.notify(deal, [("committee", f"member:{user.id}:{account_id}", message)])
