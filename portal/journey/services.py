"""Journey tracking: consent, the event log, identity merge, data export and erasure.

Services take explicit arguments (an ``Actor``, ids) and only ``flush()``; the request or the
CLI command commits. Other areas react to what happens here through the blinker signals below
(the pipeline listens to ``event_recorded``).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from blinker import Namespace
from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import make_transient_to_detached

from portal.extensions import db
from portal.journey.kinds import get_kind
from portal.models import Account, Event, User

signals = Namespace()
#: sent with ``event=`` after an Event is flushed, inside the caller's transaction.
event_recorded = signals.signal("event-recorded")
#: sent with ``user=`` and ``visitor_id=`` after a visitor's events joined a user.
identity_merged = signals.signal("identity-merged")
#: sent with ``user=`` and ``owner_key=`` when a person signs in on a device that keeps
#: strictly necessary data of its own (an anonymous cart): areas move it to the user.
device_attached = signals.signal("device-attached")
#: sent with ``user=`` before a user is erased; areas delete or anonymise their rows.
user_erasing = signals.signal("user-erasing")
#: sent with ``account=`` before an emptied account is erased.
account_erasing = signals.signal("account-erasing")
#: sent with ``visitor_id=`` when an anonymous visitor withdraws consent; areas delete
#: what they keep for that visitor (trial data, carts).
visitor_forgotten = signals.signal("visitor-forgotten")
#: areas connect a function ``(sender, user=...) -> (name, data)`` to add to the export.
data_exporting = signals.signal("data-exporting")

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+")
_CODE = re.compile(r"^[A-Za-z0-9_.:\-]{1,64}$")


class InvalidEvent(ValueError):
    """An event that breaks the registry's rules (unknown property, free text, e-mail)."""


@dataclass(frozen=True)
class Actor:
    """Who did something. Built only for people who consented to tracking."""

    visitor_id: str | None = None
    user_id: int | None = None
    account_id: int | None = None

    @classmethod
    def for_user(cls, user: User, visitor_id: str | None = None) -> Actor | None:
        if not user.tracking_consent:
            return None
        return cls(visitor_id=visitor_id, user_id=user.id, account_id=user.account_id)


def new_visitor_id() -> str:
    return secrets.token_urlsafe(16)


def normalise_query(text: str) -> str:
    """Lower-case, collapse whitespace, cap at 100 characters."""
    return " ".join(text.lower().split())[:100]


def _clean_props(kind_name: str, props: dict[str, Any]) -> dict[str, Any]:
    kind = get_kind(kind_name)
    cleaned: dict[str, Any] = {}
    for key, value in props.items():
        if value is None:
            continue
        ptype = kind.props.get(key)
        if ptype is None:
            raise InvalidEvent(f"{kind_name} has no property {key!r}")
        cleaned[key] = _check_value(kind_name, key, ptype, value)
    return cleaned


def _check_value(kind_name: str, key: str, ptype: str, value: Any) -> Any:
    if ptype in ("int", "id"):
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidEvent(f"{kind_name}.{key} must be an integer")
        if ptype == "id" and value <= 0:
            raise InvalidEvent(f"{kind_name}.{key} must be a positive id")
        return value
    if ptype == "ids":
        if not isinstance(value, list | tuple) or len(value) > 10:
            raise InvalidEvent(f"{kind_name}.{key} must be a short list of ids")
        return [_check_value(kind_name, key, "id", v) for v in value]
    if not isinstance(value, str):
        raise InvalidEvent(f"{kind_name}.{key} must be text")
    if _EMAIL.search(value):
        raise InvalidEvent(f"{kind_name}.{key} must not hold an e-mail address")
    if ptype == "code":
        if not _CODE.match(value):
            raise InvalidEvent(f"{kind_name}.{key} must be a short code")
        return value
    if ptype == "query":
        return normalise_query(value)
    raise InvalidEvent(f"{kind_name}.{key} has an unknown property type {ptype!r}")


def record_event(
    actor: Actor | None,
    kind: str,
    product: Any = None,
    *,
    occurred_at: datetime | None = None,
    **props: Any,
) -> Event | None:
    """Append an Event for ``actor`` in the caller's transaction.

    Returns None, and stores nothing, when there is no consenting actor. ``product`` may be a
    Product or its id. Raises ``UnknownEventKind`` or ``InvalidEvent`` for bad input.
    """
    cleaned = _clean_props(kind, props)
    if actor is None:
        return None
    product_id = getattr(product, "id", product)
    event = Event(
        kind=kind,
        visitor_id=actor.visitor_id,
        user_id=actor.user_id,
        account_id=actor.account_id,
        product_id=product_id,
        props=cleaned,
        occurred_at=occurred_at or datetime.now(UTC),
    )
    _append(event)
    event_recorded.send(event, event=event)
    return event


