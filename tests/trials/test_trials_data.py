"""Trial services without the pages: identity merge, erasure, export, retention, journey
events recorded exactly once, and the CLI commands."""

from __future__ import annotations

import io
import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

import sandbox
from portal.extensions import db as _db
from portal.journey.services import Actor
from portal.models import Event, Product, TrialDataset, TrialRun, User
from portal.trials import datasets, retention, runs
from portal.trials.errors import TrialNotFound
from portal.trials.sandbox_gateway import get_queue, get_store
from tests.conftest import PASSWORD, sign_up
from tests.trials.conftest import (
    DEALS_CSV,
    LENS_MAPPING,
    dataset_id_from,
    files_under,
    run_id_from,
    upload,
    wait_for_run,
)

MAPPING = {k[4:]: v for k, v in LENS_MAPPING.items() if k.startswith("map_")}


def _product(slug: str) -> Product:
    return _db.session.scalar(select(Product).where(Product.slug == slug))


def _wait(app, run_id: str, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while True:
        state = get_queue(app).status(run_id).state
        if state in ("succeeded", "failed") or time.monotonic() > deadline:
            return state
        time.sleep(0.1)


def _count(model) -> int:
    return _db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def owned(app, lens):
    """A visitor's uploaded dataset and a finished run, made through the services."""
    with app.test_request_context():
        actor = Actor(visitor_id="visitor-one-abcdef")
        product = _product(lens)
        dataset = datasets.upload_dataset(
            "vvisitor-one-abcdef", actor, product, io.BytesIO(DEALS_CSV.encode()), "deals.csv"
        )
        run = runs.start_run("vvisitor-one-abcdef", actor, dataset, product, MAPPING, {})
        _db.session.commit()
        ids = dataset.sandbox_id, run.sandbox_id
    assert _wait(app, ids[1]) == "succeeded"
    return ids


def test_completion_is_recorded_once_however_often_it_is_seen(app, owned):
    _, run_id = owned
    with app.test_request_context():
        run = _db.session.scalar(select(TrialRun))
        for _ in range(3):
            runs.refresh_run(run)
        _db.session.commit()
        events = _db.session.scalars(select(Event).where(Event.kind == "demo_completed")).all()
        assert len(events) == 1
        assert events[0].visitor_id == "visitor-one-abcdef"
        assert events[0].props == {"run_id": run_id, "recipe": "pipeline_lens", "rows": 6}
        assert run.state == "succeeded" and run.finished_at is not None


def test_the_worker_records_completion_when_nobody_watches(app, owned, runner):
    result = runner.invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert _db.session.scalar(select(TrialRun)).state == "succeeded"
        kinds = [e.kind for e in _db.session.scalars(select(Event).order_by(Event.id))]
        assert kinds == ["demo_uploaded", "demo_started", "demo_completed"]


def test_no_consent_means_no_events_but_the_trial_works(app, lens, make_user):
    owner = f"u{make_user(consent=False).id}"
    with app.test_request_context():
        product = _product(lens)
        dataset = datasets.upload_dataset(
            owner, None, product, io.BytesIO(DEALS_CSV.encode()), "deals.csv"
        )
        run = runs.start_run(owner, None, dataset, product, MAPPING, {})
        _db.session.commit()
        run_id = run.sandbox_id
    assert _wait(app, run_id) == "succeeded"
    with app.test_request_context():
        assert runs.sync_unfinished_runs() == 1
        assert _count(Event) == 0


def test_visitor_data_moves_to_the_user_on_sign_up(app, visitor, lens):
    ds = dataset_id_from(upload(visitor, lens, DEALS_CSV.encode()))
    run_id = run_id_from(visitor.post(f"/try/{lens}/datasets/{ds}/run", data=LENS_MAPPING))
    wait_for_run(visitor, run_id)
    response = sign_up(visitor, "robin@acme.example", name="Robin")
    assert response.status_code == 302
    assert "deals.csv" in visitor.get("/try/datasets").text
    assert visitor.get(f"/try/runs/{run_id}").status_code == 200
    with app.app_context():
        user = _db.session.scalar(select(User).where(User.email == "robin@acme.example"))
        dataset = _db.session.scalar(select(TrialDataset))
        run = _db.session.scalar(select(TrialRun))
        assert (dataset.owner_key, dataset.user_id) == (f"u{user.id}", user.id)
        assert (run.owner_key, run.user_id) == (f"u{user.id}", user.id)
    with app.test_request_context():
        info = datasets.dataset_info(dataset)
        assert info.owner_key == f"u{user.id}"


def test_visitor_data_moves_to_an_existing_user_on_login(app, visitor, lens, make_user):
    from tests.conftest import AuthActions

    user = make_user()
    ds = dataset_id_from(upload(visitor, lens, DEALS_CSV.encode()))
    assert AuthActions(visitor).login(user.email).status_code == 302
    page = visitor.get(f"/try/{lens}?dataset={ds}")
    assert page.status_code == 200
    with app.app_context():
        assert _db.session.scalar(select(TrialDataset)).owner_key == f"u{user.id}"


def test_erasing_a_user_deletes_their_files_and_rows(app, make_user, lens):
    from tests.conftest import AuthActions

    user = make_user()
    client = app.test_client()
    AuthActions(client).login(user.email)
    ds = dataset_id_from(upload(client, lens, DEALS_CSV.encode()))
    run_id = run_id_from(client.post(f"/try/{lens}/datasets/{ds}/run", data=LENS_MAPPING))
    wait_for_run(client, run_id)
    export = client.get("/account/data")
    data = json.loads(export.data)
    [exported] = data["trial_datasets"]
    assert exported["id"] == ds and exported["filename"] == "deals.csv"
    assert exported["runs"][0]["id"] == run_id and exported["runs"][0]["rows"] == 6

    store = app.config["SANDBOX_STORE"]
    assert any(ds in str(p) for p in files_under(store))
    response = client.post("/account/delete", data={"password": PASSWORD})
    assert response.status_code == 302
    assert not any(ds in str(p) or run_id in str(p) for p in files_under(store))
    with app.app_context():
        assert _count(TrialDataset) == 0 and _count(TrialRun) == 0


def test_purge_removes_expired_files_results_and_rows_only_when_expired(app, owned):
    ds, run_id = owned
    store = app.config["SANDBOX_STORE"]
    soon = datetime.now(UTC) + timedelta(hours=71)
    later = datetime.now(UTC) + timedelta(hours=72, minutes=1)
    with app.test_request_context():
        assert retention.purge_expired(now=soon)["dataset"] == 0
        assert _count(TrialDataset) == 1 and _count(TrialRun) == 1
        counts = retention.purge_expired(now=later)
        _db.session.commit()
        assert (counts["dataset"], counts["run"]) == (1, 1)
        assert _count(TrialDataset) == 0 and _count(TrialRun) == 0
    assert not any(ds in str(p) or run_id in str(p) for p in files_under(store))


def test_flask_purge_sandbox_deletes_expired_data(app, visitor, lens, runner):
    app.config["SANDBOX_TTL_HOURS"] = 0  # everything uploaded is already expired
    ds = dataset_id_from(upload(visitor, lens, DEALS_CSV.encode()))
    store = app.config["SANDBOX_STORE"]
    assert any(ds in str(p) for p in files_under(store))
    assert visitor.get(f"/try/{lens}?dataset={ds}").status_code == 404  # expired = gone
    result = runner.invoke(args=["purge-sandbox"])
    assert result.exit_code == 0, result.output
    assert "Purged 1 dataset(s)" in result.output
    assert not any(ds in str(p) for p in files_under(store))
    with app.app_context():
        assert _count(TrialDataset) == 0


def test_flask_purge_sandbox_keeps_live_data(app, visitor, lens, runner):
    ds = dataset_id_from(upload(visitor, lens, DEALS_CSV.encode()))
    result = runner.invoke(args=["purge-sandbox"])
    assert "Purged 0 dataset(s)" in result.output
    assert any(ds in str(p) for p in files_under(app.config["SANDBOX_STORE"]))
    assert visitor.get(f"/try/{lens}?dataset={ds}").status_code == 200


def test_deleting_a_dataset_whose_files_were_already_purged_still_removes_the_rows(app, owned):
    ds, _ = owned
    with app.test_request_context():
        dataset = _db.session.scalar(select(TrialDataset))
        sandbox.delete_dataset(get_store(), dataset.owner_key, ds)
        with pytest.raises(TrialNotFound):
            datasets.dataset_info(dataset)
        assert datasets.delete_dataset(dataset.owner_key, None, dataset) == 1
        _db.session.commit()
        assert _count(TrialDataset) == 0 and _count(TrialRun) == 0


def test_create_app_does_no_sandbox_io(tmp_path):
    from portal import create_app

    store = tmp_path / "store"
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SANDBOX_STORE": str(store)})
    assert not store.exists()
    assert "sandbox_queue" not in app.extensions


def test_closing_the_queue_leaves_no_worker_threads(app, owned):
    from portal.trials.sandbox_gateway import close_queue

    assert "sandbox_queue" in app.extensions
    # This app's pool threads (other tests' apps in the same process may still hold theirs).
    threads = list(app.extensions["sandbox_queue"]._pool._threads)
    assert threads
    close_queue(app)
    assert "sandbox_queue" not in app.extensions
    assert not [t for t in threads if t.is_alive()]


def test_withdrawing_consent_deletes_the_visitors_files_but_not_the_cart(app, visitor, lens):
    from portal.models import Cart, Plan

    dataset_id_from(upload(visitor, lens, DEALS_CSV.encode()))
    with app.app_context():
        plan_id = _db.session.scalar(select(Plan.id))
    assert visitor.post("/cart/items", data={"plan_id": plan_id, "quantity": 1}).status_code < 400
    store_files = [p for p in Path(app.config["SANDBOX_STORE"]).rglob("*") if p.is_file()]
    assert store_files
    assert visitor.post("/consent", data={"choice": "decline"}).status_code == 302
    assert not [p for p in Path(app.config["SANDBOX_STORE"]).rglob("*") if p.is_file()]
    with app.app_context():
        assert _count(TrialDataset) == 0
        # The cart is strictly necessary (the device's, not the tracked visitor's): it stays.
        assert _db.session.scalar(select(Cart)) is not None
