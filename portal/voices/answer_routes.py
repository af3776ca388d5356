"""Buttons under an answer: the asker accepts it, readers mark it helpful (or take either
back). Each is a POST with the CSRF token, rate-limited like the other voices votes."""

from __future__ import annotations

from flask import flash, request, url_for
from flask_login import login_required

from portal.boundary import perform
from portal.voices import answers, bp
from portal.voices.errors import PAGE_ERRORS, NotFound
from portal.voices.routes import back, product_or_404, signed_in_user
from portal.voices.settings import post_limit


def _wants(field: str) -> bool:
    """``field=0`` takes the accept / helpful mark back; anything else sets it."""
    return request.form.get(field, "1") != "0"


def _back_to_answer(slug: str, question_id: int, answer_id: int):
    default = url_for("voices.question", slug=slug, question_id=question_id)
    return back(f"{default}#a{answer_id}")


@bp.post("/products/<slug>/questions/<int:question_id>/answers/<int:answer_id>/accept")
@login_required
@post_limit("VOICES_VOTE_RATE_LIMIT")
def accept_answer(slug: str, question_id: int, answer_id: int):
    product = product_or_404(slug)
    accepted = _wants("accepted")
    done = perform(
        answers.accept_answer,
        signed_in_user(),
        answer_id,
        question_id,
        product.id,
        accepted,
        let_through=PAGE_ERRORS,  # not the asker: 403; no such answer: 404
    )
    if done:
        flash(
            "Marked as the answer that helped you; it now shows first."
            if accepted
            else "No answer is marked as the one that helped you now.",
            "success",
        )
    return _back_to_answer(slug, question_id, answer_id)


@bp.post("/products/<slug>/questions/<int:question_id>/answers/<int:answer_id>/helpful")
@login_required
@post_limit("VOICES_VOTE_RATE_LIMIT")
def answer_helpful(slug: str, question_id: int, answer_id: int):
    product = product_or_404(slug)
    helpful = _wants("helpful")
    done = perform(
        answers.set_helpful,
        signed_in_user(),
        answer_id,
        question_id,
        product.id,
        helpful,
        flash_category="warning",  # e.g. one's own answer
        let_through=(NotFound,),
    )
    if done:
        if helpful:
            message = "Thanks — marked as helpful." if done.value else "You already marked it."
        else:
            message = "Helpful mark taken back." if done.value else "You had not marked it."
        flash(message, "success" if done.value else "info")
    return _back_to_answer(slug, question_id, answer_id)
