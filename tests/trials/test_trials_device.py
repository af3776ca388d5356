"""A visitor who declined tracking tries a product on their own file: the file belongs to the
device (a strictly necessary id, like the cart's), nothing is recorded, and signing up or in
gives the files and results to the account."""

from __future__ import annotations

import csv
import io

from sqlalchemy import func, select

from portal.extensions import db as _db
from portal.models import Event, TrialDataset, TrialRun, User
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


def win_rate(text: str) -> str:
    """The demo's win rate, from the file itself: won out of all closed deals."""
    results = [row["Result"] for row in csv.DictReader(io.StringIO(text))]
    won, lost = results.count("won"), results.count("lost")
    return f"{100 * won / (won + lost):.2f} %"


def declining(app):
    client = app.test_client()
    response = client.post("/consent", data={"choice": "decline", "next": "/"})
    assert response.status_code == 302
    return client


def journey_rows(app) -> int:
    with app.app_context():
        return _db.session.scalar(select(func.count()).select_from(Event))


def owners(app) -> set[str]:
    with app.app_context():
        keys = _db.session.scalars(select(TrialDataset.owner_key)).all()
        keys += _db.session.scalars(select(TrialRun.owner_key)).all()
        return set(keys)


def try_everything(client, lens: str) -> tuple[str, str]:
    """Upload, preview, re-type a column, run, see the result and download it."""
    ds = dataset_id_from(upload(client, lens, DEALS_CSV.encode()))
    page = client.get(f"/try/{lens}?dataset={ds}")
    assert page.status_code == 200 and "6 rows, 7 columns" in page.text
    retyped = client.post(
        f"/try/{lens}/datasets/{ds}/columns", data={"read_2": "decimal:decimal=.;thousands=,"}
    )
    assert retyped.status_code == 302
    assert "now read as you chose" in client.get(retyped.headers["Location"]).text
    run_id = run_id_from(client.post(f"/try/{lens}/datasets/{ds}/run", data=LENS_MAPPING))
    assert wait_for_run(client, run_id)["state"] == "succeeded"
    result = client.get(f"/try/runs/{run_id}")
    assert result.status_code == 200
    assert "Win rate" in result.text and win_rate(DEALS_CSV) in result.text
    assert client.get(f"/try/runs/{run_id}/result.csv").status_code == 200
    assert "deals.csv" in client.get("/try/datasets").text
    return ds, run_id


def test_declined_visitor_uploads_previews_retypes_runs_and_nothing_is_recorded(app, lens):
    client = declining(app)
    ds, run_id = try_everything(client, lens)
    assert client.get_cookie("td_vid") is None
    device = client.get_cookie("td_device").value
    assert owners(app) == {f"d{device}"}
    assert journey_rows(app) == 0
    # Deleting works the same way, still unrecorded.
    assert client.post(f"/try/datasets/{ds}/delete").status_code == 302
    assert client.get(f"/try/runs/{run_id}").status_code == 404
    assert journey_rows(app) == 0
    assert all(ds not in str(p) for p in files_under(app.config["SANDBOX_STORE"]))


def test_signing_up_gives_the_devices_files_and_results_to_the_account(app, lens):
    client = declining(app)
    ds, run_id = try_everything(client, lens)
    response = sign_up(client, "new@acme.example")
    assert response.status_code == 302
    with app.app_context():
        user = _db.session.scalar(select(User).where(User.email == "new@acme.example"))
        user_id = user.id
        assert user.tracking_consent is False  # the choice made on the banner is kept
        dataset = _db.session.scalar(select(TrialDataset).where(TrialDataset.sandbox_id == ds))
        assert (dataset.owner_key, dataset.user_id) == (f"u{user_id}", user_id)
    assert owners(app) == {f"u{user_id}"}
    listing = client.get("/try/datasets")
    assert "deals.csv" in listing.text and 'id="device-note"' not in listing.text
    result = client.get(f"/try/runs/{run_id}")
    assert result.status_code == 200 and win_rate(DEALS_CSV) in result.text
    assert client.get(f"/try/{lens}?dataset={ds}").status_code == 200
    assert journey_rows(app) == 0
    # Signed out again, the device owns nothing any more.
    client.post("/logout")
    assert client.get(f"/try/runs/{run_id}").status_code == 404


def test_signing_in_gives_the_devices_files_to_the_existing_user(app, lens, make_user):
    user = make_user(email="back@acme.example", consent=False)
    client = declining(app)
    ds = dataset_id_from(upload(client, lens, DEALS_CSV.encode()))
    response = client.post("/login", data={"email": "back@acme.example", "password": PASSWORD})
    assert response.status_code == 302
    assert owners(app) == {f"u{user.id}"}
    assert client.get(f"/try/{lens}?dataset={ds}").status_code == 200
    assert journey_rows(app) == 0
