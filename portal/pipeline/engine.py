"""The stage engine and deal arithmetic: pure functions, no database.

The incremental listener and ``rebuild`` both fold events into a ``DealState`` with
``apply_event`` (and a seller's "lost" with ``apply_lost``), so the two paths agree by
construction; ``tests/pipeline/test_pipeline_rebuild_property.py`` proves it on random streams.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from typing import Any, Protocol

from portal.pipeline import criteria
from portal.pipeline.room_figures import ROOM_AT, RoomChange, _aware, room_figures, room_words
from portal.pipeline.scoring import add_log, score_term
from portal.pipeline.value import (
    ORDER_KINDS,
    QUOTE_KINDS,
    apply_cart_and_payments,
    apply_order_event,
)

VALUE_KINDS = frozenset(
    {
        "cart_item_added",
        "cart_item_removed",
        "order_placed",
        "order_paid",
        "order_refunded",
        "order_cancelled",
        "quote_requested",
        "quote_accepted",
        "demo_uploaded",
        "demo_started",
        "demo_completed",
    }
)


TRIED_KINDS = frozenset({"demo_uploaded", "demo_started", "demo_completed"})


class EventLike(Protocol):
    id: int
    kind: str
    occurred_at: datetime
    user_id: int | None
    product_id: int | None
    props: dict[str, Any]


class TransitionLike(Protocol):
    """A stage change as alerts and webhooks read it: a stored ``StageTransition`` or the
    ``TransitionDraft`` it was written from."""

    kind: str
    from_stage_id: int | None
    to_stage_id: int | None
    occurred_at: datetime
    event_id: int | None
    reason: str


@dataclass(frozen=True)
class StageRule:
    id: int
    name: str
    position: int
    node: criteria.Node
    notify_on_entry: bool = False


@dataclass(frozen=True)
class Rules:
    """Everything the engine needs besides the events: stages, weights, half-life."""

    stages: tuple[StageRule, ...]  # ordered by position
    weights: Mapping[str, float]
    half_life_days: float

    @cached_property
    def relevant(self) -> frozenset[str]:
        """The names any criteria read: other events cannot change a deal's stage."""
        names: set[str] = set()
        for stage in self.stages:
            names |= criteria.referenced_names(stage.node)
        return frozenset(names)

    @cached_property
    def _positions(self) -> dict[int, int]:
        return {stage.id: index for index, stage in enumerate(self.stages)}

    def position(self, stage_id: int | None) -> int:
        return self._positions.get(stage_id, -1) if stage_id is not None else -1

    def stage(self, stage_id: int | None) -> StageRule | None:
        index = self.position(stage_id)
        return self.stages[index] if index >= 0 else None


@dataclass
class TransitionDraft:
    kind: str  # entered, advanced, lost, reopened
    from_stage_id: int | None
    to_stage_id: int | None
    from_stage_seconds: int | None
    occurred_at: datetime
    event_id: int | None = None
    actor_id: int | None = None
    reason: str = ""
    # Set for a seller's "lost" mark that is already stored (rebuild updates it in place).
    transition_id: int | None = None


@dataclass
class DealState:
    counters: dict[str, int] = field(default_factory=dict)
    product_counters: dict[str, dict[str, int]] = field(default_factory=dict)
    people: list[int] = field(default_factory=list)
    score_log: float | None = None
    cart: dict[str, int] = field(default_factory=dict)
    paid: dict[str, int] = field(default_factory=dict)
    tried_products: list[int] = field(default_factory=list)
    orders: dict[str, dict] = field(default_factory=dict)
    quotes: dict[str, dict] = field(default_factory=dict)
    stage_id: int | None = None
    stage_entered_at: datetime | None = None
    opened_at: datetime | None = None
    last_activity_at: datetime | None = None
    last_event_id: int | None = None
    lost_at: datetime | None = None
    lost_reason: str = ""
    # The room's figures (``Deal.room``, with ``ROOM_AT``): read by criteria, changed by
    # ``apply_room``, never by events, so not in FIELDS.
    room: dict[str, Any] = field(default_factory=dict)

    FIELDS = (
        "counters",
        "product_counters",
        "people",
        "score_log",
        "cart",
        "paid",
        "tried_products",
        "orders",
        "quotes",
        "stage_id",
        "stage_entered_at",
        "opened_at",
        "last_activity_at",
        "last_event_id",
        "lost_at",
        "lost_reason",
    )

    @classmethod
    def of(cls, deal: Any) -> DealState:
        """A working copy of a Deal row (JSON containers copied, so changes are detected)."""
        return cls(
            counters=dict(deal.counters or {}),
            product_counters={k: dict(v) for k, v in (deal.product_counters or {}).items()},
            people=list(deal.people or []),
            score_log=deal.score_log,
            cart=dict(deal.cart or {}),
            paid=dict(deal.paid or {}),
            tried_products=list(deal.tried_products or []),
            orders={k: dict(v) for k, v in (deal.orders or {}).items()},
            quotes={k: dict(v) for k, v in (deal.quotes or {}).items()},
            stage_id=deal.stage_id,
            stage_entered_at=deal.stage_entered_at,
            opened_at=deal.opened_at,
            last_activity_at=deal.last_activity_at,
            last_event_id=deal.last_event_id,
            lost_at=deal.lost_at,
            lost_reason=deal.lost_reason or "",
            room=dict(getattr(deal, "room", None) or {}),
        )

    def as_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.FIELDS}


