"""Trusted voices pages: read form → call service → flash/redirect/render."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms import SelectChoice

from portal.errors import abort_with
from portal.extensions import db, limiter
from portal.journey.services import record_event
from portal.journey.tracking import current_actor
from portal.models import Answer, Product, Question, ReferenceRequest, Testimonial
from portal.models.voices import REFERENCE_STATUSES
from portal.security import role_required, safe_next
from portal.voices import bp, references, services
from portal.voices import questions as qa
from portal.voices.forms import (
    AnswerForm,
    CloseRequestForm,
    HideForm,
    ImportStoryForm,
    ProposeForm,
    QuestionForm,
    ReferenceProfileForm,
    ReferenceRequestForm,
    RejectForm,
    TestimonialFilterForm,
    TestimonialForm,
)

# Rate limits (Flask-Limiter strings), overridable in config, e.g. with the environment
# variable TESTDRIVE_VOICES_POST_RATE_LIMIT.
RATE_LIMITS = {
    "VOICES_POST_RATE_LIMIT": "10 per minute;60 per day",
    "VOICES_VOTE_RATE_LIMIT": "30 per minute;500 per day",
    "REFERENCE_REQUEST_RATE_LIMIT": "5 per hour;20 per day",
}
PER_PAGE = 10


def _limit(name: str):
    return lambda: current_app.config.get(name, RATE_LIMITS[name])


def _person_key() -> str:
    """Limit a signed-in person across addresses, anyone else by address."""
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return get_remote_address()


def _post_limit(name: str):
    return limiter.limit(_limit(name), key_func=_person_key, methods=["POST"])


@contextmanager
def domain_errors() -> Iterator[None]:
    """Turn NotAllowed into a 403 and NotFound into a 404, each with its message."""
    try:
        yield
    except services.NotAllowed as error:
        db.session.rollback()
        abort_with(403, str(error))
    except services.NotFound as error:
        db.session.rollback()
        abort_with(404, str(error))


def _product(slug: str) -> Product:
    return db.first_or_404(select(Product).where(Product.slug == slug, Product.is_active))


def _user():
    return current_user._get_current_object() if current_user.is_authenticated else None


def _form_error(form, error: services.VoicesError) -> None:
    target = getattr(form, error.field, None) if error.field else None
    if target is not None:
        target.errors = [*target.errors, str(error)]
    else:
        form.form_errors.append(str(error))


T = TypeVar("T")


def _fields(form, *names: str) -> dict[str, Any]:
    """The submitted values of ``names``, as keyword arguments for a service."""
    return {name: form[name].data for name in names}


def _commit(form, action: Callable[[], T]) -> tuple[bool, T | None]:
    """Run the service ``action`` and commit. When it refuses the input, roll back and show
    why on ``form``; returns whether it went through, and what the action returned."""
    try:
        with domain_errors():
            result = action()
    except services.InvalidInput as error:
        db.session.rollback()
        _form_error(form, error)
        return False, None
    db.session.commit()
    return True, result


def _back(default: str):
    return redirect(safe_next(request.form.get("next")) or default, code=303)


# ---------------------------------------------------------------------------- testimonials


def _filters() -> tuple[TestimonialFilterForm, dict]:
    form = TestimonialFilterForm(request.args)
    form.validate()
    values = {
        name: form[name].data if form[name].data and not form[name].errors else None
        for name in ("industry", "company_size", "rating", "sort")
    }
    values["rating"] = int(values["rating"]) if values["rating"] else None
    values["sort"] = values["sort"] or "helpful"
    return form, values


def _testimonials_page(product: Product, request_form: ReferenceRequestForm, status: int = 200):
    filter_form, filters = _filters()
    page = db.paginate(
        services.approved_testimonials(product.id, **filters),
        per_page=PER_PAGE,
        error_out=False,
    )
    user = _user()
    open_request = None
    if user is not None:
        open_request = db.session.scalar(
            select(ReferenceRequest).where(
                ReferenceRequest.requester_id == user.id,
                ReferenceRequest.product_id == product.id,
                ReferenceRequest.status.in_(("requested", "proposed")),
            )
        )
    if status == 200:
        record_event(current_actor(), "testimonials_viewed", product, count=len(page.items))
        db.session.commit()
    return render_template(
        "voices/testimonials.html",
        product=product,
        page=page,
        filter_form=filter_form,
        filter_args={k: v for k, v in request.args.items() if k != "page" and v},
        filtered=any(filters[k] for k in ("industry", "company_size", "rating")),
        summary=services.testimonial_summary(product.id),
        voted=services.voted_ids(user.id if user else None, (t.id for t in page.items)),
        mine=services.own_testimonial(user.id, product.id) if user else None,
        can_write=user is not None and services.verified_purchase(user.id, product.id),
        request_form=request_form,
        open_request=open_request,
    ), status


@bp.get("/products/<slug>/testimonials")
def testimonials(slug: str):
    """Published testimonials with filters, and the "talk to a customer like you" form."""
    product = _product(slug)
    form = ReferenceRequestForm(product_id=product.id)
    form.industry.data = request.args.get("industry") or None
    form.company_size.data = request.args.get("company_size") or None
    return _testimonials_page(product, form)


@bp.route("/products/<slug>/testimonials/write", methods=["GET", "POST"])
@login_required
@_post_limit("VOICES_POST_RATE_LIMIT")
def write_testimonial(slug: str):
    product = _product(slug)
    user = _user()
    if services.verified_purchase(user.id, product.id) is None:
        abort_with(
            403,
            f"Only customers who bought {product.name} can review it, so every review here "
            "comes from a real purchase.",
        )
    existing = services.own_testimonial(user.id, product.id)
    form = TestimonialForm(obj=existing) if request.method == "GET" else TestimonialForm()
    if form.validate_on_submit():
        done, _ = _commit(
            form,
            lambda: services.submit_testimonial(
                user,
                product,
                **_fields(
                    form,
                    "rating",
                    "title",
                    "body",
                    "role",
                    "industry",
                    "company_size",
                    "display_choice",
                ),  # fmt: skip
            ),
        )
        if done:
            flash(
                "Thank you! Your testimonial is with our moderators; it appears once approved.",
                "success",
            )
            return redirect(url_for("voices.my_testimonials"), code=303)
    return render_template(
        "voices/write_testimonial.html", form=form, product=product, existing=existing
    ), (422 if form.errors or form.form_errors else 200)


@bp.get("/account/testimonials")
@login_required
def my_testimonials():
    """The author's testimonials with their moderation status and any rejection reason."""
    items = db.session.scalars(
        select(Testimonial)
        .where(Testimonial.author_id == current_user.id)
        .order_by(Testimonial.created_at.desc())
    ).all()
    return render_template("voices/my_testimonials.html", items=items)


