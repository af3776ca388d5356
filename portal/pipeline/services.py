"""Deals kept up to date from the journey: the listener, rebuild, stages and seller actions.

Services only ``flush()``; the request or CLI command commits. The listener runs inside the
transaction of whatever service recorded the event, so a deal never disagrees with the log.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from functools import lru_cache
from itertools import groupby
from typing import Any

from sqlalchemy import (
    Insert,
    Integer,
    String,
    Update,
    bindparam,
    cast,
    delete,
    event,
    func,
    insert,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from portal.extensions import db
from portal.models import (
    Deal,
    DealNote,
    DealProduct,
    Event,
    Plan,
    Stage,
    StageTransition,
    User,
)
from portal.pipeline import criteria
from portal.pipeline.engine import (
    TRIED_KINDS,
    VALUE_KINDS,
    DealState,
    PriceBook,
    Rules,
    StageRule,
    TransitionDraft,
    apply_event,
    apply_lost,
    deal_value,
    fold,
)
from portal.pipeline.settings import setting


class PipelineError(ValueError):
    """A seller or admin action that cannot be done; the message is meant for them."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


# name, win probability %, criteria, stalled after days, is_won, notify, description
DEFAULT_STAGES = (
    ("Exploring", 5, "", 30, False, False, "Someone from the account arrived and looked around."),
    (
        "Researching",
        10,
        "product_viewed >= 3 OR products_compared >= 1 OR sheet_downloaded >= 1"
        " OR resource_downloaded >= 1 OR searched >= 3",
        21,
        False,
        False,
        "Reading up: product pages, comparisons, sheets and guides.",
    ),
    (
        "Trying",
        25,
        "demo_uploaded >= 1 OR demo_started >= 1",
        14,
        False,
        False,
        "Running a demo on their own data.",
    ),
    (
        "Validating",
        45,
        "demo_completed >= 1 AND (testimonials_viewed >= 1 OR reference_requested >= 1"
        " OR question_asked >= 1)",
        14,
        False,
        False,
        "A demo worked; now checking with customers who use it.",
    ),
    (
        "Deciding",
        70,
        "cart_item_added >= 1 OR checkout_started >= 1 OR quote_downloaded >= 1"
        " OR quote_requested >= 1 OR order_placed >= 1",
        10,
        False,
        True,
        "Something is in the cart, a quote or an order.",
    ),
    ("Customer", 100, "order_paid >= 1", 0, True, False, "Paid. Stop selling, start servicing."),
)


# --- stages -------------------------------------------------------------------------------


def ensure_default_stages() -> list[Stage]:
    """Create the default stages when there are none (idempotent)."""
    stages = list(db.session.scalars(select(Stage).order_by(Stage.position, Stage.id)))
    if stages:
        return stages
    for position, (name, probability, text, stalled, won, notify, desc) in enumerate(
        DEFAULT_STAGES
    ):
        stages.append(
            Stage(
                name=name,
                position=position,
                probability=probability,
                criteria=criteria.validate(text),
                stalled_after_days=stalled,
                is_won=won,
                notify_on_entry=notify,
                description=desc,
            )
        )
    db.session.add_all(stages)
    db.session.flush()
    return stages


def list_stages() -> list[Stage]:
    return ensure_default_stages()


_RULES_KEY = "pipeline_rules"


@event.listens_for(Session, "after_transaction_end")
def _forget_rules(session, transaction) -> None:
    # Stages are read once per transaction: another process may change them between two.
    if transaction.parent is None:
        session.info.pop(_RULES_KEY, None)


def load_rules(stages: Sequence[Stage] | None = None) -> Rules:
    """The stage rules, read once per transaction (saving a stage forgets them).

    Reads plain rows and reuses the parsed rules while the stage rows and settings are
    unchanged. The listener reads the stages only when their fingerprint changed (see
    ``_rules_for_fingerprint``)."""
    if stages is not None:
        return _rules(
            tuple((s.id, s.name, s.position, s.criteria, s.notify_on_entry) for s in stages)
        )
    cached = db.session.info.get(_RULES_KEY)
    if cached is not None:
        return cached
    rows = _stage_rows()
    if not rows:
        ensure_default_stages()
        rows = _stage_rows()
    rules = db.session.info[_RULES_KEY] = _rules(rows)
    return rules


def _stage_rows() -> tuple:
    query = select(
        Stage.id, Stage.name, Stage.position, Stage.criteria, Stage.notify_on_entry
    ).order_by(Stage.position, Stage.id)
    return tuple(tuple(row) for row in db.session.execute(query))


