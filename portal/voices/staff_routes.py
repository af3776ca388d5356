"""Seller and admin pages of trusted voices, on the voices blueprint: moderation of
testimonials, questions and answers, imported customer stories, and the reference queue."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from wtforms import SelectChoice

from portal.boundary import perform, show_on_form
from portal.bounds import MAX_ID, bounded_int
from portal.extensions import db
from portal.models import Answer, Product, Question, Testimonial
from portal.models.voices import REFERENCE_STATUSES
from portal.security import role_required
from portal.voices import bp, introductions, references, replies, testimonials
from portal.voices import questions as qa
from portal.voices.errors import PAGE_ERRORS, InvalidInput
from portal.voices.forms import (
    CloseRequestForm,
    HideForm,
    ImportStoryForm,
    ProposeForm,
    RejectForm,
    ReplyForm,
)
from portal.voices.routes import PER_PAGE, back, form_fields, form_status, signed_in_user

# ---------------------------------------------------------------------------- moderation


def _moderation_page(reject_forms: dict | None = None, status: int = 200):
    page = db.paginate(testimonials.moderation_queue(), per_page=PER_PAGE, error_out=False)
    reject_forms = reject_forms or {}
    for item in page.items:
        reject_forms.setdefault(item.id, RejectForm(prefix=f"r{item.id}"))
    hidden_questions, hidden_answers = qa.hidden_content()
    return render_template(
        "voices/moderation.html",
        page=page,
        reject_forms=reject_forms,
        hide_form=HideForm(),
        hidden_questions=hidden_questions,
        hidden_answers=hidden_answers,
        pending_replies=replies.pending_replies(),
    ), status


@bp.get("/seller/moderation")
@role_required("seller")
def moderation():
    """Testimonials waiting for a decision, and hidden questions and answers."""
    return _moderation_page()


@bp.post("/seller/moderation/testimonials/<int:testimonial_id>/approve")
@role_required("seller")
def approve_testimonial(testimonial_id: int):
    done = perform(
        testimonials.approve_testimonial,
        signed_in_user(),
        testimonial_id,
        flash_category="warning",
        let_through=PAGE_ERRORS,
    )
    if done:
        flash(f"Published “{done.value.title}”.", "success")
    return redirect(url_for("voices.moderation"), code=303)


@bp.post("/seller/moderation/testimonials/<int:testimonial_id>/reject")
@role_required("seller")
def reject_testimonial(testimonial_id: int):
    form = RejectForm(prefix=f"r{testimonial_id}")
    if not form.validate_on_submit():
        return _moderation_page({testimonial_id: form}, 422)
    done = perform(
        testimonials.reject_testimonial,
        signed_in_user(),
        testimonial_id,
        form.reason.data,
        let_through=PAGE_ERRORS,
    )
    if done:
        flash("Rejected; the author sees your reason and can rewrite it.", "success")
    elif isinstance(done.error, InvalidInput):
        show_on_form(form, done.error)
        return _moderation_page({testimonial_id: form}, 422)
    else:
        flash(done.message, "warning")
    return redirect(url_for("voices.moderation"), code=303)


@bp.route("/seller/moderation/import", methods=["GET", "POST"])
@role_required("admin")
def import_story():
    """Admins publish a customer story from elsewhere, with its source."""
    form = ImportStoryForm()
    products = db.session.scalars(select(Product).order_by(Product.sort_order, Product.name))
    form.product_id.choices = [SelectChoice(p.id, p.name) for p in products]
    if form.validate_on_submit():
        product = db.get_or_404(Product, form.product_id.data)
        fields = form_fields(
            form,
            "display_name",
            "role",
            "industry",
            "company_size",
            "rating",
            "title",
            "body",
            "source_note",
        )
        done = perform(
            testimonials.import_story,
            signed_in_user(),
            product,
            **fields,
            form=form,
            let_through=PAGE_ERRORS,
        )
        if done:
            flash(f"Published the customer story “{done.value.title}”.", "success")
            return redirect(url_for("voices.testimonials", slug=product.slug), code=303)
    return render_template("voices/import_story.html", form=form), form_status(form)


@bp.post("/seller/moderation/<kind>/<int:item_id>/<action>")
@role_required("seller")
def set_visibility(kind: str, item_id: int, action: str):
    """Hide abusive questions or answers, or show them again."""
    model = {"question": Question, "answer": Answer}.get(kind)
    if model is None or action not in ("hide", "show"):
        abort(404)
    item = db.get_or_404(model, item_id)
    form = HideForm()
    if not form.validate_on_submit():
        flash("Keep the reason to 500 characters or fewer.", "danger")
    elif perform(
        qa.set_hidden,
        signed_in_user(),
        item,
        action == "hide",
        form.reason.data or "",
        let_through=PAGE_ERRORS,
    ):
        flash("Hidden from prospects." if action == "hide" else "Visible again.", "success")
    return back(url_for("voices.moderation"))


# ---------------------------------------------------------------------------- references


@bp.get("/seller/references")
@role_required("seller")
def seller_references():
    """Requests by status, with opted-in customers ranked by fit for the open ones."""
    status = request.args.get("status", "requested")
    if status not in REFERENCE_STATUSES:
        status = "requested"
    page = db.paginate(references.requests_for_seller(status), per_page=PER_PAGE, error_out=False)
    candidates = {
        item.id: references.rank_references(item)
        for item in page.items
        if item.status in ("requested", "declined")
    }
    return render_template(
        "voices/seller_references.html",
        page=page,
        status=status,
        counts=references.request_counts(),
        pending_testimonials=testimonials.pending_count(),
        candidates=candidates,
        propose_form=ProposeForm(),
        close_form=CloseRequestForm(),
    )


def _propose_and_ask(request_id: int, reference_id: int, note: str):
    """Propose the customer and queue the e-mail asking them (sent once it is committed)."""
    item = introductions.propose_reference(signed_in_user(), request_id, reference_id, note)
    introductions.send_proposal_email(item, url_for("voices.reference_settings", _external=True))
    return item


@bp.post("/seller/references/<int:request_id>/propose")
@role_required("seller")
def propose_reference(request_id: int):
    form = ProposeForm()
    back_to = url_for("voices.seller_references", status="requested")
    reference_id = bounded_int(form.reference_id.data, 1, MAX_ID)
    if not form.validate_on_submit() or reference_id is None:
        flash("Pick a customer, and keep the note to 500 characters.", "danger")
        return redirect(back_to, code=303)
    done = perform(
        _propose_and_ask,
        request_id,
        reference_id,
        form.note.data or "",
        flash_category="warning",
        let_through=PAGE_ERRORS,
    )
    if not done:
        return redirect(back_to, code=303)
    flash(
        f"Asked {done.value.reference.display_name}. The prospect gets their contact details "
        "only if they accept.",
        "success",
    )
    return redirect(url_for("voices.seller_references", status="proposed"), code=303)


@bp.post("/seller/references/<int:request_id>/close")
@role_required("seller")
def close_request(request_id: int):
    form = CloseRequestForm()
    if not form.validate_on_submit():
        flash("Give a reason of 5 to 500 characters to close the request.", "danger")
    elif perform(
        introductions.close_request,
        signed_in_user(),
        request_id,
        form.reason.data,
        flash_category="warning",
        let_through=PAGE_ERRORS,
    ):
        flash("Request closed.", "success")
    return redirect(url_for("voices.seller_references"), code=303)


@bp.get("/seller/questions")
@role_required("seller")
def seller_questions():
    """Questions still waiting for an answer, oldest first, with their age."""
    return render_template("voices/seller_questions.html", items=qa.unanswered_questions())


# ---------------------------------------------------------------------------- vendor replies


@bp.post("/seller/testimonials/<int:testimonial_id>/reply")
@role_required("seller")
def reply_to_review(testimonial_id: int):
    """The team's one public reply to a review; it waits for moderation."""
    testimonial = db.get_or_404(Testimonial, testimonial_id)
    form = ReplyForm()
    back_to = url_for("voices.testimonials", slug=testimonial.product.slug) + f"#t{testimonial_id}"
    if not form.validate_on_submit():
        flash(" ".join(form.body.errors) or "Write a reply.", "warning")
        return redirect(back_to, code=303)
    done = perform(
        replies.write_reply,
        signed_in_user(),
        testimonial_id,
        form.body.data,
        flash_category="warning",
        let_through=PAGE_ERRORS,
    )
    if done:
        flash("Reply saved; it shows under the review once a moderator approves it.", "success")
    return redirect(back_to, code=303)


@bp.post("/seller/moderation/replies/<int:reply_id>/<any(approve, reject):decision>")
@role_required("seller")
def moderate_reply(reply_id: int, decision: str):
    done = perform(
        replies.moderate_reply,
        signed_in_user(),
        reply_id,
        decision == "approve",
        flash_category="warning",
        let_through=PAGE_ERRORS,
    )
    if done:
        flash("Reply published." if decision == "approve" else "Reply rejected.", "success")
    return redirect(url_for("voices.moderation"), code=303)
