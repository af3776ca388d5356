"""Trial pages: read the form, call a service, render or redirect. Errors become 4xx pages
that keep what the person did."""

from __future__ import annotations

from flask import Response, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from portal.boundary import perform
from portal.catalog.services import active_product
from portal.extensions import csrf, db, limiter
from portal.journey.tracking import current_actor, remember_device, trial_owner_key, visitor_id
from portal.models import Product
from portal.trials import bp, datasets, readings, runs
from portal.trials.errors import TrialNotFound
from portal.trials.formatting import cell, filesize, kpi_value, number
from portal.trials.forms import (
    PARAM_PREFIX,
    DeleteDatasetForm,
    SampleForm,
    UploadForm,
    mapping_form,
    readings_form,
    sheet_form,
)
from portal.trials.runs import FAILURE_ADVICE

bp.add_app_template_filter(kpi_value, "kpi_value")
bp.add_app_template_filter(number, "number")
bp.add_app_template_filter(cell, "cell")
bp.add_app_template_filter(filesize, "filesize")

# Bytes of multipart overhead allowed on top of the file itself.
_FORM_OVERHEAD = 64 * 1024


def _upload_limit() -> str:
    return current_app.config["UPLOAD_RATE_LIMIT"]


@bp.after_request
def _remember_device(response):
    # Without consent a visitor's trial files belong to the device (strictly necessary).
    return remember_device(response)


def _on_device_only() -> bool:
    """Signed out and not tracked: the files are kept for this browser alone."""
    return not current_user.is_authenticated and visitor_id() is None


@bp.errorhandler(TrialNotFound)
def _not_found(error: TrialNotFound):
    """Someone else's (or an expired) dataset or run looks exactly like a missing one."""
    db.session.rollback()
    if request.accept_mimetypes.best == "application/json" or request.path.endswith("/status"):
        return jsonify(error="Not found", detail=error.message, status=404), 404
    return render_template(
        "errors/error.html", code=404, title="We couldn't find that", hint=error.message
    ), 404


def _product(slug: str) -> Product:
    product = active_product(slug)
    if product is None:
        raise TrialNotFound("We could not find that product.")
    datasets.recipe_for(product)
    return product


def _render_try(
    product: Product,
    status: int = 200,
    *,
    dataset=None,
    form=None,
    upload_form=None,
    upload_error: str | None = None,
    run_error: str | None = None,
    initial: dict | None = None,
    read_form=None,
):
    """The /try/<slug> page: upload, preview with each column's reading, mapping, settings."""
    owner = trial_owner_key()
    recipe = datasets.recipe_for(product)
    context = {
        "product": product,
        "recipe": recipe,
        "owner": owner,
        "on_device_only": _on_device_only(),
        # formdata=None: never re-read a request body that was refused or belongs elsewhere.
        "upload_form": upload_form or UploadForm(formdata=None),
        "sample_form": SampleForm(formdata=None),
        "upload_error": upload_error,
        "run_error": run_error,
        "max_bytes": current_app.config["SANDBOX_MAX_UPLOAD_BYTES"],
        "dataset": dataset,
        "datasets": [],
    }
    if owner:
        context["datasets"] = db.session.scalars(
            datasets.datasets_of(owner, product).limit(10)
        ).all()
    if dataset is not None:
        info = datasets.dataset_info(dataset)
        suggestions = runs.suggested_mapping(info, product)
        column_readings = readings.column_readings(info)
        context.update(
            info=info,
            suggestions=suggestions,
            readings=column_readings,
            read_form=read_form or readings_form(column_readings),
            sheet_form=sheet_form(info.sheets, info.sheet) if len(info.sheets) > 1 else None,
            form=form or mapping_form(recipe, info.columns, suggestions, initial),
        )
    return render_template("trials/try.html", **context), status


@bp.get("/try/<slug>")
def try_product(slug: str):
    product = _product(slug)
    dataset = None
    initial = None
    dataset_id = request.args.get("dataset")
    if dataset_id:
        dataset = datasets.find_dataset(trial_owner_key(), dataset_id)
        previous = request.args.get("run")
        if previous:
            run = runs.find_run(trial_owner_key(), previous)
            initial = dict(run.mapping)
            initial.update({PARAM_PREFIX + k: v for k, v in run.params.items()})
    return _render_try(product, dataset=dataset, initial=initial)


