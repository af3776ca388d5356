"""Seller alerts: in-app notifications, and an e-mail digest of those not mailed yet.

Sellers hear, each exactly once, when a buyer places an order, asks for or accepts a quote,
asks to talk to a customer, or a deal enters a stage marked "notify on entry" (Deciding by
default); the jobs in ``portal.pipeline.due_alerts`` add quotes about to expire and deals
gone quiet. An engagement jump (``PIPELINE_SCORE_JUMP``) is told at most once per
``PIPELINE_SCORE_JUMP_COOLDOWN_HOURS`` per deal. "Once" is a per-deal key on the
notification: the listener holds the deal's row lock, so two events cannot both miss it.
The deal's owner is told; a deal without an owner goes to every seller.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from itertools import groupby
from typing import Any

from flask import url_for
from sqlalchemy import func, select, update

from portal.extensions import db
from portal.mail import queue_mail
from portal.models import Deal, Event, Notification, User
from portal.models.accounts import STAFF_ROLES
from portal.pipeline.engine import Rules, TransitionLike
from portal.pipeline.scoring import score_at
from portal.pipeline.settings import setting
from portal.templating import money

# Digest headings, in the digest's order: alert kind -> heading.
ALERT_GROUPS: dict[str, str] = {
    "order_placed": "Orders placed",
    "quote_requested": "Quotes",
    "quote_accepted": "Quotes",
    "quote_expiring": "Quotes",
    "reference": "Customers asked for a reference",
    "stage": "Stages entered",
    "stalled": "Gone quiet",
    "score_jump": "Engagement",
    "committee": "Buying committees",
    "plan_overdue": "Evaluation plans",
    "question": "Questions waiting for an answer",
}

# (kind, once-key, message)
Alert = tuple[str, str, str]
ALERTING_KINDS = frozenset(
    {"order_placed", "quote_requested", "quote_accepted", "reference_requested"}
)


class _LazyName:
    def __init__(self, deal: Deal):
        self.deal = deal

    def __str__(self) -> str:
        return self.deal.account.name


def after_event(
    deal: Deal, event: Event, transitions: Sequence[TransitionLike], rules: Rules
) -> list[Notification]:
    """Raise the alerts one new event deserves. Old events (history, merged visitors) none."""
    now = datetime.now(UTC)
    if now - event.occurred_at > timedelta(hours=setting("PIPELINE_ALERT_MAX_AGE_HOURS")):
        return []
    # The account's name costs a query: only load it when an alert is due.
    name = _LazyName(deal)
    alerts: list[Alert] = []
    for transition in transitions:
        stage = rules.stage(transition.to_stage_id)
        if stage is not None and stage.notify_on_entry:
            key = f"stage:{stage.id}:{transition.event_id or event.id}"
            alerts.append(("stage", key, f"{name} entered {stage.name}."))
    if event.kind in ALERTING_KINDS:
        alerts.extend(event_alerts(str(name), event.kind, event.props or {}, event.id))
    jump = score_jump_alert(deal, event, rules, now)
    if jump is not None:
        alerts.append(jump)
    return notify(deal, alerts) if alerts else []


def after_room_change(
    deal: Deal, transitions: Sequence[TransitionLike], rules: Rules, at: datetime
) -> list[Notification]:
    """The room's figures moved the deal into a stage that asks to be told (no event did)."""
    alerts: list[Alert] = []
    for transition in transitions:
        stage = rules.stage(transition.to_stage_id)
        if stage is not None and stage.notify_on_entry:
            key = f"stage:{stage.id}:room:{at.isoformat()}"
            alerts.append(("stage", key, f"{deal.account.name} entered {stage.name}."))
    return notify(deal, alerts) if alerts else []


def event_alerts(name: str, kind: str, props: Mapping[str, Any], event_id: int) -> list[Alert]:
    """The alerts an event of this kind raises by itself."""
    amount = ""
    if props.get("currency") and (props.get("net") is not None or props.get("amount")):
        amount = f" of {money(props.get('net', props.get('amount')), props['currency'])}"
    if kind == "order_placed" and props.get("order_id"):
        way = f"{props['method']} " if props.get("method") else ""
        number = props.get("number") or f"#{props['order_id']}"
        return [
            (
                "order_placed",
                f"order:{props['order_id']}",
                f"{name} placed {way}order {number}{amount}.",
            )
        ]
    if kind in ("quote_requested", "quote_accepted") and props.get("quote_id"):
        verb = "asked for a quote" if kind == "quote_requested" else "accepted a quote"
        number = f" ({props['number']})" if props.get("number") else ""
        key = f"quote:{props['quote_id']}:{kind.removeprefix('quote_')}"
        return [(kind, key, f"{name} {verb}{number}{amount}.")]
    if kind == "reference_requested":
        key = f"reference:{props.get('request_id') or event_id}"
        return [("reference", key, f"{name} asked to talk to a customer.")]
    return []


