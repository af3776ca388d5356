"""The trial pages: who may try, bad uploads, mapping errors, a run from upload to download,
deletion, and another visitor's data being invisible on every route."""

from __future__ import annotations

import io
import random
import re
import zipfile

import pytest
from sqlalchemy import select

from portal.extensions import db as _db
from portal.models import Event, TrialDataset, TrialRun
from portal.trials.sandbox_gateway import get_store
from sandbox import RunQueue
from tests.trials.conftest import (
    DEALS_CSV,
    LENS_MAPPING,
    accept_tracking,
    dataset_id_from,
    files_under,
    run_id_from,
    upload,
    wait_for_run,
)


def kinds(db) -> list[str]:
    return [e.kind for e in db.session.scalars(select(Event).order_by(Event.id))]


# --- who may try -------------------------------------------------------------------------


def test_visitor_without_consent_may_try_on_this_device_and_nothing_is_recorded(client, lens, app):
    """No consent, not signed in: the file is the device's (strictly necessary), untracked."""
    page = client.get(f"/try/{lens}")
    assert page.status_code == 200
    assert "kept privately for this browser" in page.text
    assert "Accept and try it" not in page.text and "First, let us keep" not in page.text
    assert page.text.count('id="device-note"') == 1  # one message, with sign-up and sign-in
    assert "/signup" in page.text and "/login" in page.text
    response = upload(client, lens, DEALS_CSV.encode())
    assert response.status_code == 302
    assert client.get_cookie("td_device") is not None
    assert client.get_cookie("td_vid") is None
    assert client.post(f"/try/{lens}/sample").status_code == 302
    listing = client.get("/try/datasets")
    assert "deals.csv" in listing.text and 'id="device-note"' in listing.text
    assert len(files_under(app.config["SANDBOX_STORE"])) > 0
    with app.app_context():
        keys = {d.owner_key for d in _db.session.scalars(select(TrialDataset))}
        assert len(keys) == 1 and next(iter(keys)).startswith("d")
        assert _db.session.scalar(select(Event)) is None


def test_accepting_from_the_try_page_comes_back_to_it(client, lens):
    response = client.post("/consent", data={"choice": "accept", "next": f"/try/{lens}"})
    assert response.headers["Location"].endswith(f"/try/{lens}")
    page = client.get(f"/try/{lens}")
    assert "First, let us keep your file yours" not in page.text
    assert 'id="upload-form"' in page.text
    assert 'data-max-bytes="' in page.text


def test_signed_in_user_without_tracking_consent_may_try_and_nothing_is_recorded(
    app, make_user, auth, client, lens, db
):
    user = make_user(consent=False)
    auth.login(user.email)
    response = upload(client, lens, DEALS_CSV.encode())
    assert response.status_code == 302
    dataset = db.session.scalar(select(TrialDataset))
    assert dataset.owner_key == f"u{user.id}"
    assert dataset.user_id == user.id
    assert kinds(db) == []


def test_unknown_product_or_product_without_demo_is_404(visitor, app, db):
    from tests.factories import make_product

    make_product(slug="no-demo", recipe=None)
    db.session.commit()
    assert visitor.get("/try/nope").status_code == 404
    response = visitor.get("/try/no-demo")
    assert response.status_code == 404
    assert "has no demo to try yet" in response.text


# --- bad uploads -------------------------------------------------------------------------


def _zip_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("hello.txt", "hi")
    return buf.getvalue()


def garbage(seed: int) -> bytes:
    return bytes(random.Random(seed).randrange(256) for _ in range(4000))


WIDE = (",".join(f"c{i}" for i in range(12)) + "\n" + ",".join("1" * 12) + "\n").encode()

BAD_UPLOADS = {
    "empty": (b"", "deals.csv", "The file is empty"),
    "header only": (b"a,b\n", "deals.csv", "no rows of data"),
    "binary garbage": (garbage(2), "deals.csv", "does not look like text"),
    # The engine reads some random bytes as a one-line "header" (reported to its owner).
    "binary garbage read as a header": (garbage(1), "deals.csv", "upload it again"),
    "image renamed .csv": (b"\x89PNG\r\n\x1a\n" + b"\x00" * 200, "deals.csv", "PNG image"),
    "old excel": (b"\xd0\xcf\x11\xe0" + b"\x00" * 200, "deals.xls", "old Excel"),
    "zip renamed .xlsx": (_zip_bytes(), "deals.xlsx", "not an Excel workbook"),
    "ragged rows": (b"a,b,c\n1,2,3\n4,5\n6,7,8,9,10\n", "deals.csv", "same number of values"),
    "too many columns": (WIDE, "wide.csv", "12 columns; the demo accepts up to 10"),
    "broken json": (b'{"a": [1, 2', "deals.json", "not valid JSON"),
}