_parsed: dict[tuple, Rules] = {}

# What the rules read of each stage (id, position, notify, criteria, name: criteria have no
# ":" and names no control characters), one string per stage, aggregated: any change to a
# stage, by any process, changes this fingerprint. Stages are a handful of rows, so it costs
# nothing next to the listener's SELECT it rides along with. The aggregate's order is not
# guaranteed: another order only means one more read of the rows, never stale rules.
_STAGES_FINGERPRINT = (
    select(
        func.aggregate_strings(
            cast(Stage.id, String)
            + ":"
            + cast(Stage.position, String)
            + ":"
            + cast(Stage.notify_on_entry, String)
            + ":"
            + Stage.criteria
            + ":"
            + Stage.name,
            "\x1f",
        )
    )
    .scalar_subquery()
    .label("stages_fingerprint")
)
STAFF_ROLES = ("seller", "admin")
# The listener's one read: the account's deal (locked), the event author's role (staff events
# are ignored; NULL for anonymous or unknown authors) and the stages' fingerprint. Built once.
_DEAL_FOR_EVENT = (
    select(
        Deal,
        select(User.role).where(User.id == bindparam("user_id")).scalar_subquery().label("role"),
        _STAGES_FINGERPRINT,
    )
    .where(Deal.account_id == bindparam("account_id"))
    .with_for_update(of=Deal)
)

# {fingerprint: stage rows}, per process; only the latest definition is kept.
_rows_by_fingerprint: dict[str, tuple] = {}


def _rules_for_fingerprint(fingerprint: str | None) -> Rules:
    """The rules for the stage definitions with this fingerprint. The fingerprint holds
    everything the rows do, so the rows read for it are right for any database; they are read
    again only when an admin changed a stage (in any process)."""
    if fingerprint is None:  # no stages yet
        return load_rules()
    rows = _rows_by_fingerprint.get(fingerprint)
    if rows is None:
        rows = _stage_rows()
        _rows_by_fingerprint.clear()
        _rows_by_fingerprint[fingerprint] = rows
    return _rules(rows)


def _rules(rows: tuple) -> Rules:
    weights = setting("PIPELINE_SCORE_WEIGHTS")
    half_life = float(setting("PIPELINE_HALF_LIFE_DAYS"))
    key = (rows, tuple(sorted(weights.items())), half_life)
    rules = _parsed.get(key)
    if rules is None:
        rules = Rules(
            stages=tuple(
                StageRule(sid, name, position, criteria.parse(text), notify)
                for sid, name, position, text, notify in rows
            ),
            weights=dict(weights),
            half_life_days=half_life,
        )
        _parsed.clear()  # keep only the current definition
        _parsed[key] = rules
    return rules


def save_stage(
    stage: Stage | None,
    *,
    name: str,
    position: int,
    probability: int,
    criteria_text: str,
    stalled_after_days: int,
    is_won: bool = False,
    notify_on_entry: bool = False,
    description: str = "",
) -> tuple[Stage, bool]:
    """Create or update a stage after validating it. Returns (stage, rebuilt): changing the
    criteria or the order recomputes every deal from the events."""
    name = " ".join((name or "").split())
    if not name:
        raise PipelineError("Give the stage a name.", "name")
    if not 0 <= probability <= 100:
        raise PipelineError("The win probability is a percentage from 0 to 100.", "probability")
    if stalled_after_days < 0:
        raise PipelineError("Use 0 (never stalled) or a positive number of days.", "stalled")
    try:
        normalised = criteria.validate(criteria_text)
    except criteria.CriteriaError as error:
        raise PipelineError(str(error), "criteria") from None
    clash = db.session.scalar(select(Stage).where(func.lower(Stage.name) == name.lower()))
    if clash is not None and clash is not stage:
        raise PipelineError(f"There is already a stage called {clash.name}.", "name")
    if stage is None:
        stage = Stage()
        db.session.add(stage)
        rebuild_needed = True
    else:
        rebuild_needed = stage.criteria != normalised or stage.position != position
    stage.name = name
    stage.position = position
    stage.probability = probability
    stage.criteria = normalised
    stage.stalled_after_days = stalled_after_days
    stage.notify_on_entry = notify_on_entry
    stage.description = (description or "").strip()[:300]
    if is_won:  # one won stage
        db.session.execute(update(Stage).where(Stage.id != stage.id).values(is_won=False))
    stage.is_won = is_won
    db.session.flush()
    db.session.info.pop(_RULES_KEY, None)
    if rebuild_needed:
        rebuild_deals()
    return stage, rebuild_needed


