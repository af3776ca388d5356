"""The room's evaluation plan for the buying account's members: add, tick, move, remove,
accept or decline a proposed step, assign it and comment. A step is looked up within the
signed-in member's own account first (another account's step is a 404)."""

from __future__ import annotations

from flask import flash, render_template, request
from flask_login import current_user, login_required

from portal.boundary import perform
from portal.bounds import MAX_ID, bounded_int
from portal.extensions import limiter
from portal.journey.tracking import current_actor
from portal.room import bp, plan
from portal.room.errors import RoomNotFound
from portal.room.forms import ButtonForm, CommentForm, StepForm, StepUpdateForm
from portal.room.routes import _back, _comment_limit, _room_context


@bp.post("/account/room/plan/steps")
@login_required
def add_step():
    form = StepForm()
    if form.validate_on_submit() and perform(
        plan.add_step, current_user, form.title.data, current_actor(), form.due_on.data, form=form
    ):
        flash("Step added to the plan.", "success")
        return _back("plan-heading")
    return render_template("room/index.html", **_room_context(step_form=form)), 422


def _step_action(step_id: int, call, *args, message: str):
    plan.step_of(current_user, step_id)
    if ButtonForm().validate_on_submit() and perform(
        call, current_user, step_id, *args, flash_category="warning", let_through=(RoomNotFound,)
    ):
        flash(message, "success")
    return _back(f"step-{step_id}")


@bp.post("/account/room/plan/steps/<int:step_id>/done")
@login_required
def tick_step(step_id: int):
    done = request.form.get("done") == "1"
    word = "done" if done else "open again"
    return _step_action(
        step_id, plan.tick_step, done, current_actor(), message=f"Step marked {word}."
    )


@bp.post("/account/room/plan/steps/<int:step_id>/move")
@login_required
def move_step(step_id: int):
    direction = request.form.get("direction", "")
    return _step_action(step_id, plan.move_step, direction, message="Plan reordered.")


@bp.post("/account/room/plan/steps/<int:step_id>/remove")
@login_required
def remove_step(step_id: int):
    plan.step_of(current_user, step_id)
    if ButtonForm().validate_on_submit() and perform(
        plan.remove_step, current_user, step_id, current_actor(), let_through=(RoomNotFound,)
    ):
        flash("Step removed from the plan.", "success")
    return _back("plan-heading")


@bp.post("/account/room/plan/steps/<int:step_id>/accept")
@login_required
def accept_step(step_id: int):
    return _step_action(
        step_id, plan.answer_proposal, True, current_actor(), message="Step added to your plan."
    )


@bp.post("/account/room/plan/steps/<int:step_id>/decline")
@login_required
def decline_step(step_id: int):
    return _step_action(
        step_id, plan.answer_proposal, False, current_actor(), message="Proposal declined."
    )


@bp.post("/account/room/plan/steps/<int:step_id>/update")
@login_required
def update_step(step_id: int):
    plan.step_of(current_user, step_id)
    form = StepUpdateForm()
    if form.validate_on_submit():
        raw = form.assignee.data or ""
        assignee = bounded_int(raw, 1, MAX_ID)
        if perform(
            plan.update_step,
            current_user,
            step_id,
            assignee,
            form.due_on.data,
            flash_category="warning",
            let_through=(RoomNotFound,),
        ):
            flash("Step updated.", "success")
    else:
        flash("Give the due date as a date, or leave it empty.", "warning")
    return _back(f"step-{step_id}")


@bp.post("/account/room/plan/steps/<int:step_id>/comments")
@login_required
@limiter.limit(_comment_limit)
def comment_step(step_id: int):
    plan.step_of(current_user, step_id)
    form = CommentForm()
    if form.validate_on_submit() and perform(
        plan.comment_on_step, current_user, step_id, form.body.data, flash_category="warning"
    ):
        flash("Comment added.", "success")
    elif form.errors:
        flash("Write a comment first (at most 2,000 characters).", "warning")
    return _back(f"step-{step_id}")
