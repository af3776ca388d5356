"""Redis away: submitting a run fails cleanly (nothing left "queued" for ever) and polling a
run waits instead of raising; when Redis is back, runs are followed as before."""

from __future__ import annotations

import socket
from contextlib import closing

import pytest

from sandbox import QueueUnavailable, RQQueue
from sandbox.store import _read_state


def closed_port_url() -> str:
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"  # nothing listens there once the socket is closed


def test_submit_while_redis_is_down_fails_the_run_cleanly(store, small):
    queue = RQQueue(closed_port_url(), store, queue_name="outage")
    with pytest.raises(QueueUnavailable) as refused:
        queue.submit("owner-1", small.id, "data_doctor")
    assert "press Run again" in refused.value.message
    states = [_read_state(path) for path in store.iter_run_dirs()]
    assert [s["state"] for s in states] == ["failed"]
    assert states[0]["finished_at"] and states[0]["error_category"] == "worker_lost"
    status = queue.status(states[0]["run_id"], "owner-1")
    assert status.done and status.state == "failed"


def test_status_while_redis_is_down_keeps_a_queued_run_waiting(store, small, monkeypatch):
    queue = RQQueue(closed_port_url(), store, queue_name="outage")
    monkeypatch.setattr(RQQueue, "_enqueue", lambda self, run_id: None)  # queued, then Redis went
    run_id = queue.submit("owner-1", small.id, "data_doctor")
    status = queue.status(run_id, "owner-1")
    assert status.state == "queued" and not status.done