@bp.post("/testimonials/<int:testimonial_id>/helpful")
@login_required
@_post_limit("VOICES_VOTE_RATE_LIMIT")
def vote_helpful(testimonial_id: int):
    testimonial = db.get_or_404(Testimonial, testimonial_id)
    default = url_for("voices.testimonials", slug=testimonial.product.slug)
    try:
        counted = services.vote_helpful(_user(), testimonial_id, current_actor())
    except services.NotFound:
        abort(404)
    except services.NotAllowed as error:
        flash(str(error), "warning")
        return _back(default)
    db.session.commit()
    if counted:
        flash("Thanks — marked as helpful.", "success")
    else:
        flash("You already found this one helpful; each person counts once.", "info")
    return _back(f"{default}#t{testimonial_id}")


# ---------------------------------------------------------------------------- moderation


def _moderation_page(reject_forms: dict | None = None, status: int = 200):
    page = db.paginate(services.moderation_queue(), per_page=PER_PAGE, error_out=False)
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
    ), status


@bp.get("/seller/moderation")
@role_required("seller")
def moderation():
    """Testimonials waiting for a decision, and hidden questions and answers."""
    return _moderation_page()


@bp.post("/seller/moderation/testimonials/<int:testimonial_id>/approve")
@role_required("seller")
def approve_testimonial(testimonial_id: int):
    try:
        with domain_errors():
            testimonial = services.approve_testimonial(_user(), testimonial_id)
    except services.Conflict as error:
        db.session.rollback()
        flash(str(error), "warning")
    else:
        db.session.commit()
        flash(f"Published “{testimonial.title}”.", "success")
    return redirect(url_for("voices.moderation"), code=303)


