"""Recomputing deals from the raw events (``flask pipeline rebuild``, stage edits, identity
merges and erasure). Must give the same deals as the incremental path: that equality is a test.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import groupby

from sqlalchemy import delete, insert, or_, select, true, update

from portal.extensions import db
from portal.models import Deal, DealProduct, Event, RoomSnapshot, StageTransition, User
from portal.models.accounts import STAFF_ROLES
from portal.pipeline.engine import DealState, Rules, TransitionDraft, fold
from portal.pipeline.history_figures import note_history_changed
from portal.pipeline.prices import deal_currency, load_prices
from portal.pipeline.room_figures import RoomChange
from portal.pipeline.rules import load_rules
from portal.pipeline.value import PriceBook, deal_value, value_columns

# What a TransitionDraft writes to its StageTransition row, besides the deal's id.
TRANSITION_FIELDS = (
    "kind",
    "from_stage_id",
    "to_stage_id",
    "from_stage_seconds",
    "event_id",
    "actor_id",
    "reason",
    "occurred_at",
)


def transition_row(deal_id: int, draft: TransitionDraft) -> dict:
    return {"deal_id": deal_id, **{name: getattr(draft, name) for name in TRANSITION_FIELDS}}


def staff_ids() -> list[int]:
    return list(db.session.scalars(select(User.id).where(User.role.in_(STAFF_ROLES))))


_EVENT_COLUMNS = (
    Event.account_id,
    Event.id,
    Event.kind,
    Event.occurred_at,
    Event.user_id,
    Event.product_id,
    Event.props,
)


def rebuild_deals(
    account_ids: Iterable[int] | None = None, *, rules: Rules | None = None, batch: int = 500
) -> int:
    """Recompute deals from the raw events (all, or those of ``account_ids``).

    Deals keep their id, owner and notes; stage history is replayed with the room's recorded
    changes at their moments (a seller's "lost" marks are kept and replayed in place).
    Returns the number of deals rebuilt. No alerts or webhooks: history is not news.
    """
    db.session.flush()
    rules = rules or load_rules()
    prices = load_prices()
    if account_ids is None:
        with_events = db.session.scalars(
            select(Event.account_id).where(Event.account_id.is_not(None)).distinct()
        )
        with_deals = db.session.scalars(select(Deal.account_id))
        ids = sorted(set(with_events) | set(with_deals))
    else:
        ids = sorted(set(account_ids))
    staff = staff_ids()
    count = 0
    for start in range(0, len(ids), batch):
        count += _rebuild_batch(ids[start : start + batch], rules, prices, staff)
    note_history_changed()
    # Objects loaded before the bulk statements would show stale values.
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, Deal | StageTransition | DealProduct):
            db.session.expire(obj)
    return count


def _rebuild_batch(
    account_ids: list[int], rules: Rules, prices: PriceBook, staff: list[int]
) -> int:
    deals = dict(
        db.session.execute(
            select(Deal.account_id, Deal.id).where(Deal.account_id.in_(account_ids))
        ).all()
    )
    marks = _keep_lost_marks(deals)
    rooms = room_history(account_ids)
    events = account_events(account_ids, staff)
    folded: dict[int, tuple[DealState, list[TransitionDraft]]] = {}
    for account_id, rows in groupby(events, key=lambda row: row.account_id):
        folded[account_id] = fold(rows, rules, marks.get(account_id, ()), rooms.get(account_id, ()))
    _write_deals(deals, folded, prices)
    return len(folded)


def lost_marks(deals: dict[int, int]) -> dict[int, list[TransitionDraft]]:
    """The sellers' "lost" marks of ``deals`` (account id -> deal id), per account."""
    marks: dict[int, list[TransitionDraft]] = {}
    if deals:
        query = (
            select(StageTransition, Deal.account_id)
            .join(Deal, Deal.id == StageTransition.deal_id)
            .where(Deal.id.in_(list(deals.values())), StageTransition.kind == "lost")
        )
        for mark, account_id in db.session.execute(query):
            marks.setdefault(account_id, []).append(
                TransitionDraft(
                    kind="lost",
                    from_stage_id=mark.from_stage_id,
                    to_stage_id=None,
                    from_stage_seconds=mark.from_stage_seconds,
                    occurred_at=mark.occurred_at,
                    actor_id=mark.actor_id,
                    reason=mark.reason,
                    transition_id=mark.id,
                )
            )
    return marks


def room_history(account_ids: list[int]) -> dict[int, list[RoomChange]]:
    """The rooms' recorded changes (``RoomSnapshot``), per account, oldest first."""
    history: dict[int, list[RoomChange]] = {}
    if account_ids:
        rows = db.session.execute(
            select(RoomSnapshot.account_id, RoomSnapshot.at, RoomSnapshot.figures)
            .where(RoomSnapshot.account_id.in_(account_ids))
            .order_by(RoomSnapshot.account_id, RoomSnapshot.at, RoomSnapshot.id)
        )
        for account_id, at, figures in rows:
            history.setdefault(account_id, []).append(RoomChange(at, figures or {}))
    return history


def latest_room_change(account_id: int) -> RoomChange | None:
    """The account's latest room change, or None (its room never changed)."""
    row = db.session.execute(
        select(RoomSnapshot.at, RoomSnapshot.figures)
        .where(RoomSnapshot.account_id == account_id)
        .order_by(RoomSnapshot.at.desc(), RoomSnapshot.id.desc())
        .limit(1)
    ).one_or_none()
    return RoomChange(row.at, row.figures or {}) if row is not None else None


def account_events(account_ids: list[int], staff: list[int]):
    """The accounts' events as the engine folds them: by account, then time (staff excluded)."""
    return db.session.execute(
        select(*_EVENT_COLUMNS)
        .where(
            Event.account_id.in_(account_ids),
            or_(Event.user_id.is_(None), Event.user_id.not_in(staff)) if staff else true(),
        )
        .order_by(Event.account_id, Event.occurred_at, Event.id)
    ).all()


def _keep_lost_marks(deals: dict[int, int]) -> dict[int, list[TransitionDraft]]:
    """Clear the deals' derived rows; the sellers' "lost" marks are kept, to be replayed in
    place. Returns them per account."""
    marks = lost_marks(deals)
    if deals:
        deal_ids = list(deals.values())
        db.session.execute(
            delete(StageTransition).where(
                StageTransition.deal_id.in_(deal_ids), StageTransition.kind != "lost"
            )
        )
        db.session.execute(delete(DealProduct).where(DealProduct.deal_id.in_(deal_ids)))
    return marks


def _write_deals(
    deals: dict[int, int],
    folded: dict[int, tuple[DealState, list[TransitionDraft]]],
    prices: PriceBook,
) -> None:
    """Write the replayed deals in bulk: delete the ones without events, update, insert,
    then their transitions and product rows."""
    currency = deal_currency()
    gone = [deals[a] for a in deals if a not in folded]
    if gone:
        db.session.execute(delete(Deal).where(Deal.id.in_(gone)))
    updates, inserts = [], []
    for account_id, (state, _drafts) in folded.items():
        row = {
            **state.as_dict(),
            "room": state.room,
            **value_columns(deal_value(state, prices, currency)),
            "alerted_score_log": state.score_log,
        }
        if account_id in deals:
            updates.append({"id": deals[account_id], **row})
        else:
            inserts.append({"account_id": account_id, **row})
    if updates:
        db.session.execute(update(Deal), updates)
    if inserts:
        created = db.session.execute(
            insert(Deal).returning(Deal.id, Deal.account_id, sort_by_parameter_order=True),
            inserts,
        )
        deals.update({account_id: deal_id for deal_id, account_id in created})

    transition_rows, mark_updates, product_rows = [], [], []
    for account_id, (state, drafts) in folded.items():
        deal_id = deals[account_id]
        product_rows.extend(
            {"deal_id": deal_id, "product_id": int(p)} for p in state.product_counters
        )
        for draft in drafts:
            row = transition_row(deal_id, draft)
            if draft.transition_id is not None:
                mark_updates.append({"id": draft.transition_id, **row})
            else:
                transition_rows.append(row)
    if transition_rows:
        db.session.execute(insert(StageTransition), transition_rows)
    if mark_updates:
        db.session.execute(update(StageTransition), mark_updates)
    if product_rows:
        db.session.execute(insert(DealProduct), product_rows)
