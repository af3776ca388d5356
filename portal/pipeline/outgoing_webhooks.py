"""Outbound webhooks: stage changes POSTed to the URLs an admin registered.

Recording a stage change only queues a ``WebhookDelivery`` row in the same transaction; the
HTTP calls happen outside any request, in ``deliver_due`` (run by ``flask pipeline
deliver-webhooks`` or ``flask pipeline worker``). Each body is signed with HMAC-SHA256 over
``"<timestamp>.<body>"``; failures are retried with exponential backoff, and every delivery
keeps its attempts, last status and error: that table is the delivery log.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import urllib.error
import urllib.request
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import or_, select, update

from portal.errors import ServiceError
from portal.extensions import db
from portal.models import Deal, Stage, WebhookDelivery, WebhookEndpoint
from portal.pipeline import webhook_targets as targets
from portal.pipeline.engine import TransitionLike
from portal.pipeline.settings import setting

SIGNATURE_HEADER = "X-Testdrive-Signature"
TIMESTAMP_HEADER = "X-Testdrive-Timestamp"
STALE_SENDING = timedelta(minutes=10)


class WebhookError(ServiceError):
    """An endpoint that cannot be registered; the message is meant for the admin."""


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(24)


def check_url(url: str) -> str:
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise WebhookError("Enter a full http:// or https:// URL.")
    if parts.username or parts.password:
        raise WebhookError("Leave credentials out of the URL; verify the signature instead.")
    if len(url) > 500:
        raise WebhookError("Keep the URL under 500 characters.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise WebhookError("The port in the URL is not a number from 1 to 65535.", "url") from None
    refused = targets.refusal(parts.hostname, port)
    if refused:
        raise WebhookError(refused, "url")
    return url


def create_endpoint(url: str, description: str = "") -> WebhookEndpoint:
    endpoint = WebhookEndpoint(
        url=check_url(url), description=(description or "").strip()[:200], secret=new_secret()
    )
    db.session.add(endpoint)
    db.session.flush()
    return endpoint


def sign(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def verify(secret: str, timestamp: str | int, body: bytes, signature: str) -> bool:
    """What a receiver does: recompute the signature and compare in constant time."""
    try:
        expected = sign(secret, int(timestamp), body)
    except (TypeError, ValueError):
        return False
    return hmac.compare_digest(expected, signature or "")


def enqueue_stage_changes(deal: Deal, transitions: Iterable[TransitionLike]) -> int:
    """Queue one delivery per active endpoint and stage change. Returns how many."""
    transitions = list(transitions)
    if not transitions:
        return 0
    endpoints = list(db.session.scalars(select(WebhookEndpoint).where(WebhookEndpoint.is_active)))
    if not endpoints:
        return 0
    stage_ids = {t.from_stage_id for t in transitions} | {t.to_stage_id for t in transitions}
    names = dict(
        db.session.execute(
            select(Stage.id, Stage.name).where(Stage.id.in_(stage_ids - {None}))
        ).all()
    )
    account = deal.account
    count = 0
    for transition in transitions:
        payload = {
            "event": "deal.stage_changed",
            "deal": {
                "id": deal.id,
                "account": {"id": account.id, "name": account.name, "domain": account.domain},
                "value": deal.value,
                "currency": deal.currency,
            },
            "change": {
                "kind": transition.kind,
                "from_stage": _stage(transition.from_stage_id, names),
                "to_stage": _stage(transition.to_stage_id, names),
                "occurred_at": transition.occurred_at.isoformat(),
                "event_id": transition.event_id,
                "reason": transition.reason or None,
            },
        }
        for endpoint in endpoints:
            db.session.add(
                WebhookDelivery(endpoint_id=endpoint.id, event=payload["event"], payload=payload)
            )
            count += 1
    db.session.flush()
    return count


def _stage(stage_id: int | None, names: dict[int, str]) -> dict | None:
    return {"id": stage_id, "name": names.get(stage_id)} if stage_id is not None else None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # a redirect is an answer, not a delivery


_opener = targets.guarded_opener(_NoRedirect)


def _post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> int:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with _opener.open(request, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def backoff(attempts: int) -> timedelta:
    """Wait before the next try: base, 2×base, 4×base, … (attempts counts tries so far)."""
    return timedelta(seconds=setting("PIPELINE_WEBHOOK_BACKOFF_SECONDS") * 2 ** (attempts - 1))


def deliver_due(now: datetime | None = None, limit: int = 50) -> list[WebhookDelivery]:
    """Send the deliveries that are due. This is a worker loop, so it commits: a delivery is
    claimed (committed) before its HTTP call, and its outcome is committed right after, so
    no database transaction stays open while a slow receiver answers."""
    now = now or datetime.now(UTC)
    due = db.session.scalars(
        select(WebhookDelivery.id)
        .where(
            or_(
                (WebhookDelivery.status == "pending") & (WebhookDelivery.next_attempt_at <= now),
                (WebhookDelivery.status == "sending")
                & (WebhookDelivery.last_attempt_at < now - STALE_SENDING),
            )
        )
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
        .limit(limit)
    ).all()
    done = []
    for delivery_id in due:
        claimed = db.session.execute(
            update(WebhookDelivery)
            .where(
                WebhookDelivery.id == delivery_id,
                WebhookDelivery.status.in_(("pending", "sending")),
            )
            .values(status="sending", last_attempt_at=now)
        )
        db.session.commit()  # the claim is seen by other workers before the network call
        if claimed.rowcount != 1:
            continue  # another worker took it
        delivery = db.session.get(WebhookDelivery, delivery_id)
        _attempt(delivery, now)
        db.session.commit()  # each delivery's outcome stands on its own
        done.append(delivery)
    return done


def _attempt(delivery: WebhookDelivery, now: datetime) -> None:
    endpoint = delivery.endpoint
    body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()
    timestamp = int(now.timestamp())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Testdrive-Webhooks/1",
        "X-Testdrive-Event": delivery.event,
        "X-Testdrive-Delivery": str(delivery.id),
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: sign(endpoint.secret, timestamp, body),
    }
    delivery.attempts += 1
    delivery.last_attempt_at = now
    try:
        status = _post(
            endpoint.url, body, headers, float(setting("PIPELINE_WEBHOOK_TIMEOUT_SECONDS"))
        )
        error = "" if 200 <= status < 300 else f"HTTP {status}"
    except (urllib.error.URLError, OSError, ValueError) as exc:
        status = None
        error = str(getattr(exc, "reason", exc))[:300] or exc.__class__.__name__
    delivery.last_status_code = status
    delivery.last_error = error
    if not error:
        delivery.status = "delivered"
        delivery.delivered_at = now
        delivery.next_attempt_at = None
    elif not endpoint.is_active or delivery.attempts >= setting("PIPELINE_WEBHOOK_MAX_ATTEMPTS"):
        delivery.status = "failed"
        delivery.next_attempt_at = None
    else:
        delivery.status = "pending"
        delivery.next_attempt_at = now + backoff(delivery.attempts)


def toggle_endpoint(endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """Pause an active endpoint, or enable a paused one."""
    endpoint.is_active = not endpoint.is_active
    db.session.flush()
    return endpoint


def delete_endpoint(endpoint: WebhookEndpoint) -> None:
    """Remove an endpoint with its delivery log."""
    db.session.delete(endpoint)
    db.session.flush()


def retry(delivery: WebhookDelivery, now: datetime | None = None) -> WebhookDelivery:
    """An admin asks for another try now (also for a delivery that gave up)."""
    delivery.status = "pending"
    delivery.next_attempt_at = now or datetime.now(UTC)
    db.session.flush()
    return delivery


def deliveries_for(endpoint: WebhookEndpoint):
    """A select of the endpoint's delivery log, newest first (the view paginates it)."""
    return (
        select(WebhookDelivery)
        .where(WebhookDelivery.endpoint_id == endpoint.id)
        .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc())
    )