@bp.post("/seller/moderation/testimonials/<int:testimonial_id>/reject")
@role_required("seller")
def reject_testimonial(testimonial_id: int):
    form = RejectForm(prefix=f"r{testimonial_id}")
    if not form.validate_on_submit():
        return _moderation_page({testimonial_id: form}, 422)
    try:
        with domain_errors():
            services.reject_testimonial(_user(), testimonial_id, form.reason.data)
    except services.InvalidInput as error:
        db.session.rollback()
        _form_error(form, error)
        return _moderation_page({testimonial_id: form}, 422)
    except services.Conflict as error:
        db.session.rollback()
        flash(str(error), "warning")
    else:
        db.session.commit()
        flash("Rejected; the author sees your reason and can rewrite it.", "success")
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
        done, story = _commit(
            form,
            lambda: services.import_story(
                _user(),
                product,
                **_fields(
                    form,
                    "display_name",
                    "role",
                    "industry",
                    "company_size",
                    "rating",
                    "title",
                    "body",
                    "source_note",
                ),  # fmt: skip
            ),
        )
        if done:
            flash(f"Published the customer story “{story.title}”.", "success")
            return redirect(url_for("voices.testimonials", slug=product.slug), code=303)
    return render_template("voices/import_story.html", form=form), (
        422 if form.errors or form.form_errors else 200
    )


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
    else:
        with domain_errors():
            qa.set_hidden(_user(), item, action == "hide", form.reason.data or "")
        db.session.commit()
        flash("Hidden from prospects." if action == "hide" else "Visible again.", "success")
    return _back(url_for("voices.moderation"))


# ---------------------------------------------------------------------------- references


@bp.post("/references/request")
@_post_limit("REFERENCE_REQUEST_RATE_LIMIT")
def request_reference():
    """A prospect asks to talk to a customer like them."""
    form = ReferenceRequestForm()
    product_id = form.product_id.data or ""
    product = db.session.get(Product, int(product_id)) if product_id.isdigit() else None
    if product is None or not product.is_active:
        abort(404)
    back = url_for("voices.testimonials", slug=product.slug) + "#talk"
    if not current_user.is_authenticated:
        flash("Sign in so we can introduce you by e-mail.", "info")
        return redirect(url_for("auth.login", next=back), code=303)
    if not form.validate_on_submit():
        return _testimonials_page(product, form, 422)
    try:
        with domain_errors():
            reference_request = references.request_reference(
                _user(),
                product,
                industry=form.industry.data,
                company_size=form.company_size.data,
                role=form.role.data,
                topics=form.topics.data,
                message=form.message.data,
                actor=current_actor(),
            )
    except services.OpenRequestExists as error:
        db.session.rollback()
        flash(str(error), "info")
        return redirect(url_for("voices.reference_request", request_id=error.request_id), 303)
    except services.InvalidInput as error:
        db.session.rollback()
        _form_error(form, error)
        return _testimonials_page(product, form, 422)
    db.session.commit()
    flash(
        "Request sent. We'll find a customer like you and ask whether they'd talk; you'll get "
        "an e-mail introduction once they agree.",
        "success",
    )
    return redirect(url_for("voices.reference_request", request_id=reference_request.id), code=303)


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
    try:
        with domain_errors():
            references.complete_introduction(_user(), request_id)
    except services.Conflict as error:
        db.session.rollback()
        flash(str(error), "warning")
    else:
        db.session.commit()
        flash("Marked as completed. Thank you for taking the call!", "success")
    return _back(url_for("voices.reference_settings"))


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
        pending_testimonials=services.pending_count(),
        candidates=candidates,
        propose_form=ProposeForm(),
        close_form=CloseRequestForm(),
    )


@bp.post("/seller/references/<int:request_id>/propose")
@role_required("seller")
def propose_reference(request_id: int):
    form = ProposeForm()
    back = url_for("voices.seller_references", status="requested")
    reference_id = form.reference_id.data or ""
    if not form.validate_on_submit() or not reference_id.isdigit():
        flash("Pick a customer, and keep the note to 500 characters.", "danger")
        return redirect(back, code=303)
    try:
        with domain_errors():
            item = references.propose_reference(
                _user(), request_id, int(reference_id), form.note.data or ""
            )
    except (services.InvalidInput, services.Conflict) as error:
        db.session.rollback()
        flash(str(error), "warning")
        return redirect(back, code=303)
    db.session.commit()
    references.send_proposal_email(item, url_for("voices.reference_settings", _external=True))
    flash(
        f"Asked {item.reference.display_name}. The prospect gets their contact details only "
        "if they accept.",
        "success",
    )
    return redirect(url_for("voices.seller_references", status="proposed"), code=303)


