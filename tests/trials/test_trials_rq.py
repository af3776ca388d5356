"""At scale: runs go to RQ on Redis and ``flask worker`` executes them (needs TEST_REDIS_URL)."""

from __future__ import annotations

import os
import secrets

import pytest

from tests.trials.conftest import DEALS_CSV, LENS_MAPPING, dataset_id_from, run_id_from, upload

REDIS_URL = os.environ.get("TEST_REDIS_URL", "")

pytestmark = [
    pytest.mark.redis,
    pytest.mark.skipif(not REDIS_URL, reason="needs TEST_REDIS_URL (Redis)"),
]


def test_runs_go_through_rq_and_flask_worker_executes_them(app, visitor, lens, runner):
    # A queue of our own, so parallel test sessions on the same Redis never share jobs.
    app.config.update(QUEUE_URL=REDIS_URL, SANDBOX_QUEUE_NAME=f"test-{secrets.token_hex(4)}")
    ds = dataset_id_from(upload(visitor, lens, DEALS_CSV.encode()))
    run_id = run_id_from(visitor.post(f"/try/{lens}/datasets/{ds}/run", data=LENS_MAPPING))
    assert app.extensions["sandbox_queue"].kind == "rq"
    assert visitor.get(f"/try/runs/{run_id}/status").json["state"] == "queued"

    result = runner.invoke(args=["worker", "--burst"])
    assert result.exit_code == 0, result.output

    status = visitor.get(f"/try/runs/{run_id}/status").json
    assert status["state"] == "succeeded", status
    assert "Win rate" in visitor.get(f"/try/runs/{run_id}").text