_EVENTS = Event.__table__
_INSERT_EVENT = insert(_EVENTS).returning(_EVENTS.c.id)


def _append(event: Event) -> None:
    """Insert ``event`` and put it in the session as a row loaded from the database.

    Events are appended one at a time on the request path of most pages. An append-only
    row gives the unit of work nothing to track, yet its flush costs about as much as the
    INSERT's round trip; one Core INSERT ... RETURNING id is all it needs. The caller's
    pending changes are flushed first, as a flush of the event would have done."""
    db.session.flush()
    values = {column.key: getattr(event, column.key) for column in _EVENTS.c if column.key != "id"}
    event.id = db.session.execute(_INSERT_EVENT, values).scalar_one()
    make_transient_to_detached(event)
    db.session.add(event)


def set_user_consent(user: User, accepted: bool) -> None:
    user.tracking_consent = accepted
    user.consent_changed_at = datetime.now(UTC)
    db.session.flush()


def attach_visitor(user: User, visitor_id: str | None) -> int:
    """Give a visitor's anonymous events to ``user`` and their account. Returns the count."""
    if not visitor_id:
        return 0
    result = db.session.execute(
        update(Event)
        .where(Event.visitor_id == visitor_id, Event.user_id.is_(None))
        .values(user_id=user.id, account_id=user.account_id)
    )
    db.session.flush()
    # Sent even when no events moved: carts and trial data follow the visitor too.
    identity_merged.send(user, user=user, visitor_id=visitor_id)
    return result.rowcount or 0


def attach_device(user: User, owner_key: str | None) -> None:
    """Give what the device owned anonymously (its cart) to ``user``; no tracking involved."""
    if owner_key:
        device_attached.send(user, user=user, owner_key=owner_key)


def export_user_data(user: User) -> dict[str, Any]:
    """Everything stored about ``user``, as JSON-ready data."""
    events = db.session.scalars(
        select(Event).where(Event.user_id == user.id).order_by(Event.occurred_at, Event.id)
    )
    data: dict[str, Any] = {
        "exported_at": datetime.now(UTC).isoformat(),
        "user": {
            "email": user.email,
            "name": user.name,
            "role": user.role,
            "created_at": user.created_at.isoformat(),
            "last_login_at": user.last_login_at.isoformat() if user.last_login_at else None,
            "tracking_consent": user.tracking_consent,
        },
        "account": {"name": user.account.name, "domain": user.account.domain},
        "events": [
            {
                "kind": e.kind,
                "occurred_at": e.occurred_at.isoformat(),
                "product_id": e.product_id,
                "props": e.props,
            }
            for e in events
        ],
    }
    for _receiver, result in data_exporting.send(user, user=user):
        if result:
            name, section = result
            data[name] = section
    return data


def erase_user(user: User) -> None:
    """Erase ``user``: their events, every area's personal rows, and the user row.

    The account goes too when nobody else is left in it.
    """
    user_erasing.send(user, user=user)
    db.session.execute(delete(Event).where(Event.user_id == user.id))
    account = user.account
    db.session.delete(user)
    db.session.flush()
    remaining = db.session.scalar(select(User.id).where(User.account_id == account.id).limit(1))
    if remaining is None:
        db.session.execute(delete(Event).where(Event.account_id == account.id))
        account_erasing.send(account, account=account)
        db.session.delete(account)
        db.session.flush()


def forget_visitor(visitor_id: str) -> int:
    """Delete an anonymous visitor's events (when they withdraw consent)."""
    result = db.session.execute(
        delete(Event).where(Event.visitor_id == visitor_id, Event.user_id.is_(None))
    )
    db.session.flush()
    visitor_forgotten.send(visitor_id, visitor_id=visitor_id)
    return result.rowcount or 0


__all__ = [
    "Account",
    "Actor",
    "account_erasing",
    "InvalidEvent",
    "attach_device",
    "attach_visitor",
    "device_attached",
    "data_exporting",
    "erase_user",
    "event_recorded",
    "export_user_data",
    "forget_visitor",
    "identity_merged",
    "new_visitor_id",
    "normalise_query",
    "record_event",
    "set_user_consent",
    "user_erasing",
    "visitor_forgotten",
]