class Metrics(Mapping):
    """What criteria read: event counts, the ``people`` and ``products`` metrics and the
    room's metrics (``criteria.ROOM_METRICS``)."""

    def __init__(self, state: DealState):
        self.state = state

    def __getitem__(self, name: str) -> int:
        if name in criteria.ROOM_METRICS:
            return int(self.state.room.get(name) or 0)
        if name == "people":
            return len(self.state.people)
        if name == "products":
            return len(self.state.product_counters)
        return self.state.counters[name]

    def get(self, name: str, default: int = 0) -> int:
        if name in criteria.ROOM_METRICS:
            return int(self.state.room.get(name) or 0)
        if name == "people":
            return len(self.state.people)
        if name == "products":
            return len(self.state.product_counters)
        return self.state.counters.get(name, default)

    def __iter__(self):
        return iter(self.state.counters)

    def __len__(self) -> int:
        return len(self.state.counters)


def furthest_holding(rules: Rules, metrics: Mapping[str, int], above: int = -1) -> StageRule | None:
    """The furthest stage whose criteria hold, looking only past position ``above``.

    With the default it falls back to the first stage (where every deal starts); with
    ``above`` it returns None when no further stage holds."""
    for stage in rules.stages[:above:-1] if above >= 0 else reversed(rules.stages):
        if stage.node.holds(metrics):
            return stage
    if above >= 0:
        return None
    return rules.stages[0] if rules.stages else None


def _seconds(since: datetime | None, until: datetime) -> int | None:
    if since is None:
        return None
    return max(0, int((until - since).total_seconds()))


def _move(
    state: DealState, kind: str, target: StageRule | None, moment: datetime, event_id: int | None
) -> TransitionDraft:
    draft = TransitionDraft(
        kind=kind,
        from_stage_id=state.stage_id,
        to_stage_id=target.id if target else None,
        from_stage_seconds=_seconds(state.stage_entered_at, moment)
        if state.stage_id is not None
        else None,
        occurred_at=moment,
        event_id=event_id,
    )
    state.stage_id = draft.to_stage_id
    state.stage_entered_at = moment
    return draft


def apply_event(state: DealState, event: EventLike, rules: Rules) -> list[TransitionDraft]:
    """Fold one event into ``state``; return the stage transitions it caused."""
    kind, moment = event.kind, event.occurred_at
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    props = event.props or {}
    state.counters[kind] = state.counters.get(kind, 0) + 1
    new_person = new_product = False
    if event.product_id is not None:
        key = str(event.product_id)
        per_product = state.product_counters.get(key)
        if per_product is None:
            per_product = state.product_counters[key] = {}
            new_product = True
        per_product[kind] = per_product.get(kind, 0) + 1
        if kind in TRIED_KINDS and event.product_id not in state.tried_products:
            state.tried_products.append(event.product_id)
    if event.user_id is not None and event.user_id not in state.people:
        state.people.append(event.user_id)
        new_person = True
    weight = rules.weights.get(kind, 0)
    if weight > 0:
        state.score_log = add_log(state.score_log, score_term(weight, moment, rules.half_life_days))
    apply_cart_and_payments(state.cart, state.paid, kind, props)
    if kind in ORDER_KINDS or kind in QUOTE_KINDS:
        day = moment.date().isoformat()
        apply_order_event(state.orders, state.quotes, kind, props, event.id, day)
    if state.opened_at is None or moment < state.opened_at:
        state.opened_at = moment
    if state.last_activity_at is None or moment >= state.last_activity_at:
        state.last_activity_at = moment
        state.last_event_id = event.id

    relevant = rules.relevant
    if not (
        state.stage_id is None
        or state.lost_at is not None
        or kind in relevant
        or (new_person and "people" in relevant)
        or (new_product and "products" in relevant)
        or rules.position(state.stage_id) < 0
    ):
        return []
    current = rules.position(state.stage_id)
    if state.lost_at is None and current >= 0:
        # Deals never move back, so only the stages past the current one matter.
        target = furthest_holding(rules, Metrics(state), above=current)
        return [_move(state, "advanced", target, moment, event.id)] if target else []
    target = furthest_holding(rules, Metrics(state))
    if target is None:
        return []
    if state.lost_at is not None:  # new activity reopens a lost deal, wherever it now stands
        state.lost_at, state.lost_reason = None, ""
        return [_move(state, "reopened", target, moment, event.id)]
    if state.stage_id is None:
        return [_move(state, "entered", target, moment, event.id)]
    # the deal's stage was deleted: it goes wherever its criteria put it now
    return [_move(state, "advanced", target, moment, event.id)]


