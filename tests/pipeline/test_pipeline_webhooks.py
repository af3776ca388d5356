"""Outbound webhooks against a real HTTP server on 127.0.0.1: signed, retried, logged."""

import json
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from portal.models import WebhookDelivery
from portal.pipeline import outgoing_webhooks as webhooks
from tests.factories import record


class Receiver:
    """A small HTTP server that answers with the next planned status and keeps requests."""

    def __init__(self):
        self.requests: list[tuple[dict, bytes]] = []
        self.statuses: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # the http.server API
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers), body))
                self.send_response(receiver.statuses.pop(0) if receiver.statuses else 204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/testdrive"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@pytest.fixture(autouse=True)
def loopback_allowed(app):
    """These tests deliver to a receiver on 127.0.0.1, which production refuses."""
    app.config["WEBHOOKS_ALLOW_PRIVATE"] = True


@pytest.fixture
def receiver():
    with Receiver() as running:
        yield running


def test_stage_changes_are_delivered_signed(db, make_user, receiver):
    buyer = make_user(email="dana@globex.example", company="Globex")
    endpoint = webhooks.create_endpoint(receiver.url, "CRM")
    record(buyer, "product_viewed", 1)
    record(buyer, "product_viewed", 1)  # no stage change: nothing queued
    record(buyer, "demo_started", 1, run_id="r", recipe="x")
    db.session.commit()
    queued = db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)).all()
    assert [d.payload["change"]["to_stage"]["name"] for d in queued] == ["Exploring", "Trying"]
    assert receiver.requests == []  # nothing is sent inside the request

    done = webhooks.deliver_due()
    assert [d.status for d in done] == ["delivered", "delivered"]
    headers, body = receiver.requests[1]
    payload = json.loads(body)
    assert payload["event"] == "deal.stage_changed"
    assert payload["deal"]["account"]["name"] == "Globex"
    assert payload["change"]["kind"] == "advanced"
    assert payload["change"]["from_stage"]["name"] == "Exploring"
    stamp, signature = headers["X-Testdrive-Timestamp"], headers["X-Testdrive-Signature"]
    assert signature.startswith("sha256=")
    assert webhooks.verify(endpoint.secret, stamp, body, signature)
    assert not webhooks.verify("whsec_wrong", stamp, body, signature)
    assert not webhooks.verify(endpoint.secret, stamp, body + b" ", signature)


def test_failures_are_retried_with_backoff_and_logged(app, db, make_user, receiver):
    app.config["PIPELINE_WEBHOOK_BACKOFF_SECONDS"] = 30
    app.config["PIPELINE_WEBHOOK_MAX_ATTEMPTS"] = 3
    buyer = make_user()
    webhooks.create_endpoint(receiver.url)
    record(buyer, "product_viewed", 1)
    db.session.commit()
    receiver.statuses = [500, 503, 500]
    now = datetime.now(UTC)

    (first,) = webhooks.deliver_due(now)
    assert (first.status, first.attempts, first.last_status_code) == ("pending", 1, 500)
    assert first.next_attempt_at == now + timedelta(seconds=30)
    assert webhooks.deliver_due(now + timedelta(seconds=10)) == []  # not due yet
    (second,) = webhooks.deliver_due(now + timedelta(seconds=30))
    assert second.attempts == 2
    assert second.next_attempt_at == now + timedelta(seconds=30 + 60)
    (third,) = webhooks.deliver_due(now + timedelta(seconds=90))
    assert (third.status, third.attempts, third.last_error) == ("failed", 3, "HTTP 500")
    assert third.next_attempt_at is None
    assert len(receiver.requests) == 3

    webhooks.retry(third, now + timedelta(seconds=100))
    db.session.commit()
    (again,) = webhooks.deliver_due(now + timedelta(seconds=100))
    assert again.status == "delivered" and again.delivered_at is not None


def test_an_unreachable_endpoint_is_a_logged_failure_not_a_crash(db, make_user):
    buyer = make_user()
    webhooks.create_endpoint("http://127.0.0.1:9/nothing-listens-here")
    record(buyer, "product_viewed", 1)
    db.session.commit()
    (delivery,) = webhooks.deliver_due()
    assert delivery.status == "pending" and delivery.last_status_code is None
    assert delivery.last_error


def test_delivery_log_page_and_cli(db, admin_client, runner, make_user, receiver):
    buyer = make_user(company="Initech", email="lee@initech.example")
    endpoint = webhooks.create_endpoint(receiver.url)
    record(buyer, "product_viewed", 1)
    db.session.commit()
    result = runner.invoke(args=["pipeline", "deliver-webhooks"])
    assert "Attempted 1 deliveries: 1 delivered." in result.output
    page = admin_client.get(f"/admin/webhooks/{endpoint.id}").text
    assert "Initech: entered → Exploring" in page
    assert "delivered" in page
