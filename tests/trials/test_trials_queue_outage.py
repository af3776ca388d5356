"""Redis unreachable at scale: pressing Run answers 503 with a clear message (never a 500),
no run row is left queued, and the page still works for what is already there."""

from __future__ import annotations

import socket
from contextlib import closing

from sqlalchemy import select

from portal.extensions import db
from portal.models import TrialRun
from tests.trials.conftest import DEALS_CSV, LENS_MAPPING, dataset_id_from, upload


def closed_port_url() -> str:
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"


def test_run_while_the_queue_is_down_is_a_clean_503(app, visitor, lens):
    app.config.update(QUEUE_URL=closed_port_url(), SANDBOX_QUEUE_NAME="outage")
    ds = dataset_id_from(upload(visitor, lens, DEALS_CSV.encode()))
    response = visitor.post(f"/try/{lens}/datasets/{ds}/run", data=LENS_MAPPING)
    assert response.status_code == 503
    assert "Demos are paused for a moment" in response.text
    with app.app_context():
        assert db.session.scalars(select(TrialRun)).all() == []
    assert visitor.get(f"/try/{lens}?dataset={ds}").status_code == 200