def delete_stage(stage: Stage) -> None:
    """Remove a stage; its deals move to wherever their criteria now put them."""
    if db.session.scalar(select(func.count()).select_from(Stage)) <= 1:
        raise PipelineError("Keep at least one stage.")
    db.session.delete(stage)
    db.session.flush()
    db.session.info.pop(_RULES_KEY, None)
    rebuild_deals()


# --- the incremental path -----------------------------------------------------------------


def on_event_recorded(sender, event: Event, **_extra) -> None:
    """Journey listener: fold the new event into its account's deal.

    The common case costs two round trips: the deal (locked), the author's role and the
    stage definitions' fingerprint come back in one SELECT, and the deal's changed columns
    go back in one UPDATE (plus the rows of any new product or stage change)."""
    if event.account_id is None:
        return  # anonymous visitors have no deal
    row = db.session.execute(
        _DEAL_FOR_EVENT, {"account_id": event.account_id, "user_id": event.user_id}
    ).one_or_none()
    if row is None:  # the account's first event: no deal to read the rest with
        if event.user_id is not None and _is_staff(event.user_id):
            return  # the vendor's own people browsing are not a buying account
        rules = load_rules()
        deal, drafts = _open_deal(event, rules)
    else:
        deal, role, fingerprint = row
        if role in STAFF_ROLES:
            return
        rules = _rules_for_fingerprint(fingerprint)
        if _out_of_order(deal, event):
            rebuild_deals([event.account_id], rules=rules)
            return
        drafts = _advance_deal(deal, event, rules)

    from portal.pipeline import alerts, webhooks

    webhooks.enqueue_stage_changes(deal, drafts)
    alerts.after_event(deal, event, drafts, rules)


def _open_deal(event: Event, rules: Rules) -> tuple[Deal, list[TransitionDraft]]:
    """The account's first event creates its deal (once per account: the ORM is fine)."""
    deal = Deal(account_id=event.account_id, currency=_currency())
    state = DealState()
    drafts = apply_event(state, event, rules)
    _write_state(deal, state)
    deal.value, deal.currency, deal.value_source = deal_value(
        state, _prices_for(state), _currency()
    )
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
    money_before = (dict(state.cart), dict(state.paid), len(state.tried_products))
    drafts = apply_event(state, event, rules)
    changes = {
        name: value for name, value in state.as_dict().items() if value != getattr(deal, name)
    }
    money_after = (state.cart, state.paid, len(state.tried_products))
    if event.kind in VALUE_KINDS and money_after != money_before:
        value, currency, source = deal_value(state, _prices_for(state), _currency())
        for name, new in (("value", value), ("currency", currency), ("value_source", source)):
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
            (f"transition_{n}_{name}", getattr(draft, name)) for name in _TRANSITION_FIELDS
        )
    combined = db.session.get_bind().dialect.name == "postgresql"
    for statement in _deal_writes(tuple(changes), len(products), len(drafts), combined):
        db.session.execute(statement, params)


@lru_cache(maxsize=256)
def _deal_writes(
    columns: tuple[str, ...], products: int, transitions: int, combined: bool
) -> tuple[Insert | Update, ...]:
    """The statements of one shape of ``_write_deal``, built once: reusing the same statement
    objects keeps SQLAlchemy's compiled cache and the driver's prepared statements warm.
    Parameters are named ``deal``, ``set_<column>``, ``product_<n>``, ``transition_<n>_<column>``.

    One statement per row: a multi-row VALUES cannot be cached by SQLAlchemy."""
    deal = Deal.__table__
    deal_id = bindparam("deal", type_=deal.c.id.type)
    statements: list[Insert | Update] = []
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
            for name in _TRANSITION_FIELDS
        }
        statements.append(insert(table).values(deal_id=deal_id, **values))
    if combined and len(statements) > 1:
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


def _staff_ids() -> list[int]:
    return list(db.session.scalars(select(User.id).where(User.role.in_(STAFF_ROLES))))


def _out_of_order(deal: Deal, event: Event) -> bool:
    """An event older than what the deal has seen must be replayed in its place."""
    if deal.last_activity_at is not None and event.occurred_at < deal.last_activity_at:
        return True
    return deal.lost_at is not None and event.occurred_at <= deal.lost_at


