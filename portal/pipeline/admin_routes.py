"""Admin pages of the pipeline, on its own blueprint: stage definitions (/admin/stages) and
outbound webhooks (/admin/webhooks)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import func, select

from portal.boundary import perform
from portal.bounds import MAX_ID, bounded_int, page_arg
from portal.extensions import db
from portal.journey.kinds import EVENT_KINDS
from portal.models import Deal, Stage, WebhookDelivery, WebhookEndpoint
from portal.pipeline import bp
from portal.pipeline import criteria_builder as builder
from portal.pipeline import outgoing_webhooks as webhooks
from portal.pipeline.criteria import METRICS, CriteriaError, parse, render
from portal.pipeline.criteria_preview import preview_criteria
from portal.pipeline.forms import StageForm, WebhookForm
from portal.pipeline.stages import delete_stage, list_stages, save_stage
from portal.pipeline.suggestions import FALLBACK, RULES
from portal.security import role_required


def _deal_counts() -> dict[int, int]:
    return dict(
        db.session.execute(select(Deal.stage_id, func.count()).group_by(Deal.stage_id)).all()
    )


def _stage_from_form(form: StageForm, stage: Stage | None):
    """Save the stage and commit; (stage, rebuilt), or None with the refusal on the form."""
    return perform(
        save_stage,
        stage,
        name=form.name.data,
        position=form.position.data,
        probability=form.probability.data,
        criteria_text=form.criteria.data or "",
        stalled_after_days=form.stalled_after_days.data,
        is_won=form.is_won.data,
        notify_on_entry=form.notify_on_entry.data,
        description=form.description.data or "",
        form=form,
        fallback_field="criteria",
    ).value


def _kinds_help() -> list[str]:
    return [*EVENT_KINDS, *METRICS]


@bp.route("/admin/stages", methods=["GET", "POST"])
@role_required("admin")
def stages():
    stages = list_stages()
    form = StageForm()
    if request.method == "GET":
        form.position.data = (max((s.position for s in stages), default=-1)) + 1
        form.probability.data = 50
        form.stalled_after_days.data = 14
    elif form.validate_on_submit():
        saved = _stage_from_form(form, None)
        if saved:
            flash(f"Stage {saved[0].name} added; every deal was recomputed.", "success")
            return redirect(url_for("pipeline.stages"))
    return render_template(
        "pipeline/stages.html",
        stages=stages,
        counts=_deal_counts(),
        form=form,
        kinds=_kinds_help(),
    ), (422 if form.errors else 200)


def _editor(text: str, source: str, error: str | None = None, moves=None) -> dict:
    """What the criteria editor shows: the builder's rows for ``text`` (None when the text
    says more than the builder can), the text, which of the two is edited, the preview."""
    groups = None
    if error is None:
        try:
            groups = builder.to_groups(parse(text))
        except CriteriaError as problem:
            error = str(problem)
    if groups is None:
        source = "text"
    return {
        "criteria_text": text,
        "criteria_from": source,
        "slots": builder.slots(groups or []) if groups is not None else None,
        "name_choices": builder.name_choices(),
        "operator_words": builder.OPERATOR_WORDS,
        "criteria_error": error,
        "moves": moves,
    }


def _posted_criteria() -> tuple[str, str]:
    """(criteria text, where it came from): the builder's rows or the advanced text."""
    if request.form.get("criteria_from") == "builder":
        return render(builder.from_groups(builder.parse_form(request.form))), "builder"
    return request.form.get("criteria", ""), "text"


@bp.post("/admin/stages/<int:stage_id>/preview")
@role_required("admin")
def stage_preview(stage_id: int):
    """The criteria editor again (htmx partial): both views in step, and which deals saving
    would move. Writes nothing."""
    stage = db.get_or_404(Stage, stage_id)
    text, source = request.form.get("criteria", ""), "text"
    try:
        text, source = _posted_criteria()
        position = bounded_int(request.form.get("position"), 0, MAX_ID)
        editor = _editor(text, source, moves=preview_criteria(stage, text, position))
    except CriteriaError as error:
        editor = _editor(text, source, error=str(error))
    return render_template(
        "pipeline/_criteria_editor.html", stage=stage, kinds=_kinds_help(), **editor
    )


