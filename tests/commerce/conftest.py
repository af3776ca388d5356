"""Commerce fixtures: plans, Stripe configuration, and a localstripe server per session."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.commerce.support import WEBHOOK_SECRET, create_plan


@pytest.fixture
def plan_id(app) -> int:
    """Team: $49.00 per seat, 1–50 seats."""
    return create_plan(app, product={"name": "Pipeline Lens", "slug": "pipeline-lens-t"})


@pytest.fixture
def enterprise_plan_id(app) -> int:
    """A one-time $1,200,000 global licence: above the default card limit ($999,999.99)."""
    return create_plan(
        app,
        product={"name": "Demand Radar", "slug": "demand-radar-t"},
        name="Global licence",
        unit_amount=120_000_000,
        billing="one_time",
        per_seat=False,
        min_quantity=1,
        max_quantity=1,
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def localstripe_url(tmp_path_factory):
    """A localstripe (fake Stripe) server on a free loopback port for the whole session."""
    port = _free_port()
    log = (tmp_path_factory.mktemp("localstripe") / "localstripe.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "localstripe", "--port", str(port), "--from-scratch"],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"{url}/js.stripe.com/v3/", timeout=1).close()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail("localstripe did not start")
            time.sleep(0.1)
    yield url
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()


@pytest.fixture
def stripe_config(app):
    """Card payments configured, pointing at a closed port unless a test overrides it."""
    app.config.update(
        STRIPE_SECRET_KEY="sk_test_commerce",
        STRIPE_PUBLISHABLE_KEY="pk_test_commerce",
        STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
        STRIPE_API_BASE="http://127.0.0.1:9",  # nothing listens: every API call fails
        STRIPE_MAX_NETWORK_RETRIES=0,
    )
    return app.config


@pytest.fixture
def localstripe(app, stripe_config, localstripe_url):
    stripe_config["STRIPE_API_BASE"] = localstripe_url
    return localstripe_url
