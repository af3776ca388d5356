"""Outgoing webhooks go to public addresses only (no SSRF through the admin's URL form):
refused when registered, and again at delivery after DNS (rebinding), unless
``WEBHOOKS_ALLOW_PRIVATE`` is on."""

import ipaddress
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from portal.models import WebhookDelivery, WebhookEndpoint
from portal.pipeline import outgoing_webhooks as webhooks
from portal.pipeline import webhook_targets as targets
from tests.factories import record

REFUSED = [
    ("http://127.0.0.1/hook", "loopback"),
    ("http://127.8.9.10:8080/hook", "loopback"),
    ("http://localhost/hook", "loopback"),
    ("http://[::1]/hook", "loopback"),
    ("http://[::ffff:127.0.0.1]/hook", "loopback"),  # IPv4-mapped IPv6
    ("http://[::ffff:10.1.2.3]/hook", "private"),
    ("http://10.0.0.5/hook", "private"),
    ("http://172.16.9.9/hook", "private"),
    ("http://192.168.1.1/hook", "private"),
    ("https://[fd00::1]/hook", "private"),  # unique local
    ("http://169.254.169.254/latest/meta-data", "link-local"),  # cloud metadata
    ("http://[fe80::1]/hook", "link-local"),
    ("http://224.0.0.1/hook", "multicast"),
    ("http://[ff02::1]/hook", "multicast"),
    ("http://240.0.0.1/hook", "reserved"),
    ("http://0.0.0.0/hook", "unspecified"),
    ("http://[::]/hook", "unspecified"),
    ("http://100.64.0.1/hook", "non-global"),  # carrier-grade NAT
    ("http://2130706433/hook", "loopback"),  # 127.0.0.1 written as one number
    ("http://internal.example/hook", "private"),  # a DNS name resolving to a private address
    ("http://mixed.example/hook", "private"),  # one public and one private address
]
ACCEPTED = [
    "https://crm.example/hook",  # does not resolve here: checked at delivery
    "https://public.example/hook",
    "http://93.184.216.34/hook",
    "https://[2606:4700:4700::1111]/hook",
]
FAKE_DNS = {
    "internal.example": ["10.20.30.40"],
    "mixed.example": ["93.184.216.34", "192.168.0.7"],
    "public.example": ["93.184.216.34"],
}


@pytest.fixture(autouse=True)
def fake_dns(monkeypatch):
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host in FAKE_DNS:
            return [
                (socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port)) for ip in FAKE_DNS[host]
            ]
        if str(host).endswith(".example"):
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(targets.socket, "getaddrinfo", getaddrinfo)


@pytest.mark.parametrize(("url", "kind"), REFUSED)
def test_non_public_targets_are_refused(db, url, kind):
    with pytest.raises(webhooks.WebhookError) as refused:
        webhooks.create_endpoint(url)
    assert kind in refused.value.message and refused.value.field == "url"


@pytest.mark.parametrize("url", ACCEPTED)
def test_public_targets_are_accepted(db, url):
    assert webhooks.create_endpoint(url).url == url


@pytest.mark.parametrize("url", [u for u, _ in REFUSED[:6]])
def test_the_setting_allows_private_targets(app, db, url):
    app.config["WEBHOOKS_ALLOW_PRIVATE"] = True
    assert webhooks.create_endpoint(url).url == url


def test_the_admin_form_shows_the_refusal(db, admin_client):
    response = admin_client.post("/admin/webhooks", data={"url": "http://169.254.169.254/x"})
    assert response.status_code == 422
    assert "link-local address" in response.text and "WEBHOOKS_ALLOW_PRIVATE" in response.text
    assert db.session.scalar(select(WebhookEndpoint)) is None


@pytest.mark.parametrize(
    "address",
    ["127.0.0.1", "::1", "::ffff:127.0.0.1", "::ffff:192.168.0.1", "fe80::1", "ff05::2"],
)
def test_every_kind_is_named(address):
    assert targets.why_not_public(ipaddress.ip_address(address)) is not None


def test_delivery_rechecks_the_connected_address(app, db, make_user, monkeypatch):
    """DNS rebinding: the name was public when registered, then points at 127.0.0.1. The
    delivery connects, sees a loopback peer and sends nothing."""
    hits = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # the http.server API
            hits.append(self.path)
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        port = server.server_port
        webhooks.create_endpoint(f"http://rebind.example:{port}/hook")  # resolves to nothing yet
        db.session.commit()
        FAKE_DNS["rebind.example"] = ["127.0.0.1"]
        buyer = make_user(email="dana@globex.example", company="Globex")
        record(buyer, "demo_started", 1, run_id="r", recipe="x")
        db.session.commit()
        webhooks.deliver_due()
        delivery = db.session.scalar(select(WebhookDelivery))
        assert hits == []
        assert delivery.status == "pending" and "loopback" in delivery.last_error
        app.config["WEBHOOKS_ALLOW_PRIVATE"] = True
        webhooks.retry(delivery)
        db.session.commit()
        webhooks.deliver_due()
        assert hits == ["/hook"]
    finally:
        FAKE_DNS.pop("rebind.example", None)
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