def _write_state(deal: Deal, state: DealState) -> None:
    for name, value in state.as_dict().items():
        setattr(deal, name, value)


def _transition(deal_id: int, draft: TransitionDraft) -> StageTransition:
    return StageTransition(**_transition_row(deal_id, draft))


# What a TransitionDraft writes to its StageTransition row, besides the deal's id.
_TRANSITION_FIELDS = (
    "kind",
    "from_stage_id",
    "to_stage_id",
    "from_stage_seconds",
    "event_id",
    "actor_id",
    "reason",
    "occurred_at",
)


def _transition_row(deal_id: int, draft: TransitionDraft) -> dict:
    return {"deal_id": deal_id, **{name: getattr(draft, name) for name in _TRANSITION_FIELDS}}


def _currency() -> str:
    return setting("PIPELINE_CURRENCY")


def _prices_for(state: DealState) -> PriceBook:
    plan_ids = [int(p) for p in state.cart]
    return load_prices(plan_ids=plan_ids, product_ids=state.tried_products)


def load_prices(
    plan_ids: Iterable[int] | None = None, product_ids: Iterable[int] | None = None
) -> PriceBook:
    """Plan prices by plan id, and the cheapest active plan per product. None = all."""
    book = PriceBook()
    plan_ids = None if plan_ids is None else list(plan_ids)
    product_ids = None if product_ids is None else list(product_ids)
    if plan_ids is None or plan_ids:
        query = select(Plan.id, Plan.unit_amount, Plan.currency)
        if plan_ids is not None:
            query = query.where(Plan.id.in_(plan_ids))
        book.plans = {pid: (amount, cur) for pid, amount, cur in db.session.execute(query)}
    if product_ids is None or product_ids:
        query = select(Plan.product_id, Plan.unit_amount, Plan.currency).where(Plan.is_active)
        if product_ids is not None:
            query = query.where(Plan.product_id.in_(product_ids))
        for product_id, amount, cur in db.session.execute(query):
            if product_id not in book.cheapest or (amount, cur) < book.cheapest[product_id]:
                book.cheapest[product_id] = (amount, cur)
    return book


# --- rebuild ------------------------------------------------------------------------------

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

    Deals keep their id, owner and notes; stage history is replayed (a seller's "lost" marks
    are kept and replayed in place). Returns the number of deals rebuilt. No alerts or
    webhooks: history is not news.
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
    staff = _staff_ids()
    count = 0
    for start in range(0, len(ids), batch):
        count += _rebuild_batch(ids[start : start + batch], rules, prices, staff)
    # Objects loaded before the bulk statements would show stale values.
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, Deal | StageTransition | DealProduct):
            db.session.expire(obj)
    return count


