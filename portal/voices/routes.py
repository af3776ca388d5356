"""Public pages of trusted voices: testimonials and peer questions (read form → call service
→ flash/redirect/render). Reference requests are in ``reference_routes``, the sellers' pages in
``staff_routes``."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from portal.boundary import perform
from portal.catalog.services import active_product
from portal.errors import abort_with
from portal.extensions import db
from portal.journey.services import record_event
from portal.journey.tracking import current_actor
from portal.models import Product, Question, ReferenceRequest, Testimonial
from portal.security import safe_next
from portal.voices import answers, bp, customers, replies
from portal.voices import questions as qa
from portal.voices import testimonials as reviews
from portal.voices.errors import PAGE_ERRORS, NotFound
from portal.voices.forms import (
    AnswerForm,
    HideForm,
    QuestionForm,
    ReferenceRequestForm,
    ReplyForm,
    ReviewDepthForm,
    TestimonialFilterForm,
)
from portal.voices.ratings import product_ratings
from portal.voices.settings import post_limit

PER_PAGE = 10


def product_or_404(slug: str) -> Product:
    product = active_product(slug)
    if product is None:
        abort(404)
    return product


def signed_in_user():
    return current_user._get_current_object() if current_user.is_authenticated else None


def form_fields(form, *names: str) -> dict[str, Any]:
    """The submitted values of ``names``, as keyword arguments for a service."""
    return {name: form[name].data for name in names}


def form_status(form) -> int:
    return 422 if form.errors or form.form_errors else 200


def back(default: str):
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


def testimonials_page(product: Product, request_form: ReferenceRequestForm, status: int = 200):
    """The testimonials page; a successful view is recorded as a journey event."""
    filter_form, filters = _filters()
    page = db.paginate(
        reviews.approved_testimonials(product.id, **filters),
        per_page=PER_PAGE,
        error_out=False,
    )
    user = signed_in_user()
    open_request = None
    if user is not None:
        open_request = db.session.scalar(
            select(ReferenceRequest).where(
                ReferenceRequest.requester_id == user.id,
                ReferenceRequest.product_id == product.id,
                ReferenceRequest.status.in_(("requested", "proposed")),
            )
        )
    # Render before recording the view: its commit expires the page's testimonials, and the
    # template would load each one again (a query per testimonial shown).
    html = render_template(
        "voices/testimonials.html",
        product=product,
        page=page,
        filter_form=filter_form,
        filter_args={k: v for k, v in request.args.items() if k != "page" and v},
        filtered=any(filters[k] for k in ("industry", "company_size", "rating")),
        summary=reviews.testimonial_summary(product.id),
        voted=reviews.voted_ids(user.id if user else None, (t.id for t in page.items)),
        replies=replies.replies_for(
            (t.id for t in page.items), include_pending=bool(user and user.has_role("seller"))
        ),
        reply_form=ReplyForm(),
        ratings=product_ratings(product.id),
        mine=reviews.own_testimonial(user.id, product.id) if user else None,
        can_write=user is not None and customers.verified_purchase(user.id, product.id),
        request_form=request_form,
        open_request=open_request,
    )
    if status == 200:
        perform(
            record_event, current_actor(), "testimonials_viewed", product, count=len(page.items)
        )
    return html, status


@bp.get("/products/<slug>/testimonials")
def testimonials(slug: str):
    """Published testimonials with filters, and the "talk to a customer like you" form."""
    product = product_or_404(slug)
    form = ReferenceRequestForm(product_id=product.id)
    form.industry.data = request.args.get("industry") or None
    form.company_size.data = request.args.get("company_size") or None
    return testimonials_page(product, form)


@bp.route("/products/<slug>/testimonials/write", methods=["GET", "POST"])
@login_required
@post_limit("VOICES_POST_RATE_LIMIT")
def write_testimonial(slug: str):
    product = product_or_404(slug)
    user = signed_in_user()
    if customers.verified_purchase(user.id, product.id) is None:
        abort_with(
            403,
            f"Only customers who bought {product.name} can review it, so every review here "
            "comes from a real purchase.",
        )
    existing = reviews.own_testimonial(user.id, product.id)
    form = ReviewDepthForm(obj=existing) if request.method == "GET" else ReviewDepthForm()
    if request.method == "GET" and existing is not None:
        for name in ("ease_of_use", "support_rating", "value_rating", "recommend"):
            value = getattr(existing, name)
            form[name].data = "" if value is None else str(value)
    if form.validate_on_submit():
        fields = form_fields(
            form,
            "rating",
            "title",
            "body",
            "role",
            "industry",
            "company_size",
            "display_choice",
            "ease_of_use",
            "support_rating",
            "value_rating",
            "recommend",
            "pros",
            "cons",
            "use_case",
        )
        if perform(
            reviews.submit_testimonial,
            user,
            product,
            **fields,
            form=form,
            let_through=PAGE_ERRORS,
        ):
            flash(
                "Thank you! Your testimonial is with our moderators; it appears once approved.",
                "success",
            )
            return redirect(url_for("voices.my_testimonials"), code=303)
    return render_template(
        "voices/write_testimonial.html", form=form, product=product, existing=existing
    ), form_status(form)


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
@post_limit("VOICES_VOTE_RATE_LIMIT")
def vote_helpful(testimonial_id: int):
    testimonial = db.get_or_404(Testimonial, testimonial_id)
    default = url_for("voices.testimonials", slug=testimonial.product.slug)
    try:
        done = perform(
            reviews.vote_helpful,
            signed_in_user(),
            testimonial_id,
            current_actor(),
            flash_category="warning",
            let_through=(NotFound,),
        )
    except NotFound:
        abort(404)
    if not done:
        return back(default)
    if done.value:
        flash("Thanks — marked as helpful.", "success")
    else:
        flash("You already found this one helpful; each person counts once.", "info")
    return back(f"{default}#t{testimonial_id}")


# ---------------------------------------------------------------------------- questions


@bp.route("/products/<slug>/questions", methods=["GET", "POST"])
@post_limit("VOICES_POST_RATE_LIMIT")
def questions(slug: str):
    """Questions prospects asked about a product; signed-in people can ask."""
    product = product_or_404(slug)
    form = QuestionForm()
    if request.method == "POST":
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=request.path), code=303)
        if form.validate_on_submit():
            done = perform(
                qa.ask_question,
                signed_in_user(),
                product,
                title=form.title.data,
                body=form.body.data or "",
                actor=current_actor(),
                form=form,
                let_through=PAGE_ERRORS,
            )
            if done:
                flash("Question posted. We'll e-mail you when someone answers.", "success")
                return redirect(
                    url_for("voices.question", slug=slug, question_id=done.value.id), code=303
                )
    page = db.paginate(qa.visible_questions(product.id), per_page=PER_PAGE, error_out=False)
    inline = answers.inline_answers(q.id for q in page.items)
    shown = [a.id for q_answers in inline.values() for a in q_answers[: answers.INLINE_ANSWERS]]
    return render_template(
        "voices/questions.html",
        product=product,
        page=page,
        inline=inline,
        inline_max=answers.INLINE_ANSWERS,
        helpful=answers.helpful_ids(signed_in_user(), shown),
        action_form=HideForm(),  # its CSRF token serves the answers' buttons
        form=form,
    ), form_status(form)


def _question_page(product: Product, question: Question, form: AnswerForm, status: int = 200):
    """The question page; a successful view is recorded as a journey event."""
    user = signed_in_user()
    is_seller = user is not None and user.has_role("seller")
    shown = answers.answers_of(question.id, include_hidden=is_seller)
    helpful = answers.helpful_ids(user, (a.id for a in shown))
    html = render_template(
        "voices/question.html",
        product=product,
        question=question,
        answers=shown,
        helpful=helpful,
        form=form,
        can_answer=qa.can_answer(user, product.id),
        is_seller=is_seller,
        hide_form=HideForm(),
    )
    # Record the view after rendering: its commit would expire the answers shown.
    if status == 200:
        perform(record_event, current_actor(), "answer_viewed", product, question_id=question.id)
    return html, status


@bp.get("/products/<slug>/questions/<int:question_id>")
def question(slug: str, question_id: int):
    product = product_or_404(slug)
    item = qa.get_question(question_id, product.id, signed_in_user())
    return _question_page(product, item, AnswerForm())


def _answer_and_notify(question_id: int, body: str, url: str):
    """Post the answer and queue the asker's e-mail (sent once the answer is committed)."""
    new_answer = qa.answer_question(signed_in_user(), question_id, body)
    qa.send_answer_notification(new_answer, url)
    return new_answer


@bp.post("/products/<slug>/questions/<int:question_id>/answers")
@login_required
@post_limit("VOICES_POST_RATE_LIMIT")
def answer(slug: str, question_id: int):
    product = product_or_404(slug)
    item = qa.get_question(question_id, product.id, signed_in_user())
    form = AnswerForm()
    if not form.validate_on_submit():
        return _question_page(product, item, form, 422)
    url = url_for("voices.question", slug=slug, question_id=item.id, _external=True)
    done = perform(
        _answer_and_notify, item.id, form.body.data, url, form=form, let_through=PAGE_ERRORS
    )
    if not done:
        return _question_page(product, item, form, 422)
    flash("Thanks for answering — the person who asked will get an e-mail.", "success")
    return redirect(
        url_for("voices.question", slug=slug, question_id=item.id) + f"#a{done.value.id}",
        code=303,
    )
