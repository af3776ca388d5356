"""Reference calls, the prospect's and the customer's side: ask to talk to a customer like
you, follow the request, opt in as a reference, accept or decline an introduction."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from portal.boundary import perform
from portal.bounds import MAX_ID, bounded_int
from portal.errors import abort_with
from portal.extensions import db
from portal.journey.tracking import current_actor
from portal.models import Product, ReferenceRequest, Testimonial
from portal.voices import bp, customers, introductions, references
from portal.voices.errors import PAGE_ERRORS, OpenRequestExists
from portal.voices.forms import ReferenceProfileForm, ReferenceRequestForm
from portal.voices.routes import back, form_fields, form_status, signed_in_user, testimonials_page
from portal.voices.settings import post_limit


@bp.post("/references/request")
@post_limit("REFERENCE_REQUEST_RATE_LIMIT")
def request_reference():
    """A prospect asks to talk to a customer like them."""
    form = ReferenceRequestForm()
    product_id = bounded_int(form.product_id.data, 1, MAX_ID)
    product = db.session.get(Product, product_id) if product_id else None
    if product is None or not product.is_active:
        abort(404)
    back_to = url_for("voices.testimonials", slug=product.slug) + "#talk"
    if not current_user.is_authenticated:
        flash("Sign in so we can introduce you by e-mail.", "info")
        return redirect(url_for("auth.login", next=back_to), code=303)
    if not form.validate_on_submit():
        return testimonials_page(product, form, 422)
    try:
        done = perform(
            references.request_reference,
            signed_in_user(),
            product,
            **form_fields(form, "industry", "company_size", "role", "topics", "message"),
            actor=current_actor(),
            form=form,
            let_through=(*PAGE_ERRORS, OpenRequestExists),
        )
    except OpenRequestExists as error:
        flash(str(error), "info")
        return redirect(url_for("voices.reference_request", request_id=error.request_id), 303)
    if not done:
        return testimonials_page(product, form, 422)
    flash(
        "Request sent. We'll find a customer like you and ask whether they'd talk; you'll get "
        "an e-mail introduction once they agree.",
        "success",
    )
    return redirect(url_for("voices.reference_request", request_id=done.value.id), code=303)


@bp.get("/references/requests/<int:request_id>")
@login_required
def reference_request(request_id: int):
    """The prospect's view of their request: its status, and contacts once introduced."""
    item = db.get_or_404(ReferenceRequest, request_id)
    if item.requester_id != current_user.id and not current_user.has_role("seller"):
        abort(404)
    return render_template("voices/reference_request.html", req=item)


@bp.post("/references/requests/<int:request_id>/complete")
@login_required
def complete_request(request_id: int):
    if perform(
        introductions.complete_introduction,
        signed_in_user(),
        request_id,
        flash_category="warning",
        let_through=PAGE_ERRORS,
    ):
        flash("Marked as completed. Thank you for taking the call!", "success")
    return back(url_for("voices.reference_settings"))


def _profile_form() -> ReferenceProfileForm:
    if request.method == "POST":
        return ReferenceProfileForm()
    profile = references.reference_profile(current_user.id)
    if profile is not None:
        return ReferenceProfileForm(obj=profile)
    latest = db.session.scalar(
        select(Testimonial)
        .where(Testimonial.author_id == current_user.id)
        .order_by(Testimonial.created_at.desc())
        .limit(1)
    )
    form = ReferenceProfileForm(is_active=True)
    if latest is not None:
        form.industry.data, form.company_size.data = latest.industry, latest.company_size
        form.role.data = latest.role
    return form


@bp.route("/account/references", methods=["GET", "POST"])
@login_required
@post_limit("VOICES_POST_RATE_LIMIT")
def reference_settings():
    """The customer's reference opt-in, introductions waiting for them, and their requests."""
    user = signed_in_user()
    form = _profile_form()
    customer = customers.is_customer(user.id)
    if form.validate_on_submit():
        fields = form_fields(
            form,
            "is_active",
            "industry",
            "company_size",
            "role",
            "topics",
            "availability",
            "monthly_cap",
        )
        if perform(
            references.save_reference_profile, user, **fields, form=form, let_through=PAGE_ERRORS
        ):
            flash(
                "Thank you — you're on our list of reference customers."
                if form.is_active.data
                else "Saved. We won't propose any introductions to you.",
                "success",
            )
            return redirect(url_for("voices.reference_settings"), code=303)
    elif request.method == "POST" and not customer:
        abort_with(403, "Reference calls are with customers who bought a product.")
    waiting, accepted = references.introductions_for(user.id)
    profile = references.reference_profile(user.id)
    return render_template(
        "voices/reference_settings.html",
        form=form,
        is_customer=customer,
        profile=profile,
        used=references.introductions_this_month([user.id]).get(user.id, 0),
        waiting=waiting,
        accepted=accepted,
        requests=references.my_requests(user.id),
    ), form_status(form)


def _accept_and_introduce(request_id: int):
    """Accept, and queue both introduction e-mails (sent once the acceptance is committed)."""
    item = introductions.accept_introduction(signed_in_user(), request_id)
    introductions.send_introduction_emails(item)
    return item


@bp.post("/account/references/<int:request_id>/accept")
@login_required
def accept_introduction(request_id: int):
    done = perform(
        _accept_and_introduce, request_id, flash_category="warning", let_through=PAGE_ERRORS
    )
    if done:
        flash(
            f"Thank you! We've e-mailed you and {done.value.requester.display_name} each other's "
            "contact details.",
            "success",
        )
    return redirect(url_for("voices.reference_settings"), code=303)


@bp.post("/account/references/<int:request_id>/decline")
@login_required
def decline_introduction(request_id: int):
    if perform(
        introductions.decline_introduction,
        signed_in_user(),
        request_id,
        flash_category="warning",
        let_through=PAGE_ERRORS,
    ):
        flash("No problem — we'll find someone else. The prospect never saw your name.", "info")
    return redirect(url_for("voices.reference_settings"), code=303)
