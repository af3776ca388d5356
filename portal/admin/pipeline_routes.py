"""Admin pages of the pipeline: stage definitions (/admin/stages) and outbound webhooks."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import func, select

from portal.admin import bp
from portal.extensions import db
from portal.models import Deal, Stage, WebhookDelivery, WebhookEndpoint
from portal.pipeline import webhooks
from portal.pipeline.criteria import METRICS
from portal.pipeline.forms import StageForm, WebhookForm
from portal.pipeline.services import PipelineError, delete_stage, list_stages, save_stage
from portal.security import role_required


def _deal_counts() -> dict[int, int]:
    return dict(
        db.session.execute(select(Deal.stage_id, func.count()).group_by(Deal.stage_id)).all()
    )


def _stage_from_form(form: StageForm, stage: Stage | None):
    try:
        return save_stage(
            stage,
            name=form.name.data,
            position=form.position.data,
            probability=form.probability.data,
            criteria_text=form.criteria.data or "",
            stalled_after_days=form.stalled_after_days.data,
            is_won=form.is_won.data,
            notify_on_entry=form.notify_on_entry.data,
            description=form.description.data or "",
        )
    except PipelineError as error:
        db.session.rollback()
        target = {
            "name": form.name,
            "probability": form.probability,
            "criteria": form.criteria,
            "stalled": form.stalled_after_days,
        }.get(error.field or "", form.criteria)
        target.errors = [*target.errors, str(error)]
        return None


def _kinds_help() -> list[str]:
    from portal.journey.kinds import EVENT_KINDS

    return [*EVENT_KINDS, *METRICS]


@bp.route("/stages", methods=["GET", "POST"])
@role_required("admin")
def stages():
    list_stages()
    db.session.commit()  # the default stages, on first use
    stages = list_stages()
    form = StageForm()
    if request.method == "GET":
        form.position.data = (max((s.position for s in stages), default=-1)) + 1
        form.probability.data = 50
        form.stalled_after_days.data = 14
    elif form.validate_on_submit():
        saved = _stage_from_form(form, None)
        if saved:
            db.session.commit()
            flash(f"Stage {saved[0].name} added; every deal was recomputed.", "success")
            return redirect(url_for("admin.stages"))
    return render_template(
        "admin/stages.html",
        stages=stages,
        counts=_deal_counts(),
        form=form,
        kinds=_kinds_help(),
    ), (422 if form.errors else 200)


@bp.route("/stages/<int:stage_id>", methods=["GET", "POST"])
@role_required("admin")
def stage_edit(stage_id: int):
    stage = db.get_or_404(Stage, stage_id)
    form = StageForm(obj=stage)
    if request.method == "GET":
        form.criteria.data = stage.criteria
    elif form.validate_on_submit():
        saved = _stage_from_form(form, stage)
        if saved:
            db.session.commit()
            rebuilt = (
                " Criteria or order changed, so every deal was recomputed." if saved[1] else ""
            )
            flash(f"Stage {stage.name} saved.{rebuilt}", "success")
            return redirect(url_for("admin.stages"))
    return render_template("admin/stage_form.html", stage=stage, form=form, kinds=_kinds_help()), (
        422 if form.errors else 200
    )


@bp.post("/stages/<int:stage_id>/delete")
@role_required("admin")
def stage_delete(stage_id: int):
    stage = db.get_or_404(Stage, stage_id)
    name = stage.name
    try:
        delete_stage(stage)
    except PipelineError as error:
        db.session.rollback()
        flash(str(error), "warning")
        return redirect(url_for("admin.stages"))
    db.session.commit()
    flash(f"Stage {name} deleted; its deals moved to where their criteria put them.", "success")
    return redirect(url_for("admin.stages"))


@bp.route("/webhooks", methods=["GET", "POST"], endpoint="webhooks")
@role_required("admin")
def webhooks_view():
    form = WebhookForm()
    if form.validate_on_submit():
        try:
            endpoint = webhooks.create_endpoint(form.url.data, form.description.data)
        except webhooks.WebhookError as error:
            db.session.rollback()
            form.url.errors = [*form.url.errors, str(error)]
        else:
            db.session.commit()
            flash("Endpoint added. Use its secret to verify our signatures.", "success")
            return redirect(url_for("admin.webhook", endpoint_id=endpoint.id))
    endpoints = list(db.session.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.id)))
    stats = {
        (endpoint_id, status): n
        for endpoint_id, status, n in db.session.execute(
            select(WebhookDelivery.endpoint_id, WebhookDelivery.status, func.count()).group_by(
                WebhookDelivery.endpoint_id, WebhookDelivery.status
            )
        )
    }
    return render_template("admin/webhooks.html", form=form, endpoints=endpoints, stats=stats), (
        422 if form.errors else 200
    )


@bp.get("/webhooks/<int:endpoint_id>")
@role_required("admin")
def webhook(endpoint_id: int):
    endpoint = db.get_or_404(WebhookEndpoint, endpoint_id)
    page = db.paginate(
        webhooks.deliveries_for(endpoint),
        page=request.args.get("page", 1, type=int),
        per_page=30,
        error_out=False,
    )
    return render_template("admin/webhook.html", endpoint=endpoint, page=page)


@bp.post("/webhooks/<int:endpoint_id>/toggle")
@role_required("admin")
def webhook_toggle(endpoint_id: int):
    endpoint = db.get_or_404(WebhookEndpoint, endpoint_id)
    endpoint.is_active = not endpoint.is_active
    db.session.commit()
    flash(f"Endpoint {'enabled' if endpoint.is_active else 'paused'}.", "success")
    return redirect(url_for("admin.webhook", endpoint_id=endpoint.id))


@bp.post("/webhooks/<int:endpoint_id>/delete")
@role_required("admin")
def webhook_delete(endpoint_id: int):
    endpoint = db.get_or_404(WebhookEndpoint, endpoint_id)
    db.session.delete(endpoint)
    db.session.commit()
    flash("Endpoint and its delivery log deleted.", "success")
    return redirect(url_for("admin.webhooks"))


@bp.post("/webhooks/deliveries/<int:delivery_id>/retry")
@role_required("admin")
def webhook_retry(delivery_id: int):
    delivery = db.get_or_404(WebhookDelivery, delivery_id)
    webhooks.retry(delivery)
    db.session.commit()
    flash("Queued for another try; the worker sends it shortly.", "success")
    return redirect(url_for("admin.webhook", endpoint_id=delivery.endpoint_id))