def score_jump_alert(deal: Deal, event: Event, rules: Rules, now: datetime) -> Alert | None:
    """An engagement jump, unless the deal was told about one within the cool-down."""
    jump = setting("PIPELINE_SCORE_JUMP")
    if not jump or deal.score_log is None:
        return None
    half_life = rules.half_life_days
    current = score_at(deal.score_log, event.occurred_at, half_life)
    told = score_at(deal.alerted_score_log, event.occurred_at, half_life)
    if current - told < jump:
        return None
    cooldown = timedelta(hours=float(setting("PIPELINE_SCORE_JUMP_COOLDOWN_HOURS")))
    last = db.session.scalar(
        select(func.max(Notification.created_at)).where(
            Notification.deal_id == deal.id, Notification.kind == "score_jump"
        )
    )
    if last is not None and now - last.replace(tzinfo=last.tzinfo or UTC) < cooldown:
        return None
    deal.alerted_score_log = deal.score_log
    message = f"{deal.account.name}'s engagement jumped to {current:.0f} (+{current - told:.0f})."
    return ("score_jump", f"score:{event.id}", message)


def recipients(deal: Deal | None) -> list[int]:
    if deal is not None and deal.owner_id is not None:
        return [deal.owner_id]
    return list(db.session.scalars(select(User.id).where(User.role.in_(STAFF_ROLES))))


def notify_without_deal(kind: str, key: str, message: str) -> list[Notification]:
    """An alert about no buying account (an anonymous asker's question): raised once per
    key among the alerts without a deal, to every seller."""
    seen = db.session.scalar(
        select(Notification.id)
        .where(Notification.deal_id.is_(None), Notification.once_key == key)
        .limit(1)
    )
    if seen is not None:
        return []
    notes = [
        Notification(user_id=user_id, deal_id=None, kind=kind, once_key=key, message=message)
        for user_id in recipients(None)
    ]
    db.session.add_all(notes)
    db.session.flush()
    return notes


def notify(deal: Deal, alerts: Sequence[Alert]) -> list[Notification]:
    """Store the alerts the deal has not raised before (by key), one per recipient."""
    keys = {key for _, key, _ in alerts}
    seen = set(
        db.session.scalars(
            select(Notification.once_key).where(
                Notification.deal_id == deal.id, Notification.once_key.in_(keys)
            )
        )
    )
    fresh, queued = [], set()
    for kind, key, message in alerts:
        if key not in seen and key not in queued:
            fresh.append((kind, key, message))
            queued.add(key)
    notes = [
        Notification(user_id=user_id, deal_id=deal.id, kind=kind, once_key=key, message=message)
        for user_id in (recipients(deal) if fresh else [])
        for kind, key, message in fresh
    ]
    db.session.add_all(notes)
    db.session.flush()
    return notes


def unread_count(user: User) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
    )


def notifications_for(user: User):
    """A select of the user's notifications, newest first (the view paginates it)."""
    return (
        select(Notification)
        .where(Notification.user_id == user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )


def mark_read(user: User, notification_id: int | None = None) -> int:
    """Mark one notification (or all of them) read. Returns how many changed."""
    query = update(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)
    )
    if notification_id is not None:
        query = query.where(Notification.id == notification_id)
    result = db.session.execute(query.values(read_at=datetime.now(UTC)))
    db.session.flush()
    return result.rowcount or 0


def send_digests(now: datetime | None = None) -> int:
    """E-mail each seller the notifications not mailed yet, one message each. Returns the
    number of e-mails sent. Needs an app context (and a request context for links)."""
    now = now or datetime.now(UTC)
    pending = db.session.execute(
        select(Notification, User)
        .join(User, User.id == Notification.user_id)
        .where(Notification.emailed_at.is_(None))
        .order_by(Notification.user_id, Notification.created_at, Notification.id)
    ).all()
    sent = 0
    for _user_id, rows in groupby(pending, key=lambda row: row[1].id):
        rows = list(rows)
        user = rows[0][1]
        items = [
            {
                "kind": note.kind,
                "group": ALERT_GROUPS.get(note.kind, "Other"),
                "message": note.message,
                "created_at": note.created_at,
                "url": url_for("pipeline.deal", deal_id=note.deal_id, _external=True)
                if note.deal_id
                else None,
            }
            for note, _ in rows
        ]
        headings = list(dict.fromkeys(ALERT_GROUPS.values())) + ["Other"]
        items.sort(key=lambda item: headings.index(item["group"]))
        groups = [(heading, list(group)) for heading, group in groupby(items, lambda i: i["group"])]
        count = len(items)
        queue_mail(
            user.email,
            f"Pipeline: {count} new alert{'s' if count != 1 else ''}",
            "pipeline_digest",
            user=user,
            items=items,
            groups=groups,
            board_url=url_for("pipeline.board", _external=True),
        )
        for note, _ in rows:
            note.emailed_at = now
        sent += 1
    db.session.flush()
    return sent
