"""Trial fixtures: consenting visitors, demo products, small files and a run waiter.

Runs go through the real engine (a child process per run) on small files; each test's
in-process queue is closed afterwards so no worker thread outlives its app.
"""

from __future__ import annotations

import io
import re
import time
from pathlib import Path

import pytest

from portal.extensions import db as _db
from portal.trials.sandbox_gateway import close_queue
from tests.factories import make_plan, make_product

DEALS_CSV = (
    "Deal,Phase,Value,Opened,Closed,Result,Rep\n"
    "D1,Lead,1000,2024-01-02,,open,Ann\n"
    "D2,Proposal,2500,2024-01-05,,open,Bob\n"
    "D3,Closed Won,4000,2024-01-03,2024-02-01,won,Ann\n"
    "D4,Closed Lost,1500,2024-01-04,2024-02-11,lost,Bob\n"
    "D5,Closed Won,3000,2024-01-08,2024-03-01,won,Ann\n"
    "D6,Demo,800,2024-02-01,,open,Cid\n"
)


@pytest.fixture(autouse=True)
def _sandbox_settings(app):
    app.config.update(SANDBOX_RUN_SECONDS=30, SANDBOX_CPU_SECONDS=30, SANDBOX_WORKERS=1)
    yield
    close_queue(app)


def accept_tracking(client) -> None:
    response = client.post("/consent", data={"choice": "accept", "next": "/"})
    assert response.status_code == 302


@pytest.fixture
def visitor(app):
    """A client for an anonymous visitor who accepted tracking."""
    client = app.test_client()
    accept_tracking(client)
    return client


@pytest.fixture
def other_visitor(app):
    client = app.test_client()
    accept_tracking(client)
    return client


@pytest.fixture
def lens(app):
    """The Pipeline Lens product (recipe ``pipeline_lens``) with a plan."""
    with app.app_context():
        product = make_product(slug="pipeline-lens", name="Pipeline Lens", recipe="pipeline_lens")
        make_plan(product, name="Team")
        _db.session.commit()
        return product.slug


@pytest.fixture
def doctor(app):
    with app.app_context():
        product = make_product(slug="data-doctor", name="Data Doctor", recipe="data_doctor")
        _db.session.commit()
        return product.slug


def upload(client, slug: str, data: bytes, filename: str = "deals.csv", **kwargs):
    return client.post(
        f"/try/{slug}/upload",
        data={"file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
        **kwargs,
    )


def dataset_id_from(response) -> str:
    match = re.search(r"dataset=(ds_[0-9a-f]{24})", response.headers.get("Location", ""))
    assert match, (response.status_code, response.headers.get("Location"), response.text[:500])
    return match.group(1)


def run_id_from(response) -> str:
    match = re.search(r"/try/runs/(run_[0-9a-f]{24})", response.headers.get("Location", ""))
    assert match, (response.status_code, response.text[:2000])
    return match.group(1)


def wait_for_run(client, run_id: str, timeout: float = 60) -> dict:
    """Poll the status endpoint like the page's script does, until the run is done."""
    deadline = time.monotonic() + timeout
    while True:
        status = client.get(f"/try/runs/{run_id}/status").json
        if status["done"] or time.monotonic() > deadline:
            return status
        time.sleep(0.1)


LENS_MAPPING = {
    "map_stage": "Phase",
    "map_amount": "Value",
    "map_created": "Opened",
    "map_closed": "Closed",
    "map_outcome": "Result",
    "map_owner": "Rep",
    "map_deal": "Deal",
    "param_stall_days": "30",
}


def files_under(path: str | Path) -> list[Path]:
    return sorted(p for p in Path(path).rglob("*") if p.is_file())
