"""The team's actions on ideas, on the ideas blueprint under ``/seller/ideas``: status with a
public note, merging duplicates, hiding abuse."""

from __future__ import annotations

from flask import flash, redirect, url_for

from portal.boundary import perform
from portal.extensions import db
from portal.ideas import bp, curation, notices
from portal.ideas import ideas as ideas_service
from portal.ideas.errors import PAGE_ERRORS
from portal.ideas.forms import MergeForm, StatusForm
from portal.ideas.routes import idea_page, signed_in_user
from portal.ideas.settings import rate_limit
from portal.models import Idea
from portal.security import role_required


def _set_status_and_tell(user, idea_id: int, status: str, note: str) -> bool:
    changed = curation.set_status(user, idea_id, status, note)
    if changed:
        notices.send_idea_updates()  # one e-mail per person, whatever else was waiting
    return changed


@bp.post("/seller/ideas/<int:idea_id>/status")
@role_required("seller")
@rate_limit("IDEAS_POST_RATE_LIMIT")
def set_status(idea_id: int):
    idea = db.get_or_404(Idea, idea_id)
    form = StatusForm()
    if not form.validate_on_submit():
        return idea_page(idea, status=422, status_form=form)
    done = perform(
        _set_status_and_tell,
        signed_in_user(),
        idea_id,
        form.status.data,
        form.note.data or "",
        form=form,
        let_through=PAGE_ERRORS,
    )
    if not done:
        return idea_page(idea, status=422, status_form=form)
    flash(
        f"Status set to {idea.status_label}; voters are told." if done.value else "Note saved.",
        "success",
    )
    return redirect(url_for("ideas.idea", idea_id=idea_id), code=303)


@bp.post("/seller/ideas/<int:idea_id>/merge")
@role_required("seller")
def merge(idea_id: int):
    idea = db.get_or_404(Idea, idea_id)
    form = MergeForm()
    if not form.validate_on_submit():
        return idea_page(idea, status=422, merge_form=form)
    done = perform(
        curation.merge_ideas,
        signed_in_user(),
        idea_id,
        form.target_id.data,
        form=form,
        let_through=PAGE_ERRORS,
    )
    if not done:
        return idea_page(idea, status=422, merge_form=form)
    flash(f"Merged into “{done.value.title}”; its votes moved there.", "success")
    return redirect(url_for("ideas.idea", idea_id=done.value.id), code=303)


@bp.post("/seller/ideas/<int:idea_id>/hide")
@role_required("seller")
def hide(idea_id: int):
    idea = db.get_or_404(Idea, idea_id)  # the CSRF token is checked for every POST
    done = perform(
        ideas_service.set_hidden,
        signed_in_user(),
        idea_id,
        not idea.is_hidden,
        flash_category="warning",
        let_through=PAGE_ERRORS,
    )
    if done:
        flash("Hidden from the board." if done.value.is_hidden else "Shown again.", "success")
    return redirect(url_for("ideas.idea", idea_id=idea_id), code=303)