@bp.post("/seller/references/<int:request_id>/close")
@role_required("seller")
def close_request(request_id: int):
    form = CloseRequestForm()
    if not form.validate_on_submit():
        flash("Give a reason of 5 to 500 characters to close the request.", "danger")
    else:
        try:
            with domain_errors():
                references.close_request(_user(), request_id, form.reason.data)
        except (services.InvalidInput, services.Conflict) as error:
            db.session.rollback()
            flash(str(error), "warning")
        else:
            db.session.commit()
            flash("Request closed.", "success")
    return redirect(url_for("voices.seller_references"), code=303)


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
@_post_limit("VOICES_POST_RATE_LIMIT")
def reference_settings():
    """The customer's reference opt-in, introductions waiting for them, and their requests."""
    user = _user()
    form = _profile_form()
    customer = services.is_customer(user.id)
    if form.validate_on_submit():
        done, _ = _commit(
            form,
            lambda: references.save_reference_profile(
                user,
                **_fields(
                    form,
                    "is_active",
                    "industry",
                    "company_size",
                    "role",
                    "topics",
                    "availability",
                    "monthly_cap",
                ),  # fmt: skip
            ),
        )
        if done:
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
    ), (422 if form.errors or form.form_errors else 200)


@bp.post("/account/references/<int:request_id>/accept")
@login_required
def accept_introduction(request_id: int):
    try:
        with domain_errors():
            item = references.accept_introduction(_user(), request_id)
    except services.Conflict as error:
        db.session.rollback()
        flash(str(error), "warning")
    else:
        db.session.commit()
        references.send_introduction_emails(item)
        flash(
            f"Thank you! We've e-mailed you and {item.requester.display_name} each other's "
            "contact details.",
            "success",
        )
    return redirect(url_for("voices.reference_settings"), code=303)


@bp.post("/account/references/<int:request_id>/decline")
@login_required
def decline_introduction(request_id: int):
    try:
        with domain_errors():
            references.decline_introduction(_user(), request_id)
    except services.Conflict as error:
        db.session.rollback()
        flash(str(error), "warning")
    else:
        db.session.commit()
        flash("No problem — we'll find someone else. The prospect never saw your name.", "info")
    return redirect(url_for("voices.reference_settings"), code=303)


# ---------------------------------------------------------------------------- questions


@bp.route("/products/<slug>/questions", methods=["GET", "POST"])
@_post_limit("VOICES_POST_RATE_LIMIT")
def questions(slug: str):
    """Questions prospects asked about a product; signed-in people can ask."""
    product = _product(slug)
    form = QuestionForm()
    if request.method == "POST":
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=request.path), code=303)
        if form.validate_on_submit():
            done, question = _commit(
                form,
                lambda: qa.ask_question(
                    _user(),
                    product,
                    title=form.title.data,
                    body=form.body.data or "",
                    actor=current_actor(),
                ),
            )
            if done:
                flash("Question posted. We'll e-mail you when someone answers.", "success")
                return redirect(
                    url_for("voices.question", slug=slug, question_id=question.id), code=303
                )
    page = db.paginate(qa.visible_questions(product.id), per_page=PER_PAGE, error_out=False)
    return render_template(
        "voices/questions.html",
        product=product,
        page=page,
        counts=qa.answer_counts(q.id for q in page.items),
        form=form,
    ), (422 if form.errors or form.form_errors else 200)


def _question_page(product: Product, question: Question, form: AnswerForm, status: int = 200):
    user = _user()
    is_seller = user is not None and user.has_role("seller")
    answers = [a for a in question.answers if is_seller or not a.is_hidden]
    if status == 200:
        record_event(current_actor(), "answer_viewed", product, question_id=question.id)
        db.session.commit()
    return render_template(
        "voices/question.html",
        product=product,
        question=question,
        answers=answers,
        form=form,
        can_answer=qa.can_answer(user, product.id),
        is_seller=is_seller,
        hide_form=HideForm(),
    ), status


@bp.get("/products/<slug>/questions/<int:question_id>")
def question(slug: str, question_id: int):
    product = _product(slug)
    with domain_errors():
        item = qa.get_question(question_id, product.id, _user())
    return _question_page(product, item, AnswerForm())


@bp.post("/products/<slug>/questions/<int:question_id>/answers")
@login_required
@_post_limit("VOICES_POST_RATE_LIMIT")
def answer(slug: str, question_id: int):
    product = _product(slug)
    with domain_errors():
        item = qa.get_question(question_id, product.id, _user())
    form = AnswerForm()
    if not form.validate_on_submit():
        return _question_page(product, item, form, 422)
    done, new_answer = _commit(form, lambda: qa.answer_question(_user(), item.id, form.body.data))
    if not done:
        return _question_page(product, item, form, 422)
    qa.send_answer_notification(
        new_answer, url_for("voices.question", slug=slug, question_id=item.id, _external=True)
    )
    flash("Thanks for answering — the person who asked will get an e-mail.", "success")
    return redirect(
        url_for("voices.question", slug=slug, question_id=item.id) + f"#a{new_answer.id}",
        code=303,
    )