def apply_room(state: DealState, change: RoomChange, rules: Rules) -> list[TransitionDraft]:
    """The room changed (members, plan, shares): take its figures and move the deal forward
    when a further stage now holds. Returns the transitions (none for a lost deal or a deal
    not opened yet: the figures wait for its first event)."""
    figures = dict(change.figures)
    if room_figures(state.room) == figures:
        return []
    moment = _aware(change.at)
    state.room = {**figures, ROOM_AT: moment.isoformat()}
    current = rules.position(state.stage_id)
    if state.lost_at is not None or current < 0:
        return []
    target = furthest_holding(rules, Metrics(state), above=current)
    if target is None:
        return []
    draft = _move(state, "advanced", target, moment, None)
    draft.reason = room_words(figures)
    return [draft]


def apply_lost(
    state: DealState, moment: datetime, reason: str, actor_id: int | None
) -> TransitionDraft:
    """A seller marks the deal lost: the one way a deal moves back (it reopens on activity)."""
    draft = TransitionDraft(
        kind="lost",
        from_stage_id=state.stage_id,
        to_stage_id=None,
        from_stage_seconds=_seconds(state.stage_entered_at, moment),
        occurred_at=moment,
        actor_id=actor_id,
        reason=reason,
    )
    state.lost_at, state.lost_reason = moment, reason
    return draft


def fold(
    events: Iterable[EventLike],
    rules: Rules,
    lost_marks: Iterable[TransitionDraft] = (),
    rooms: Iterable[RoomChange] = (),
) -> tuple[DealState, list[TransitionDraft]]:
    """Replay a deal from scratch: events in (occurred_at, id) order with the room's changes
    and the seller's lost marks interleaved by time, so each event meets the room as it was
    then. At the same moment events go first, then room changes, then marks."""
    state = DealState()
    transitions: list[TransitionDraft] = []
    later: list[tuple[datetime, int, RoomChange | TransitionDraft]] = sorted(
        [(_aware(change.at), 0, change) for change in rooms]
        + [(_aware(mark.occurred_at), 1, mark) for mark in lost_marks],
        key=lambda item: (item[0], item[1]),
    )
    index = 0
    for event in events:
        moment = _aware(event.occurred_at)
        while index < len(later) and later[index][0] < moment:
            transitions.extend(_replay(state, later[index][2], rules))
            index += 1
        transitions.extend(apply_event(state, event, rules))
    for _, _, item in later[index:]:
        transitions.extend(_replay(state, item, rules))
    return state, transitions


def _replay(state: DealState, item: RoomChange | TransitionDraft, rules: Rules):
    if isinstance(item, RoomChange):
        return apply_room(state, item, rules)
    return [_replay_lost(state, item)]


def _replay_lost(state: DealState, mark: TransitionDraft) -> TransitionDraft:
    if state.stage_id is None or state.lost_at is not None:
        # Nothing to lose at that moment (e.g. criteria changed): keep the mark, inert.
        mark.from_stage_id = state.stage_id
        mark.from_stage_seconds = None
        return mark
    replayed = apply_lost(state, mark.occurred_at, mark.reason, mark.actor_id)
    replayed.transition_id = mark.transition_id
    return replayed
