"""Deals kept up to date from the journey, one event at a time (the incremental path).

``fold_event_into_deal`` runs inside the transaction of whatever service recorded the event,
so a deal never disagrees with the log. Only ``flush()``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import Insert, Integer, Update, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from portal.extensions import db
from portal.models import Deal, DealProduct, Event, StageTransition, User
from portal.models.accounts import STAFF_ROLES
from portal.pipeline import alerts, outgoing_webhooks
from portal.pipeline.engine import (
    VALUE_KINDS,
    DealState,
    Rules,
    TransitionDraft,
    apply_event,
    apply_room,
)
from portal.pipeline.history_figures import bump_statement, mark_history_changed
from portal.pipeline.prices import deal_currency, prices_for
from portal.pipeline.rebuild import TRANSITION_FIELDS, latest_room_change, rebuild_deals
from portal.pipeline.room_figures import RoomChange, room_seen_at
from portal.pipeline.rules import STAGES_FINGERPRINT, load_rules, rules_for_fingerprint
from portal.pipeline.value import deal_value, value_columns

# The listener's one read: the account's deal (locked), the event author's role (staff events
# are ignored; NULL for anonymous or unknown authors) and the stages' fingerprint. Built once.
_DEAL_FOR_EVENT = (
    select(
        Deal,
        select(User.role).where(User.id == bindparam("user_id")).scalar_subquery().label("role"),
        STAGES_FINGERPRINT,
    )
    .where(Deal.account_id == bindparam("account_id"))
    .with_for_update(of=Deal)
)


def fold_event_into_deal(event: Event) -> None:
    """Fold a new journey event into its account's deal.

    The common case costs two round trips: the deal (locked), the author's role and the
    stage definitions' fingerprint come back in one SELECT, and the deal's changed columns
    go back in one UPDATE (plus the rows of any new product or stage change)."""
    if event.account_id is None:
        return  # anonymous visitors have no deal
    row = _deal_row(event)
    opened = None
    if row is None:  # the account's first event: no deal to read the rest with
        if event.user_id is not None and _is_staff(event.user_id):
            return  # the vendor's own people browsing are not a buying account
        rules = load_rules()
        # The room may have changed before anyone was tracked: the deal starts with it.
        room = latest_room_change(event.account_id)
        if room is not None and room.at >= event.occurred_at:
            return _replay(event, rules)  # a back-dated first event: replay in place
        opened = _open_deal_once(event, rules, room)
        if opened is None:  # a colleague's first event opened it meanwhile: fold into it
            row = _deal_row(event)
    if opened is not None:
        deal, drafts = opened
    else:
        deal, role, fingerprint = row
        if role in STAFF_ROLES:
            return
        rules = rules_for_fingerprint(fingerprint)
        if _out_of_order(deal, event):
            return _replay(event, rules)
        drafts = _advance_deal(deal, event, rules)

    outgoing_webhooks.enqueue_stage_changes(deal, drafts)
    alerts.after_event(deal, event, drafts, rules)


def _deal_row(event: Event):
    """(deal locked, the author's role, the stages' fingerprint), or None without a deal."""
    params = {"account_id": event.account_id, "user_id": event.user_id}
    return db.session.execute(_DEAL_FOR_EVENT, params).one_or_none()


def _open_deal_once(
    event: Event, rules: Rules, room: RoomChange | None
) -> tuple[Deal, list[TransitionDraft]] | None:
    """Open the account's deal, or None when another transaction opened it first.

    Two people of one account acting at the same moment (colleagues signing in together)
    both find no deal; the deal's unique account makes the second insert fail, on
    PostgreSQL once the first transaction has committed. The savepoint keeps this
    transaction (the event, the caller's own work) alive for folding into that deal."""
    try:
        with db.session.begin_nested():
            return _open_deal(event, rules, room)
    except IntegrityError:
        if db.session.scalar(select(Deal.id).where(Deal.account_id == event.account_id)) is None:
            raise  # not the deal's account: some other constraint, not ours to hide
        return None


def _replay(event: Event, rules: Rules) -> None:
    """Rebuild the event's deal with the event in its place (it is older than what the deal
    has seen). The replay raises no alerts; what the event itself says still matters (once)."""
    rebuild_deals([event.account_id], rules=rules)
    replayed = db.session.scalar(select(Deal).where(Deal.account_id == event.account_id))
    if replayed is not None:
        alerts.after_event(replayed, event, [], rules)


def _open_deal(
    event: Event, rules: Rules, room: RoomChange | None
) -> tuple[Deal, list[TransitionDraft]]:
    """The account's first event creates its deal (once per account: the ORM is fine),
    with the room's figures as they are (they changed before this event)."""
    deal = Deal(account_id=event.account_id, currency=deal_currency())
    state = DealState()
    if room is not None:
        apply_room(state, room, rules)  # no stage yet: only takes the figures
    drafts = apply_event(state, event, rules)
    write_state(deal, state)
    deal.room = state.room
    for name, value in value_columns(deal_value(state, prices_for(state), deal_currency())).items():
        setattr(deal, name, value)
    db.session.add(deal)
    db.session.flush()  # the deal's id
    _write_deal(deal.id, {}, state.product_counters, drafts)
    return deal, drafts


def _advance_deal(deal: Deal, event: Event, rules: Rules) -> list[TransitionDraft]:
    """Fold ``event`` into an existing deal and write back only the columns it changed.

    This runs for every event, so it skips the unit of work: a Core UPDATE of the changed
    columns costs a fraction of an ORM flush of the Deal. The loaded ``deal`` is then told
    the new values as committed ones, so it stays right for the alerts and webhooks below
    (and for the rest of the caller's transaction) without being flushed a second time."""
    state = DealState.of(deal)
    products_before = set(state.product_counters)
    money_before = (
        dict(state.cart),
        dict(state.paid),
        len(state.tried_products),
        {k: dict(v) for k, v in state.orders.items()},
        {k: dict(v) for k, v in state.quotes.items()},
    )
    drafts = apply_event(state, event, rules)
    changes = {
        name: value for name, value in state.as_dict().items() if value != getattr(deal, name)
    }
    money_after = (
        state.cart,
        state.paid,
        len(state.tried_products),
        state.orders,
        state.quotes,
    )
    if event.kind in VALUE_KINDS and money_after != money_before:
        value = deal_value(state, prices_for(state), deal_currency())
        for name, new in value_columns(value).items():
            if new != getattr(deal, name):
                changes[name] = new
    new_products = state.product_counters.keys() - products_before
    _write_deal(deal.id, changes, new_products, drafts)
    for name, value in changes.items():
        set_committed_value(deal, name, value)
    return drafts


def _write_deal(
    deal_id: int,
    changes: dict[str, Any],
    product_keys: Iterable[str],
    drafts: Sequence[TransitionDraft],
) -> None:
    """Write a deal's changed columns, its new product rows and its stage transitions with
    Core statements (nothing reads them back as objects; alerts and webhooks take the drafts).

    On PostgreSQL the writes travel as one statement, the first ones as data-modifying CTEs:
    one round trip instead of up to three. Elsewhere (SQLite, in process) a round trip costs
    nothing, so they run one by one."""
    products = [int(key) for key in product_keys]
    if not (changes or products or drafts):
        return
    params: dict[str, Any] = {"deal": deal_id}
    params.update((f"set_{name}", value) for name, value in changes.items())
    params.update((f"product_{n}", product_id) for n, product_id in enumerate(products))
    for n, draft in enumerate(drafts):
        params.update(
            (f"transition_{n}_{name}", getattr(draft, name)) for name in TRANSITION_FIELDS
        )
    dialect = db.session.get_bind().dialect.name
    for statement in _deal_writes(tuple(changes), len(products), len(drafts), dialect):
        db.session.execute(statement, params)
    if products or drafts:
        mark_history_changed()


@lru_cache(maxsize=256)
def _deal_writes(
    columns: tuple[str, ...], products: int, transitions: int, dialect: str
) -> tuple[Insert | Update, ...]:
    """The statements of one shape of ``_write_deal``, built once: reusing the same statement
    objects keeps SQLAlchemy's compiled cache and the driver's prepared statements warm.
    Parameters are named ``deal``, ``set_<column>``, ``product_<n>``, ``transition_<n>_<column>``.
    New product or transition rows also raise the stage history's version (history_figures).

    One statement per row: a multi-row VALUES cannot be cached by SQLAlchemy."""
    deal = Deal.__table__
    deal_id = bindparam("deal", type_=deal.c.id.type)
    statements: list[Insert | Update] = []
    if products or transitions:
        statements.append(bump_statement(dialect))
    if columns:
        values = {name: bindparam(f"set_{name}", type_=deal.c[name].type) for name in columns}
        statements.append(update(deal).where(deal.c.id == deal_id).values(values))
    for n in range(products):
        product_id = bindparam(f"product_{n}", type_=Integer())
        statements.append(
            insert(DealProduct.__table__).values(deal_id=deal_id, product_id=product_id)
        )
    table = StageTransition.__table__
    for n in range(transitions):
        values = {
            name: bindparam(f"transition_{n}_{name}", type_=table.c[name].type)
            for name in TRANSITION_FIELDS
        }
        statements.append(insert(table).values(deal_id=deal_id, **values))
    if dialect == "postgresql" and len(statements) > 1:
        *first, last = statements
        return (last.add_cte(*(s.cte(f"write_{n}") for n, s in enumerate(first))),)
    return tuple(statements)


def _is_staff(user_id: int) -> bool:
    # In a request the signed-in user is already in the session: no query then.
    user = db.session.identity_map.get(db.session.identity_key(User, user_id))
    role = (
        user.role
        if user is not None
        else db.session.scalar(select(User.role).where(User.id == user_id))
    )
    return role in STAFF_ROLES


def _out_of_order(deal: Deal, event: Event) -> bool:
    """An event older than what the deal has seen (events, the room's figures, a lost mark)
    must be replayed in its place. At the same moment a replay puts events first."""
    if deal.last_activity_at is not None and event.occurred_at < deal.last_activity_at:
        return True
    room_at = room_seen_at(deal.room)
    if room_at is not None and event.occurred_at <= room_at:
        return True
    return deal.lost_at is not None and event.occurred_at <= deal.lost_at


def write_state(deal: Deal, state: DealState) -> None:
    for name, value in state.as_dict().items():
        setattr(deal, name, value)