def _rebuild_batch(
    account_ids: list[int], rules: Rules, prices: PriceBook, staff: list[int]
) -> int:
    deals = {
        account_id: deal_id
        for deal_id, account_id in db.session.execute(
            select(Deal.id, Deal.account_id).where(Deal.account_id.in_(account_ids))
        )
    }
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
        deal_ids = list(deals.values())
        db.session.execute(
            delete(StageTransition).where(
                StageTransition.deal_id.in_(deal_ids), StageTransition.kind != "lost"
            )
        )
        db.session.execute(delete(DealProduct).where(DealProduct.deal_id.in_(deal_ids)))

    events = db.session.execute(
        select(*_EVENT_COLUMNS)
        .where(
            Event.account_id.in_(account_ids),
            or_(Event.user_id.is_(None), Event.user_id.not_in(staff)) if staff else true(),
        )
        .order_by(Event.account_id, Event.occurred_at, Event.id)
    ).all()
    currency = _currency()
    folded: dict[int, tuple[DealState, list[TransitionDraft]]] = {}
    for account_id, rows in groupby(events, key=lambda row: row.account_id):
        folded[account_id] = fold(rows, rules, marks.get(account_id, ()))

    gone = [deals[a] for a in deals if a not in folded]
    if gone:
        db.session.execute(delete(Deal).where(Deal.id.in_(gone)))
    updates, inserts = [], []
    for account_id, (state, _drafts) in folded.items():
        value, cur, source = deal_value(state, prices, currency)
        row = {
            **state.as_dict(),
            "value": value,
            "currency": cur,
            "value_source": source,
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
            row = _transition_row(deal_id, draft)
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
    return len(folded)


# --- identity and erasure -----------------------------------------------------------------


def on_identity_merged(sender, user: User, visitor_id: str | None = None, **_extra) -> None:
    """A visitor's earlier events joined ``user``'s account: replay that account's deal."""
    if user.account_id is not None and visitor_id:
        rebuild_deals([user.account_id])


def on_user_erasing(sender, user: User, **_extra) -> None:
    """Before a user is erased: forget their alerts and tokens, and replay the account's deal
    without their events (when the account lives on; otherwise ``on_account_erasing``)."""
    from portal.models import ApiToken, Notification

    db.session.execute(delete(Notification).where(Notification.user_id == user.id))
    db.session.execute(delete(ApiToken).where(ApiToken.user_id == user.id))
    db.session.execute(update(Deal).where(Deal.owner_id == user.id).values(owner_id=None))
    db.session.execute(update(DealNote).where(DealNote.author_id == user.id).values(author_id=None))
    # Replay the account's deal as it will be without this person's events.
    others = db.session.scalar(
        select(func.count())
        .select_from(User)
        .where(User.account_id == user.account_id, User.id != user.id)
    )
    if others:
        db.session.execute(delete(Event).where(Event.user_id == user.id))
        rebuild_deals([user.account_id])


def on_data_exporting(sender, user: User, **_extra):
    """A seller's own pipeline data for ``/account/data``: notes written and API tokens."""
    from portal.models import ApiToken

    notes = db.session.scalars(select(DealNote).where(DealNote.author_id == user.id)).all()
    tokens = db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)).all()
    if not notes and not tokens:
        return None
    return (
        "pipeline",
        {
            "notes": [
                {"deal_id": n.deal_id, "body": n.body, "created_at": n.created_at.isoformat()}
                for n in notes
            ],
            "api_tokens": [
                {
                    "name": t.name,
                    "prefix": t.prefix,
                    "created_at": t.created_at.isoformat(),
                    "revoked_at": t.revoked_at.isoformat() if t.revoked_at else None,
                }
                for t in tokens
            ],
        },
    )


def on_account_erasing(sender, account, **_extra) -> None:
    db.session.execute(delete(Deal).where(Deal.account_id == account.id))
    db.session.flush()


# --- seller actions -----------------------------------------------------------------------


def assign_owner(deal: Deal, owner_id: int | None) -> Deal:
    """Give the deal to a seller (or to nobody)."""
    if owner_id is not None:
        owner = db.session.get(User, owner_id)
        if owner is None or not owner.has_role("seller"):
            raise PipelineError("Choose a seller as the owner.", "owner")
    deal.owner_id = owner_id
    db.session.flush()
    return deal


def mark_lost(deal: Deal, reason: str, actor: User, now: datetime | None = None) -> Deal:
    """Mark a deal lost with a reason. It reopens by itself on the buyer's next activity."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise PipelineError("Say why the deal is lost.", "reason")
    if len(reason) > 300:
        raise PipelineError("Keep the reason under 300 characters.", "reason")
    if deal.lost_at is not None:
        raise PipelineError("This deal is already marked lost.")
    state = DealState.of(deal)
    draft = apply_lost(state, now or datetime.now(UTC), reason, actor.id)
    _write_state(deal, state)
    transition = _transition(deal.id, draft)
    db.session.add(transition)
    db.session.flush()
    from portal.pipeline import webhooks

    webhooks.enqueue_stage_changes(deal, [transition])
    return deal


def add_note(deal: Deal, author: User, body: str) -> DealNote:
    body = (body or "").strip()
    if not body:
        raise PipelineError("Write something in the note.", "body")
    if len(body) > 4000:
        raise PipelineError("Keep notes under 4,000 characters.", "body")
    note = DealNote(deal_id=deal.id, author_id=author.id, body=body)
    db.session.add(note)
    db.session.flush()
    return note


def sellers() -> list[User]:
    return list(
        db.session.scalars(
            select(User).where(User.role.in_(("seller", "admin"))).order_by(User.name, User.email)
        )
    )


__all__ = [
    "DEFAULT_STAGES",
    "PipelineError",
    "TRIED_KINDS",
    "add_note",
    "assign_owner",
    "delete_stage",
    "ensure_default_stages",
    "list_stages",
    "load_prices",
    "load_rules",
    "mark_lost",
    "on_account_erasing",
    "on_data_exporting",
    "on_event_recorded",
    "on_identity_merged",
    "on_user_erasing",
    "rebuild_deals",
    "save_stage",
    "sellers",
]