@pytest.mark.parametrize("case", list(BAD_UPLOADS))
def test_bad_uploads_get_a_clear_422_and_leave_nothing(visitor, lens, app, db, case):
    app.config["SANDBOX_MAX_COLUMNS"] = 10
    data, filename, message = BAD_UPLOADS[case]
    response = upload(visitor, lens, data, filename)
    assert response.status_code == 422
    assert message in response.text
    assert 'id="upload-error"' in response.text and 'role="alert"' in response.text
    assert 'aria-invalid="true"' in response.text
    assert db.session.scalar(select(TrialDataset)) is None
    assert files_under(app.config["SANDBOX_STORE"]) == []


def test_no_file_chosen_is_a_field_error(visitor, lens):
    response = visitor.post(f"/try/{lens}/upload", data={}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Choose a file to upload." in response.text


def test_a_path_as_file_name_keeps_only_the_name(visitor, lens, app, db):
    response = upload(visitor, lens, DEALS_CSV.encode(), "..\\..\\etc\\deals.csv")
    assert response.status_code == 302
    dataset = db.session.scalar(select(TrialDataset))
    assert "/" not in dataset.filename and "\\" not in dataset.filename
    store = app.config["SANDBOX_STORE"]
    assert all(str(p).startswith(store) and ".." not in str(p) for p in files_under(store))


def test_oversize_upload_is_413_from_the_engine_and_from_the_body_cap(visitor, lens, app):
    app.config["SANDBOX_MAX_UPLOAD_BYTES"] = 1000
    slightly = upload(visitor, lens, DEALS_CSV.encode() * 20)
    assert slightly.status_code == 413
    assert "larger than 1000 bytes" in slightly.text
    huge = upload(visitor, lens, b"a,b\n" + b"1,2\n" * 50_000)
    assert huge.status_code == 413
    assert "larger than 1000 bytes" in huge.text
    assert 'data-max-bytes="1000"' in huge.text  # the browser check uses the same limit
    assert files_under(app.config["SANDBOX_STORE"]) == []


def test_upload_without_csrf_token_is_refused(visitor, lens, db):
    response = visitor.post(
        f"/try/{lens}/upload",
        data={"file": (io.BytesIO(DEALS_CSV.encode()), "deals.csv")},
        content_type="multipart/form-data",
        csrf=False,
    )
    assert response.status_code == 422
    assert db.session.scalar(select(TrialDataset)) is None


# --- preview, mapping, running -----------------------------------------------------------


def _upload_deals(client, slug, filename: str = "deals.csv") -> str:
    response = upload(client, slug, DEALS_CSV.encode(), filename)
    assert response.status_code == 302
    return dataset_id_from(response)


def test_preview_shows_rows_types_and_preselected_suggestions(visitor, lens):
    ds = _upload_deals(visitor, lens)
    page = visitor.get(f"/try/{lens}?dataset={ds}")
    assert page.status_code == 200
    assert "6 rows, 7 columns" in page.text
    assert re.search(r"Value<br><span[^>]*>integer</span>", page.text)
    assert '<option selected value="Phase">' in page.text  # stage ← Phase (suggested)
    assert '<option selected value="Value">' in page.text
    assert re.search(r'<select[^>]*id="map_stage"[^>]*required', page.text)
    assert 'name="param_stall_days"' in page.text


def test_missing_required_column_keeps_the_form_and_says_which(visitor, lens):
    ds = _upload_deals(visitor, lens)
    data = dict(LENS_MAPPING, map_amount="", map_owner="Rep")
    response = visitor.post(f"/try/{lens}/datasets/{ds}/run", data=data)
    assert response.status_code == 422
    assert "Choose a column for &#39;Amount&#39;." in response.text
    assert 'id="map_amount-error"' in response.text
    assert '<option selected value="Rep">' in response.text  # what the person chose is kept


def test_column_of_the_wrong_type_is_a_422_in_plain_words(visitor, lens, db):
    ds = _upload_deals(visitor, lens)
    data = dict(LENS_MAPPING, map_amount="Opened")
    response = visitor.post(f"/try/{lens}/datasets/{ds}/run", data=data)
    assert response.status_code == 422
    assert "needs numbers, but column &#39;Opened&#39; holds date values" in response.text
    assert db.session.scalar(select(TrialRun)) is None


@pytest.mark.parametrize(
    "change, message",
    [
        ({"map_stage": "NoSuchColumn"}, "Not a valid choice"),
        ({"param_stall_days": "0"}, "Number must be between 1 and 365"),
        ({"param_stall_days": "soon"}, "Not a valid integer value"),
    ],
)
def test_bad_choices_and_settings_are_422(visitor, lens, change, message):
    ds = _upload_deals(visitor, lens)
    response = visitor.post(f"/try/{lens}/datasets/{ds}/run", data=dict(LENS_MAPPING, **change))
    assert response.status_code == 422
    assert message in response.text


def test_upload_map_run_result_and_downloads(visitor, lens, db):
    ds = _upload_deals(visitor, lens)
    response = visitor.post(f"/try/{lens}/datasets/{ds}/run", data=LENS_MAPPING)
    run_id = run_id_from(response)
    status = wait_for_run(visitor, run_id)
    assert status["state"] == "succeeded" and status["percent"] == 100

    page = visitor.get(f"/try/runs/{run_id}")
    assert page.status_code == 200
    assert "Key figures" in page.text
    assert "Win rate" in page.text and "66.67 %" in page.text
    assert "Won deals out of all closed deals" in page.text  # the plain-language explanation
    assert page.text.count('<canvas class="trial-chart"') >= 1
    assert '<script type="application/json" id="chart-spec-1">' in page.text
    assert "chart.umd.min.js" in page.text
    assert "<script>" not in page.text  # CSP: no inline scripts
    assert f"run={run_id}" in page.text  # run again with another mapping

    csv = visitor.get(f"/try/runs/{run_id}/result.csv")
    assert csv.status_code == 200
    assert csv.headers["Content-Type"] == "text/csv; charset=utf-8"  # one charset, not two
    assert "attachment" in csv.headers["Content-Disposition"]
    assert csv.text.startswith("KPI,Value,Unit,Explanation")
    as_json = visitor.get(f"/try/runs/{run_id}/result.json")
    assert as_json.json["recipe"] == "pipeline_lens" and as_json.json["rows"] == 6

    run = db.session.scalar(select(TrialRun))
    assert (run.state, run.rows, run.mapping["amount"]) == ("succeeded", 6, "Value")
    assert kinds(db) == [
        "demo_uploaded",
        "demo_started",
        "demo_completed",
        "demo_result_downloaded",
        "demo_result_downloaded",
    ]
    completed = db.session.scalar(select(Event).where(Event.kind == "demo_completed"))
    assert completed.props == {"run_id": run_id, "recipe": "pipeline_lens", "rows": 6}
    assert completed.product_id == run.product_id


def test_run_again_prefills_the_previous_mapping(visitor, lens):
    ds = _upload_deals(visitor, lens)
    data = dict(LENS_MAPPING, map_owner="", param_stall_days="45")
    run_id = run_id_from(visitor.post(f"/try/{lens}/datasets/{ds}/run", data=data))
    page = visitor.get(f"/try/{lens}?dataset={ds}&run={run_id}")
    assert page.status_code == 200
    assert re.search(r'id="map_owner"[^>]*><option selected value="">', page.text)
    assert 'value="45"' in page.text
    wait_for_run(visitor, run_id)


def test_text_in_a_number_column_fails_the_run_with_row_and_example(visitor, lens, db):
    ds = _upload_deals(visitor, lens)
    data = dict(LENS_MAPPING, map_amount="Rep", map_owner="")
    run_id = run_id_from(visitor.post(f"/try/{lens}/datasets/{ds}/run", data=data))
    status = wait_for_run(visitor, run_id)
    assert status["state"] == "failed"
    assert status["error"].startswith("Column 'Rep' has text in 6 rows, for example row 1: 'Ann'")
    page = visitor.get(f"/try/runs/{run_id}")
    assert "The demo could not finish" in page.text
    assert "Run again with another mapping" in page.text
    assert visitor.get(f"/try/runs/{run_id}/result.csv").status_code == 303
    failed = db.session.scalar(select(Event).where(Event.kind == "demo_failed"))
    assert failed.props["reason"] == "bad_data"


def test_sample_dataset_in_one_click(visitor, doctor, db):
    response = visitor.post(f"/try/{doctor}/sample")
    ds = dataset_id_from(response)
    page = visitor.get(response.headers["Location"])
    assert "sample-data-doctor.csv" in page.text
    assert "there is nothing to match" in page.text
    run_id = run_id_from(visitor.post(f"/try/{doctor}/datasets/{ds}/run", data={}))
    assert wait_for_run(visitor, run_id)["state"] == "succeeded"
    assert "Quality score" in visitor.get(f"/try/runs/{run_id}").text
    uploaded = db.session.scalar(select(Event).where(Event.kind == "demo_uploaded"))
    assert uploaded.props["sample"] == 1


def test_status_endpoint_is_json(visitor, lens):
    ds = _upload_deals(visitor, lens)
    run_id = run_id_from(visitor.post(f"/try/{lens}/datasets/{ds}/run", data=LENS_MAPPING))
    status = visitor.get(f"/try/runs/{run_id}/status")
    assert status.status_code == 200
    assert set(status.json) >= {"state", "step", "percent", "done", "error"}
    wait_for_run(visitor, run_id)


# --- my datasets and deletion -------------------------------------------------------------


def test_my_datasets_lists_files_runs_and_expiry(visitor, lens):
    empty = visitor.get("/try/datasets")
    assert "No files yet" in empty.text
    ds = _upload_deals(visitor, lens)
    run_id = run_id_from(visitor.post(f"/try/{lens}/datasets/{ds}/run", data=LENS_MAPPING))
    wait_for_run(visitor, run_id)
    page = visitor.get("/try/datasets")
    assert "deals.csv" in page.text
    assert "deleted automatically in 2 days" in page.text  # 72 h, minus a moment
    assert f"/try/runs/{run_id}" in page.text
    assert "Delete now" in page.text


def test_delete_removes_files_results_and_rows(visitor, lens, app, db):
    ds = _upload_deals(visitor, lens)
    run_id = run_id_from(visitor.post(f"/try/{lens}/datasets/{ds}/run", data=LENS_MAPPING))
    wait_for_run(visitor, run_id)
    visitor.get(f"/try/runs/{run_id}")
    store = app.config["SANDBOX_STORE"]
    stored = [str(p) for p in files_under(store)]
    assert any(ds in p for p in stored) and any(run_id in p for p in stored)

    response = visitor.post(f"/try/datasets/{ds}/delete", follow_redirects=True)
    assert response.status_code == 200
    assert "&#39;deals.csv&#39; and 1 demo result deleted" in response.text
    assert not any(ds in str(p) or run_id in str(p) for p in files_under(store))
    assert db.session.scalar(select(TrialDataset)) is None
    assert db.session.scalar(select(TrialRun)) is None
    assert visitor.get(f"/try/runs/{run_id}").status_code == 404
    assert kinds(db)[-1] == "dataset_deleted"


def test_delete_needs_the_csrf_token(visitor, lens, db):
    ds = _upload_deals(visitor, lens)
    response = visitor.post(f"/try/datasets/{ds}/delete", csrf=False)
    assert response.status_code == 400
    assert db.session.scalar(select(TrialDataset)) is not None


# --- one prospect never sees another's data ----------------------------------------------


def _every_route(slug: str, ds: str, run_id: str, own_ds: str | None = None):
    """(method, url) for every trials route that names a dataset or a run."""
    return [
        ("GET", f"/try/{slug}?dataset={ds}"),
        ("GET", f"/try/{slug}?dataset={own_ds or ds}&run={run_id}"),
        ("POST", f"/try/{slug}/datasets/{ds}/run"),
        ("POST", f"/try/{slug}/datasets/{ds}/columns"),
        ("POST", f"/try/{slug}/datasets/{ds}/sheet"),
        ("GET", f"/try/runs/{run_id}"),
        ("GET", f"/try/runs/{run_id}/status"),
        ("GET", f"/try/runs/{run_id}/result.csv"),
        ("GET", f"/try/runs/{run_id}/result.json"),
        ("POST", f"/try/datasets/{ds}/delete"),
    ]


def _assert_all_404(client, routes):
    for method, url in routes:
        response = client.open(url, method=method, data=LENS_MAPPING if method == "POST" else None)
        assert response.status_code == 404, (method, url, response.status_code)
        assert "deals.csv" not in response.text


# These tests hold no app context between requests (no ``db`` fixture): a request reuses an
# active app context and its ``g``, where Flask-Login caches the signed-in user.


def test_another_visitors_dataset_and_run_are_404_everywhere(
    visitor, other_visitor, client, lens, app
):
    ds = _upload_deals(visitor, lens)
    run_id = run_id_from(visitor.post(f"/try/{lens}/datasets/{ds}/run", data=LENS_MAPPING))
    wait_for_run(visitor, run_id)
    own_ds = _upload_deals(other_visitor, lens, "mine.csv")
    _assert_all_404(other_visitor, _every_route(lens, ds, run_id, own_ds))
    _assert_all_404(client, _every_route(lens, ds, run_id))  # no consent, no device yet
    assert "deals.csv" in visitor.get("/try/datasets").text  # (and its flash is shown)
    assert visitor.get(f"/try/runs/{run_id}").status_code == 200
    # A visitor who declined tracking owns their device's files, and no one else's.
    declined = app.test_client()
    declined.post("/consent", data={"choice": "decline", "next": "/"})
    device_ds = _upload_deals(declined, lens)
    assert "deals.csv" in declined.get("/try/datasets").text
    _assert_all_404(declined, _every_route(lens, ds, run_id, device_ds))
    device_run = run_id_from(
        declined.post(f"/try/{lens}/datasets/{device_ds}/run", data=LENS_MAPPING)
    )
    wait_for_run(declined, device_run)
    _assert_all_404(visitor, _every_route(lens, device_ds, device_run, ds))
    _assert_all_404(other_visitor, _every_route(lens, device_ds, device_run, own_ds))
    _assert_all_404(client, _every_route(lens, device_ds, device_run))
    assert any(ds in str(p) for p in files_under(app.config["SANDBOX_STORE"]))
    with app.app_context():
        owners = {d.sandbox_id: d.owner_key for d in _db.session.scalars(select(TrialDataset))}
    assert len(owners) == 3 and len(set(owners.values())) == 3
    assert owners[device_ds].startswith("d")


def test_another_users_dataset_and_run_are_404_everywhere(app, make_user, lens):
    from tests.conftest import AuthActions

    clients = []
    for _ in range(2):
        client = app.test_client()
        AuthActions(client).login(make_user().email)
        clients.append(client)
    alice, bob = clients
    ds = _upload_deals(alice, lens)
    run_id = run_id_from(alice.post(f"/try/{lens}/datasets/{ds}/run", data=LENS_MAPPING))
    wait_for_run(alice, run_id)
    own_ds = _upload_deals(bob, lens, "mine.csv")
    _assert_all_404(bob, _every_route(lens, ds, run_id, own_ds))
    assert "deals.csv" in alice.get("/try/datasets").text
    assert "deals.csv" not in bob.get("/try/datasets").text
    with app.app_context():
        owners = {d.filename: d.owner_key for d in _db.session.scalars(select(TrialDataset))}
    assert owners["deals.csv"] != owners["mine.csv"]


def test_malformed_ids_are_404(visitor, lens):
    for url in ("/try/runs/..%2F..%2Fetc", "/try/runs/run_x/status", f"/try/{lens}?dataset=../x"):
        assert visitor.get(url).status_code == 404


# --- quotas ---------------------------------------------------------------------------------


def test_uploads_per_hour_quota_is_429_with_a_clear_message(visitor, lens, app, db):
    app.config["TRIAL_UPLOADS_PER_HOUR"] = 2
    _upload_deals(visitor, lens)
    _upload_deals(visitor, lens)
    response = upload(visitor, lens, DEALS_CSV.encode())
    assert response.status_code == 429
    assert "You have uploaded 2 files in the last hour" in response.text
    assert visitor.post(f"/try/{lens}/sample").status_code == 429
    assert len(db.session.scalars(select(TrialDataset)).all()) == 2


def test_storage_quota_is_429(visitor, lens, app, db):
    _upload_deals(visitor, lens)
    stored = db.session.scalar(select(TrialDataset)).size_bytes  # what the dataset stores
    app.config["TRIAL_MAX_BYTES_PER_OWNER"] = stored + 10
    response = upload(visitor, lens, DEALS_CSV.encode())
    assert response.status_code == 429
    assert "Delete a dataset you no longer need" in response.text


class ParkedQueue(RunQueue):
    """A queue whose runs wait forever: they stay "queued" like runs behind a busy worker."""

    def _dispatch(self, run_id: str) -> None:
        pass


def test_concurrent_runs_quota_is_429_and_keeps_the_mapping(visitor, lens, app, db):
    app.config["TRIAL_CONCURRENT_RUNS"] = 1
    app.extensions["sandbox_queue"] = ParkedQueue(get_store(app))
    ds = _upload_deals(visitor, lens)
    first = visitor.post(f"/try/{lens}/datasets/{ds}/run", data=LENS_MAPPING)
    assert first.status_code == 302
    assert db.session.scalar(select(TrialRun)).state == "queued"
    page = visitor.get(first.headers["Location"])
    assert "Running the demo on your data" in page.text
    assert 'data-status-url="' in page.text
    response = visitor.post(f"/try/{lens}/datasets/{ds}/run", data=dict(LENS_MAPPING))
    assert response.status_code == 429
    assert "You already have 1 demo running" in response.text
    assert '<option selected value="Phase">' in response.text


def test_accepting_later_another_visitor_gets_no_access(client, visitor, lens):
    ds = _upload_deals(visitor, lens)
    accept_tracking(client)
    assert client.get(f"/try/{lens}?dataset={ds}").status_code == 404


HOSTILE = (
    "Deal,Phase,Value,Opened,Closed,Result,Rep\n"
    'D1,=HYPERLINK("http://evil.example"),1000,2024-01-02,,open,Ann\n'
    "D2,</script><script>alert(1)</script>,2500,2024-01-05,,open,Bob\n"
    "D3,Closed Won,4000,2024-01-03,2024-02-01,won,Ann\n"
    "D4,Closed Lost,1500,2024-01-04,2024-02-11,lost,Bob\n"
)


def test_hostile_cell_values_stay_data_in_the_page_and_the_csv(visitor, lens):
    ds = dataset_id_from(upload(visitor, lens, HOSTILE.encode()))
    preview = visitor.get(f"/try/{lens}?dataset={ds}")
    assert "<script>alert(1)" not in preview.text
    run_id = run_id_from(visitor.post(f"/try/{lens}/datasets/{ds}/run", data=LENS_MAPPING))
    assert wait_for_run(visitor, run_id)["state"] == "succeeded"
    page = visitor.get(f"/try/runs/{run_id}")
    assert "<script>alert(1)" not in page.text
    assert "\\u003c/script\\u003e" in page.text  # the chart spec JSON escapes it
    csv = visitor.get(f"/try/runs/{run_id}/result.csv").text
    assert "'=HYPERLINK" in csv
    assert not any(cell.startswith("=") for line in csv.splitlines() for cell in line.split(","))


def test_next_steps_link_compare_testimonials_and_add_to_cart_when_those_areas_exist(app, lens):
    # Stand-ins for endpoints of areas that are not installed (same names, so the page finds
    # them); the real areas' routes are used when they exist.
    stand_ins = [
        ("/compare", "catalog.compare", lambda: "compare", ["GET"]),
        ("/products/<slug>/testimonials", "voices.testimonials", lambda slug: slug, ["GET"]),
        ("/cart/items", "commerce.add_item", lambda: "added", ["POST"]),
    ]
    for rule, endpoint, view, methods in stand_ins:
        if endpoint not in app.view_functions:
            app.add_url_rule(rule, endpoint, view, methods=methods)
    visitor = app.test_client()
    accept_tracking(visitor)
    ds = dataset_id_from(upload(visitor, lens, DEALS_CSV.encode()))
    run_id = run_id_from(visitor.post(f"/try/{lens}/datasets/{ds}/run", data=LENS_MAPPING))
    wait_for_run(visitor, run_id)
    page = visitor.get(f"/try/runs/{run_id}").text
    assert f'href="/compare?p={lens}"' in page
    assert f'href="/products/{lens}/testimonials"' in page
    form = re.search(r'<form action="/cart/items" method="post".*?</form>', page, re.S).group(0)
    assert re.search(r'name="plan_id" value="\d+"', form)
    assert 'name="quantity" value="1"' in form
    assert "Add Pipeline Lens Team to cart ($49.00)" in form