@bp.post("/try/<slug>/upload")
@limiter.limit(_upload_limit)
@csrf.exempt  # the form checks its own token, after the body size is capped below
def upload(slug: str):
    product = _product(slug)
    owner = trial_owner_key(create=True)
    # The authoritative size check: stop reading the body early, before parsing it.
    request.max_content_length = current_app.config["SANDBOX_MAX_UPLOAD_BYTES"] + _FORM_OVERHEAD
    try:
        form = UploadForm()
        valid = form.validate_on_submit()
    except RequestEntityTooLarge:
        perform(datasets.record_rejected_upload, current_actor(), product, "too_large")
        return _render_try(
            product,
            413,
            upload_error=f"The file is larger than "
            f"{filesize(current_app.config['SANDBOX_MAX_UPLOAD_BYTES'])}. Upload a smaller "
            "extract (for example the last 12 months) or split it.",
        )
    if not valid:
        return _render_try(product, 422, upload_form=form)
    file = form.file.data
    try:
        done = perform(
            datasets.upload_dataset,
            owner,
            current_actor(),
            product,
            file.stream,
            file.filename or "",
            let_through=(TrialNotFound,),
        )
    finally:
        file.close()  # the engine saved its own copy; a big upload's spool file goes now
    if not done:
        reason = getattr(done.error, "code", "")
        perform(datasets.record_rejected_upload, current_actor(), product, reason)
        return _render_try(product, done.status, upload_form=form, upload_error=done.message)
    dataset = done.value
    flash(f"'{dataset.filename}' is uploaded: {dataset.rows:,} rows. Check the columns.", "success")
    return redirect(url_for("trials.try_product", slug=slug, dataset=dataset.sandbox_id))


@bp.post("/try/<slug>/sample")
def use_sample(slug: str):
    product = _product(slug)
    owner = trial_owner_key(create=True)
    if not SampleForm().validate_on_submit():
        return _render_try(product, 400, upload_error="The form expired. Please try again.")
    done = perform(datasets.add_sample_dataset, owner, current_actor(), product)
    if not done:
        return _render_try(product, done.status, upload_error=done.message)
    dataset = done.value
    flash("Our sample data is ready. The columns are already mapped: press Run.", "success")
    return redirect(url_for("trials.try_product", slug=slug, dataset=dataset.sandbox_id))


@bp.post("/try/<slug>/datasets/<dataset_id>/columns")
def change_readings(slug: str, dataset_id: str):
    """Read some columns another way (day-first dates, decimal comma, …) without re-uploading."""
    product = _product(slug)
    dataset = datasets.find_dataset(trial_owner_key(), dataset_id)
    column_readings = readings.column_readings(datasets.dataset_info(dataset))
    form = readings_form(column_readings, formdata=request.form)
    if not form.validate_on_submit():
        return _render_try(product, 422, dataset=dataset, read_form=form)
    chosen = form.overrides(column_readings)
    if not chosen:
        flash("Nothing changed: every column is read as before.", "info")
        return redirect(url_for("trials.try_product", slug=slug, dataset=dataset_id))
    overrides = readings.with_same_layout(column_readings, chosen)
    done = perform(readings.retype_dataset, dataset, overrides, form=form)
    if not done:
        return _render_try(product, done.status, dataset=dataset, read_form=form)
    names = ", ".join(f"'{name}'" for name in chosen)
    followed = ", ".join(f"'{name}'" for name in overrides if name not in chosen)
    also = f" So is {followed}, which was read in the same layout." if followed else ""
    verb = "is" if len(chosen) == 1 else "are"
    flash(
        f"Done: {names} {verb} now read as you chose.{also} Check the preview, then run.", "success"
    )
    return redirect(url_for("trials.try_product", slug=slug, dataset=dataset_id))


@bp.post("/try/<slug>/datasets/<dataset_id>/sheet")
def change_sheet(slug: str, dataset_id: str):
    """Read another sheet of the uploaded workbook, without uploading it again."""
    _product(slug)  # an unknown product, or one without a demo, is a 404
    dataset = datasets.find_dataset(trial_owner_key(), dataset_id)
    info = datasets.dataset_info(dataset)
    form = sheet_form(info.sheets, info.sheet, formdata=request.form)
    if not form.validate_on_submit():
        flash("Choose one of the workbook's sheets.", "warning")
        return redirect(url_for("trials.try_product", slug=slug, dataset=dataset_id)), 303
    done = perform(readings.read_other_sheet, dataset, form.sheet.data, flash_category="warning")
    if done:
        flash(f"Now reading sheet '{form.sheet.data}': {done.value.rows:,} rows.", "success")
    return redirect(url_for("trials.try_product", slug=slug, dataset=dataset_id)), 303


