"""The room as the vendor sees it: a seller proposes plan steps and comments on the deal's
plan (never changes the buyer's steps); an admin edits a product's plan template."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import func, select

from portal.boundary import perform
from portal.extensions import db
from portal.models import COMMITTEE_ROLES, Deal, Event, Product
from portal.pipeline.room_link import plan_status
from portal.room import bp, members, plan, shares, shortlist
from portal.room.forms import CommentForm, StepForm, TemplateForm
from portal.security import role_required


def deal_room(deal: Deal) -> dict:
    """What the deal page shows of the account's room: committee with roles and each
    member's tracked activity, shortlist, shares, the plan and its risk."""
    activity = dict(
        db.session.execute(
            select(Event.user_id, func.count())
            .where(Event.account_id == deal.account_id, Event.user_id.is_not(None))
            .group_by(Event.user_id)
        ).all()
    )
    return {
        "room_people": [
            (user, COMMITTEE_ROLES.get(role, ""), activity.get(user.id, 0))
            for user, role in members.members_of(deal.account_id)
        ],
        "room_items": shortlist.shortlist_of(deal.account_id),
        "room_shares": shares.shares_of(deal.account_id),
        "room_steps": plan.plan_of(deal.account_id),
        "room_declined": plan.declined_proposals(deal.account_id),
        "room_status": plan_status(deal.room),
        "room_today": datetime.now(UTC).date(),
        "propose_form": StepForm(formdata=None),
        "step_comment_form": CommentForm(formdata=None),
    }


def _to_deal(deal_id: int):
    return redirect(url_for("pipeline.deal", deal_id=deal_id) + "#plan-h", code=303)


@bp.post("/seller/deals/<int:deal_id>/plan/propose")
@role_required("seller")
def seller_propose_step(deal_id: int):
    deal = db.get_or_404(Deal, deal_id)
    form = StepForm()
    if form.validate_on_submit():
        if perform(
            plan.propose_step,
            current_user,
            deal.account_id,
            form.title.data,
            form.due_on.data,
            flash_category="warning",
        ):
            flash("Step proposed: it joins the plan when the buyer accepts it.", "success")
    else:
        flash("Name the step (at most 120 characters) and give a valid date.", "warning")
    return _to_deal(deal_id)


@bp.post("/seller/deals/<int:deal_id>/plan/steps/<int:step_id>/comments")
@role_required("seller")
def seller_comment_step(deal_id: int, step_id: int):
    deal = db.get_or_404(Deal, deal_id)
    form = CommentForm()
    if form.validate_on_submit():
        if perform(
            plan.comment_on_step,
            current_user,
            step_id,
            form.body.data,
            deal.account_id,
            flash_category="warning",
        ):
            flash("Comment added to the buyer's plan.", "success")
    else:
        flash("Write a comment first (at most 2,000 characters).", "warning")
    return _to_deal(deal_id)


@bp.route("/admin/catalog/<int:product_id>/plan-template", methods=["GET", "POST"])
@role_required("admin")
def plan_template(product_id: int):
    product = db.get_or_404(Product, product_id)
    form = TemplateForm(steps=plan.template_text(product))
    if form.validate_on_submit() and perform(
        plan.save_template, current_user, product, form.steps.data, form=form
    ):
        flash(f"The proposed plan for {product.name} is saved.", "success")
        return redirect(url_for("room.plan_template", product_id=product.id), code=303)
    status = 422 if form.errors else 200
    return render_template("room/plan_template.html", product=product, form=form), status