@bp.route("/admin/stages/<int:stage_id>", methods=["GET", "POST"])
@role_required("admin")
def stage_edit(stage_id: int):
    stage = db.get_or_404(Stage, stage_id)
    form = StageForm(obj=stage)
    source = "builder"
    if request.method == "GET":
        form.criteria.data = stage.criteria
    else:
        try:
            form.criteria.data, source = _posted_criteria()
        except CriteriaError as error:
            form.criteria.errors = [str(error)]
    if request.method == "POST" and not form.criteria.errors and form.validate_on_submit():
        saved = _stage_from_form(form, stage)
        if saved:
            rebuilt = (
                " Criteria or order changed, so every deal was recomputed." if saved[1] else ""
            )
            flash(f"Stage {stage.name} saved.{rebuilt}", "success")
            return redirect(url_for("pipeline.stages"))
    editor = _editor(form.criteria.data or "", source, error=(form.criteria.errors or [None])[0])
    return render_template(
        "pipeline/stage_form.html", stage=stage, form=form, kinds=_kinds_help(), **editor
    ), (422 if form.errors else 200)


@bp.get("/admin/next-steps")
@role_required("admin")
def next_step_rules():
    """The situations and the next step each suggests, in the order they are tried."""
    return render_template("pipeline/next_steps.html", rules=RULES, fallback=FALLBACK)


@bp.post("/admin/stages/<int:stage_id>/delete")
@role_required("admin")
def stage_delete(stage_id: int):
    stage = db.get_or_404(Stage, stage_id)
    name = stage.name
    if not perform(delete_stage, stage, flash_category="warning"):
        return redirect(url_for("pipeline.stages"))
    flash(f"Stage {name} deleted; its deals moved to where their criteria put them.", "success")
    return redirect(url_for("pipeline.stages"))


@bp.route("/admin/webhooks", methods=["GET", "POST"], endpoint="webhooks")
@role_required("admin")
def webhooks_view():
    form = WebhookForm()
    if form.validate_on_submit():
        done = perform(
            webhooks.create_endpoint,
            form.url.data,
            form.description.data,
            form=form,
            fallback_field="url",
        )
        if done:
            flash("Endpoint added. Use its secret to verify our signatures.", "success")
            return redirect(url_for("pipeline.webhook", endpoint_id=done.value.id))
    endpoints = list(db.session.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.id)))
    stats = {
        (endpoint_id, status): n
        for endpoint_id, status, n in db.session.execute(
            select(WebhookDelivery.endpoint_id, WebhookDelivery.status, func.count()).group_by(
                WebhookDelivery.endpoint_id, WebhookDelivery.status
            )
        )
    }
    return render_template("pipeline/webhooks.html", form=form, endpoints=endpoints, stats=stats), (
        422 if form.errors else 200
    )


@bp.get("/admin/webhooks/<int:endpoint_id>")
@role_required("admin")
def webhook(endpoint_id: int):
    endpoint = db.get_or_404(WebhookEndpoint, endpoint_id)
    page = db.paginate(
        webhooks.deliveries_for(endpoint),
        page=page_arg(),
        per_page=30,
        error_out=False,
    )
    return render_template("pipeline/webhook.html", endpoint=endpoint, page=page)


@bp.post("/admin/webhooks/<int:endpoint_id>/toggle")
@role_required("admin")
def webhook_toggle(endpoint_id: int):
    endpoint = db.get_or_404(WebhookEndpoint, endpoint_id)
    perform(webhooks.toggle_endpoint, endpoint)
    flash(f"Endpoint {'enabled' if endpoint.is_active else 'paused'}.", "success")
    return redirect(url_for("pipeline.webhook", endpoint_id=endpoint.id))


@bp.post("/admin/webhooks/<int:endpoint_id>/delete")
@role_required("admin")
def webhook_delete(endpoint_id: int):
    endpoint = db.get_or_404(WebhookEndpoint, endpoint_id)
    perform(webhooks.delete_endpoint, endpoint)
    flash("Endpoint and its delivery log deleted.", "success")
    return redirect(url_for("pipeline.webhooks"))


@bp.post("/admin/webhooks/deliveries/<int:delivery_id>/retry")
@role_required("admin")
def webhook_retry(delivery_id: int):
    delivery = db.get_or_404(WebhookDelivery, delivery_id)
    perform(webhooks.retry, delivery)
    flash("Queued for another try; the worker sends it shortly.", "success")
    return redirect(url_for("pipeline.webhook", endpoint_id=delivery.endpoint_id))