@bp.post("/try/<slug>/datasets/<dataset_id>/run")
def start_run(slug: str, dataset_id: str):
    product = _product(slug)
    owner = trial_owner_key()
    dataset = datasets.find_dataset(owner, dataset_id)
    recipe = datasets.recipe_for(product)
    info = datasets.dataset_info(dataset)
    suggestions = runs.suggested_mapping(info, product)
    form = mapping_form(recipe, info.columns, suggestions, formdata=request.form)
    if not form.validate_on_submit():
        return _render_try(product, 422, dataset=dataset, form=form)
    done = perform(
        runs.start_run,
        owner,
        current_actor(),
        dataset,
        product,
        form.mapping(),
        form.params(),
        let_through=(TrialNotFound,),
    )
    if not done:
        return _render_try(product, done.status, dataset=dataset, form=form, run_error=done.message)
    return redirect(url_for("trials.run", run_id=done.value.sandbox_id))


@bp.get("/try/runs/<run_id>")
def run(run_id: str):
    trial_run = runs.find_run(trial_owner_key(), run_id)
    status = perform(runs.refresh_run, trial_run, let_through=(TrialNotFound,)).value
    result = runs.run_result(trial_run) if status.state == "succeeded" else None
    product = trial_run.product
    plans = [p for p in product.plans if p.is_active][:3] if product else []
    return render_template(
        "trials/run.html",
        run=trial_run,
        status=status,
        result=result,
        product=product,
        plans=plans,
        advice=FAILURE_ADVICE.get(status.error_category or "", ""),
    )


@bp.get("/try/runs/<run_id>/status")
def run_status(run_id: str):
    trial_run = runs.find_run(trial_owner_key(), run_id)
    status = perform(runs.refresh_run, trial_run, let_through=(TrialNotFound,)).value
    return jsonify(
        state=status.state,
        step=status.step,
        percent=status.percent,
        done=status.done,
        error=status.error,
        advice=FAILURE_ADVICE.get(status.error_category or "", ""),
    )


@bp.get("/try/runs/<run_id>/result.<fmt>")
def download_result(run_id: str, fmt: str):
    if fmt not in ("csv", "json"):
        raise TrialNotFound("We can export results as CSV or JSON.")
    trial_run = runs.find_run(trial_owner_key(), run_id)
    done = perform(
        runs.export_result,
        current_actor(),
        trial_run,
        fmt,
        flash_category="warning",
        let_through=(TrialNotFound,),
    )
    if not done:
        return redirect(url_for("trials.run", run_id=run_id)), 303
    body, mimetype = done.value
    name = f"{trial_run.recipe}-{trial_run.sandbox_id}.{fmt}"
    return Response(
        body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@bp.get("/try/datasets")
def my_datasets():
    owner = trial_owner_key()
    if owner is None:
        return render_template("trials/datasets.html", owner=None, on_device_only=True)
    page = db.paginate(datasets.datasets_of(owner), per_page=20, error_out=False)
    perform(runs.refresh_runs_of, page.items)
    return render_template(
        "trials/datasets.html",
        owner=owner,
        on_device_only=_on_device_only(),
        page=page,
        usage=datasets.usage(owner),
        delete_form=DeleteDatasetForm(),
    )


@bp.post("/try/datasets/<dataset_id>/delete")
def delete_dataset(dataset_id: str):
    owner = trial_owner_key()
    dataset = datasets.find_dataset(owner, dataset_id)
    if not DeleteDatasetForm().validate_on_submit():
        flash("The form expired. Please try again.", "warning")
        return redirect(url_for("trials.my_datasets"))
    filename = dataset.filename
    done = perform(
        datasets.delete_dataset, owner, current_actor(), dataset, let_through=(TrialNotFound,)
    )
    count = done.value
    results = f" and {count} demo result{'s' if count != 1 else ''}" if count else ""
    flash(f"'{filename}'{results} deleted. Nothing of it is left on our servers.", "success")
    return redirect(url_for("trials.my_datasets"))
