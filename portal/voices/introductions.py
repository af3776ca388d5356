"""Reference calls, the introducing side: a seller proposes a customer, the customer accepts or
declines, the call is completed or the request closed. Contact details travel only in the
introduction e-mails, queued when the customer accepts and sent once that is committed.
"""

from __future__ import annotations

from sqlalchemy import select, update

from portal.extensions import db
from portal.journey.services import Actor, record_event
from portal.mail import queue_mail
from portal.models import ReferenceProfile, ReferenceRequest, User
from portal.models.base import utcnow
from portal.models.voices import REASON_MAX
from portal.voices.customers import verified_purchase
from portal.voices.errors import Conflict, InvalidInput, NotAllowed, NotFound
from portal.voices.references import introductions_this_month, reference_profile
from portal.voices.text import clean_text


def _transition(
    reference_request: ReferenceRequest, allowed_from: tuple[str, ...], to: str, **values
) -> ReferenceRequest:
    """Move a request to ``to`` only if it is still in one of ``allowed_from``.

    A conditional UPDATE makes the check and the change one step, so a double click or two
    people acting at once cannot both win (and nobody gets two introduction e-mails).
    """
    result = db.session.execute(
        update(ReferenceRequest)
        .where(
            ReferenceRequest.id == reference_request.id,
            ReferenceRequest.status.in_(allowed_from),
        )
        .values(status=to, **values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.refresh(reference_request)
        raise Conflict(f"That request is already {reference_request.status}.")
    db.session.flush()
    db.session.refresh(reference_request)
    return reference_request


def _get_request(request_id: int) -> ReferenceRequest:
    reference_request = db.session.get(ReferenceRequest, request_id)
    if reference_request is None:
        raise NotFound("That reference request does not exist.")
    return reference_request


def propose_reference(
    seller: User, request_id: int, reference_id: int, note: str = ""
) -> ReferenceRequest:
    """A seller asks an opted-in customer whether they would take the prospect's call."""
    if not seller.has_role("seller"):
        raise NotAllowed("Only the vendor's team can propose introductions.")
    reference_request = _get_request(request_id)
    note = clean_text(note, label="the note", max_len=REASON_MAX, field="note", multiline=True)
    # Lock the profile (PostgreSQL) so two sellers cannot both take the last slot of the cap.
    profile = db.session.scalar(
        select(ReferenceProfile).where(ReferenceProfile.user_id == reference_id).with_for_update()
    )
    if profile is None or not profile.is_active:
        raise InvalidInput("That customer is not available as a reference.", "reference_id")
    reference = db.session.get(User, reference_id)
    if (
        reference is None
        or reference.id == reference_request.requester_id
        or reference.account_id == reference_request.requester.account_id
        or reference.id in (reference_request.declined_reference_ids or [])
        or verified_purchase(reference.id, reference_request.product_id) is None
    ):
        raise InvalidInput("That customer can't be proposed for this request.", "reference_id")
    if introductions_this_month([reference.id]).get(reference.id, 0) >= profile.monthly_cap:
        raise Conflict(
            f"{reference.display_name} has reached their limit of {profile.monthly_cap} "
            "introductions this month. Pick someone else or try next month."
        )
    return _transition(
        reference_request,
        ("requested", "declined"),
        "proposed",
        reference_id=reference.id,
        proposed_by_id=seller.id,
        proposed_at=utcnow(),
        seller_note=note,
        close_reason="",
    )


def _as_reference(customer: User, request_id: int) -> ReferenceRequest:
    reference_request = _get_request(request_id)
    if reference_request.reference_id != customer.id:
        raise NotFound("That introduction is not waiting for you.")
    return reference_request


def accept_introduction(customer: User, request_id: int) -> ReferenceRequest:
    """The proposed customer says yes: the request becomes an introduction.

    The caller commits and then sends ``send_introduction_emails``.
    """
    reference_request = _as_reference(customer, request_id)
    return _transition(reference_request, ("proposed",), "introduced", introduced_at=utcnow())


def decline_introduction(customer: User, request_id: int) -> ReferenceRequest:
    """The proposed customer says no; nothing about them reaches the prospect."""
    reference_request = _as_reference(customer, request_id)
    declined = [*(reference_request.declined_reference_ids or []), customer.id]
    return _transition(
        reference_request,
        ("proposed",),
        "declined",
        reference_id=None,
        declined_reference_ids=declined,
        declined_at=utcnow(),
    )


def complete_introduction(user: User, request_id: int) -> ReferenceRequest:
    """Mark the call as held: by a seller, the prospect or the customer."""
    reference_request = _get_request(request_id)
    involved = user.id in (reference_request.requester_id, reference_request.reference_id)
    if not (involved or user.has_role("seller")):
        raise NotFound("That introduction is not yours.")
    done = _transition(reference_request, ("introduced",), "completed", completed_at=utcnow())
    # Credited to the prospect (their consent decides), whoever marked it held.
    record_event(
        Actor.for_user(done.requester),
        "reference_call_held",
        done.product_id,
        request_id=done.id,
    )
    return done


def close_request(seller: User, request_id: int, reason: str) -> ReferenceRequest:
    """A seller closes a request no customer can take (it ends as declined)."""
    if not seller.has_role("seller"):
        raise NotAllowed("Only the vendor's team can close requests.")
    reference_request = _get_request(request_id)
    reason = clean_text(
        reason, label="a reason", max_len=REASON_MAX, min_len=5, field="reason", multiline=True
    )
    return _transition(
        reference_request,
        ("requested", "declined"),
        "declined",
        close_reason=reason,
        declined_at=utcnow(),
    )


def _contact(user: User, role: str = "") -> dict[str, str]:
    company = "" if user.account.is_personal else user.account.name
    return {"name": user.display_name, "email": user.email, "company": company, "role": role}


def send_proposal_email(reference_request: ReferenceRequest, url: str) -> None:
    """Ask the customer; the prospect's contact details are not in it."""
    customer = reference_request.reference
    if customer is None:
        return
    queue_mail(
        customer.email,
        f"Would you talk to a {reference_request.product.name} prospect?",
        "reference_proposed",
        customer=customer,
        req=reference_request,
        url=url,
    )


def send_introduction_emails(reference_request: ReferenceRequest) -> None:
    """After acceptance: each side gets the other's contact details."""
    customer, prospect = reference_request.reference, reference_request.requester
    if customer is None or reference_request.status != "introduced":
        return
    profile = reference_profile(customer.id)
    customer_contact = _contact(customer, profile.role if profile else "")
    prospect_contact = _contact(prospect, reference_request.role)
    product = reference_request.product.name
    queue_mail(
        prospect.email,
        f"Meet {customer_contact['name']}, a {product} customer",
        "reference_introduction",
        recipient=prospect,
        other=customer_contact,
        other_is="customer",
        availability=profile.availability if profile else "",
        req=reference_request,
    )
    queue_mail(
        customer.email,
        f"Introduction: {prospect_contact['name']} would like to hear about {product}",
        "reference_introduction",
        recipient=customer,
        other=prospect_contact,
        other_is="prospect",
        availability="",
        req=reference_request,
    )
