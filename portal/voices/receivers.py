"""Erasure and export: trusted voices' part of a person's data.

The receivers are connected when the blueprint package is imported (once per process).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update

from portal.extensions import db
from portal.journey.services import data_exporting, user_erasing
from portal.models import Answer, HelpfulVote, Question, Testimonial, User
from portal.models.base import utcnow
from portal.models.voices import ReferenceProfile, ReferenceRequest
from portal.voices.references import my_requests, reference_profile
from portal.voices.testimonials import recount_helpful


def erase_voices(user: User) -> None:
    """Remove a person from trusted voices before their account is erased.

    Deleted: their testimonials (and votes on them), their votes (counts follow), their
    reference profile and the reference requests they made. Anonymised: questions others
    answered and their answers (the thread stays useful; the name goes). Requests where they
    were the proposed customer go back to the seller as declined.
    """
    voted = list(
        db.session.scalars(select(HelpfulVote.testimonial_id).where(HelpfulVote.user_id == user.id))
    )
    db.session.execute(delete(HelpfulVote).where(HelpfulVote.user_id == user.id))
    recount_helpful(voted)
    own = select(Testimonial.id).where(Testimonial.author_id == user.id)
    db.session.execute(delete(HelpfulVote).where(HelpfulVote.testimonial_id.in_(own)))
    db.session.execute(delete(Testimonial).where(Testimonial.author_id == user.id))
    db.session.execute(
        update(Testimonial)
        .where(Testimonial.moderated_by_id == user.id)
        .values(moderated_by_id=None)
    )
    db.session.execute(delete(ReferenceProfile).where(ReferenceProfile.user_id == user.id))
    db.session.execute(delete(ReferenceRequest).where(ReferenceRequest.requester_id == user.id))
    db.session.execute(
        update(ReferenceRequest)
        .where(ReferenceRequest.reference_id == user.id, ReferenceRequest.status == "proposed")
        .values(status="declined", declined_at=utcnow())
    )
    db.session.execute(
        update(ReferenceRequest)
        .where(ReferenceRequest.reference_id == user.id)
        .values(reference_id=None)
    )
    db.session.execute(
        update(ReferenceRequest)
        .where(ReferenceRequest.proposed_by_id == user.id)
        .values(proposed_by_id=None)
    )
    for request_ in db.session.scalars(select(ReferenceRequest)):
        if user.id in (request_.declined_reference_ids or []):
            request_.declined_reference_ids = [
                i for i in request_.declined_reference_ids if i != user.id
            ]
    db.session.execute(
        update(Answer)
        .where(Answer.author_id == user.id)
        .values(author_id=None, display_name="", purchased_at=None)
    )
    answered = select(Answer.question_id).where(Answer.author_id.is_not(None))
    db.session.execute(
        delete(Question).where(Question.author_id == user.id, Question.id.not_in(answered))
    )
    db.session.execute(update(Question).where(Question.author_id == user.id).values(author_id=None))
    db.session.flush()
    db.session.expire_all()


def export_voices(user: User) -> dict:
    """The person's testimonials, votes, reference profile, requests, questions, answers."""

    def when(moment: datetime | None) -> str | None:
        return moment.isoformat() if moment else None

    testimonials = db.session.scalars(select(Testimonial).where(Testimonial.author_id == user.id))
    votes = db.session.scalars(
        select(HelpfulVote.testimonial_id).where(HelpfulVote.user_id == user.id)
    )
    profile = reference_profile(user.id)
    questions = db.session.scalars(select(Question).where(Question.author_id == user.id))
    answers = db.session.scalars(select(Answer).where(Answer.author_id == user.id))
    introductions = db.session.scalars(
        select(ReferenceRequest).where(ReferenceRequest.reference_id == user.id)
    )
    return {
        "testimonials": [
            {
                "product": t.product.slug,
                "rating": t.rating,
                "title": t.title,
                "body": t.body,
                "role": t.role,
                "industry": t.industry,
                "company_size": t.company_size,
                "display_name": t.display_name,
                "status": t.status,
                "rejection_reason": t.rejection_reason,
                "created_at": when(t.created_at),
            }
            for t in testimonials
        ],
        "helpful_votes": list(votes),
        "reference_profile": None
        if profile is None
        else {
            "is_active": profile.is_active,
            "industry": profile.industry,
            "company_size": profile.company_size,
            "role": profile.role,
            "topics": profile.topics,
            "availability": profile.availability,
            "monthly_cap": profile.monthly_cap,
        },
        "reference_requests": [
            {
                "product": r.product.slug,
                "status": r.status,
                "industry": r.industry,
                "company_size": r.company_size,
                "role": r.role,
                "topics": r.topics,
                "message": r.message,
                "created_at": when(r.created_at),
            }
            for r in my_requests(user.id)
        ],
        "introductions_as_reference": [
            {"product": r.product.slug, "status": r.status, "proposed_at": when(r.proposed_at)}
            for r in introductions
        ],
        "questions": [
            {"product": q.product.slug, "title": q.title, "body": q.body} for q in questions
        ],
        "answers": [{"question_id": a.question_id, "body": a.body} for a in answers],
    }


def _on_user_erasing(sender, user, **_extra) -> None:
    erase_voices(user)


def _on_data_exporting(sender, user, **_extra):
    return "voices", export_voices(user)


user_erasing.connect(_on_user_erasing)
data_exporting.connect(_on_data_exporting)
