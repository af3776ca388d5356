"""The room's pages for the buying account's members, the invitation link and the shared
result link. Every object is looked up within the signed-in member's own account first, so
another account's ids (or a removed member's) are a 404 before any form is read."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user
from wtforms.fields.choices import SelectChoice

from portal.boundary import perform
from portal.bounds import MAX_ID, bounded_int
from portal.errors import ServiceError
from portal.extensions import db, limiter
from portal.journey.services import Actor, attach_visitor
from portal.journey.tracking import consent_state, current_actor, visitor_id
from portal.mail import queue_mail
from portal.models import COMMITTEE_ROLES, STEP_AUTO_KINDS, ResultShare, RoomInvitation, User
from portal.room import bp, members, plan, shares, shortlist
from portal.room.errors import RoomNotFound
from portal.room.forms import (
    ButtonForm,
    CommentForm,
    InviteForm,
    InviteSignupForm,
    RoleForm,
    ShareForm,
    ShortlistAddForm,
    StepForm,
)
from portal.trials import runs


def _comment_limit() -> str:
    return current_app.config["ROOM_COMMENT_RATE_LIMIT"]


def _invite_limit() -> str:
    return current_app.config["ROOM_INVITE_RATE_LIMIT"]


def _actor_for(user) -> Actor | None:
    return Actor.for_user(user, visitor_id())


def _back(anchor: str = ""):
    return redirect(url_for("room.index") + (f"#{anchor}" if anchor else ""), code=303)


def _room_context(**forms) -> dict:
    account_id = current_user.account_id
    people = members.members_of(account_id)
    items = shortlist.shortlist_of(account_id)
    steps = plan.plan_of(account_id)
    share_form = forms.pop("share_form", None) or ShareForm(formdata=None)
    share_form.run_id.choices = [
        SelectChoice(
            r.sandbox_id, f"{r.product.name if r.product else r.recipe} on {r.dataset.filename}"
        )
        for r in shares.shareable_runs(current_user)
    ]
    if request.args.get("run"):
        share_form.run_id.data = request.args["run"]
    own_role = next((role for user, role in people if user.id == current_user.id), "")
    return {
        "account": current_user.account,
        "people": people,
        "roles": COMMITTEE_ROLES,
        "auto_words": STEP_AUTO_KINDS,
        "invitations": members.pending_invitations(account_id),
        "items": items,
        "compare_slugs": shortlist.compare_slugs(items),
        "shares": shares.shares_of(account_id),
        "steps": steps,
        "done": sum(1 for s in steps if s.status == "active" and s.done),
        "total": sum(1 for s in steps if s.status == "active"),
        "today": datetime.now(UTC).date(),
        "role_form": forms.pop("role_form", None) or RoleForm(formdata=None, role=own_role),
        "invite_form": forms.pop("invite_form", None) or InviteForm(formdata=None),
        "share_form": share_form,
        "step_form": forms.pop("step_form", None) or StepForm(formdata=None),
        "button": ButtonForm(formdata=None),
        "comment_form": CommentForm(formdata=None),
        "new_link": forms.pop("new_link", None),
    }


@bp.get("/account/room")
@login_required
def index():
    return render_template("room/index.html", **_room_context())


@bp.post("/account/room/role")
@login_required
def set_role():
    form = RoleForm()
    if form.validate_on_submit() and perform(
        members.set_role, current_user, form.role.data, current_actor(), form=form
    ):
        flash(f"Your role is now {COMMITTEE_ROLES[form.role.data]}.", "success")
        return _back("members-heading")
    return render_template("room/index.html", **_room_context(role_form=form)), 422


def _invite(form: InviteForm):
    invitation, token = members.invite(
        current_user,
        form.email.data,
        form.invitee_role.data,
        current_actor(),
        current_app.config["ROOM_INVITE_DAYS"],
    )
    queue_mail(
        invitation.email,
        f"{current_user.display_name} invites you to {current_user.account.name}'s buying room",
        "room_invitation",
        inviter=current_user.display_name,
        account_name=current_user.account.name,
        url=url_for("room.invitation", token=token, _external=True),
        expires_at=invitation.expires_at,
    )
    return invitation


@bp.post("/account/room/invitations")
@login_required
@limiter.limit(_invite_limit)
def invite():
    form = InviteForm()
    if form.validate_on_submit():
        done = perform(_invite, form, form=form, fallback_field="email")
        if done:
            flash(f"Invitation sent to {done.value.email}.", "success")
            return _back("members-heading")
    return render_template("room/index.html", **_room_context(invite_form=form)), 422


@bp.post("/account/room/invitations/<int:invitation_id>/revoke")
@login_required
def revoke_invitation(invitation_id: int):
    invitation = db.session.get(RoomInvitation, invitation_id)
    if invitation is None or invitation.account_id != current_user.account_id:
        raise RoomNotFound()
    if ButtonForm().validate_on_submit() and perform(
        members.revoke_invitation, current_user, invitation_id, flash_category="warning"
    ):
        flash(f"The invitation to {invitation.email} no longer works.", "success")
    return _back("members-heading")


@bp.post("/account/room/members/<int:user_id>/remove")
@login_required
def remove_member(user_id: int):
    target = db.session.get(User, user_id)
    if target is None or target.account_id != current_user.account_id:
        raise RoomNotFound()
    if ButtonForm().validate_on_submit():
        done = perform(
            members.remove_member,
            current_user,
            user_id,
            current_actor(),
            flash_category="warning",
            let_through=(RoomNotFound,),
        )
        if done:
            flash(f"{done.value.display_name} is no longer in your room.", "success")
    return _back("members-heading")


# --- the shortlist ---------------------------------------------------------------------------


@bp.post("/account/room/shortlist")
@login_required
def add_to_shortlist():
    form = ShortlistAddForm()
    product_id = bounded_int(form.product_id.data, 1, MAX_ID)
    if not form.validate_on_submit() or product_id is None:
        raise RoomNotFound("We could not find that product.")
    done = perform(
        shortlist.add_to_shortlist,
        current_user,
        product_id,
        current_actor(),
        let_through=(RoomNotFound,),
    )
    flash(f"{done.value.product.name} is on your committee's shortlist.", "success")
    return _back("shortlist-heading")


@bp.post("/account/room/shortlist/<int:item_id>/remove")
@login_required
def remove_from_shortlist(item_id: int):
    shortlist.item_of(current_user, item_id)
    if ButtonForm().validate_on_submit():
        done = perform(shortlist.remove_from_shortlist, current_user, item_id)
        flash(f"{done.value.name} is off the shortlist.", "success")
    return _back("shortlist-heading")


@bp.get("/account/room/shortlist/<int:item_id>")
@login_required
def shortlist_item(item_id: int):
    item = shortlist.item_of(current_user, item_id)
    return render_template("room/item.html", item=item, form=CommentForm(formdata=None))


@bp.post("/account/room/shortlist/<int:item_id>/comments")
@login_required
@limiter.limit(_comment_limit)
def comment(item_id: int):
    item = shortlist.item_of(current_user, item_id)
    form = CommentForm()
    if form.validate_on_submit():
        done = perform(
            shortlist.add_comment, current_user, item_id, form.body.data, current_actor(), form=form
        )
        if done:
            flash("Comment added.", "success")
            return redirect(url_for("room.shortlist_item", item_id=item_id), code=303)
        status = done.status
    else:
        status = 422
    return render_template("room/item.html", item=item, form=form), status


# --- shared results ----------------------------------------------------------------------------


@bp.post("/account/room/shares")
@login_required
def share():
    form = ShareForm()
    if form.validate_on_submit():
        done = perform(
            shares.share_run,
            current_user,
            form.run_id.data,
            form.scope.data,
            form.days.data,
            form.allow_download.data,
            current_actor(),
            current_app.config["ROOM_SHARE_MAX_DAYS"],
            form=form,
            fallback_field="run_id",
        )
        if done:
            share, token = done.value
            if token:
                link = url_for("room.shared_link", token=token, _external=True)
                flash("The read-only link is ready. Copy it now: it is shown only once.", "success")
                return render_template("room/index.html", **_room_context(new_link=link))
            flash("Shared with everyone in your room.", "success")
            return _back("share-heading")
    return render_template("room/index.html", **_room_context(share_form=form)), 422


@bp.post("/account/room/shares/<int:share_id>/revoke")
@login_required
def revoke_share(share_id: int):
    share = db.session.get(ResultShare, share_id)
    if share is None or share.account_id != current_user.account_id:
        raise RoomNotFound()
    if ButtonForm().validate_on_submit() and perform(
        shares.revoke_share,
        current_user,
        share_id,
        current_actor(),
        flash_category="warning",
        let_through=(RoomNotFound,),
    ):
        flash("That result is no longer shared.", "success")
    return _back("share-heading")


def _shared_page(share, *, via_link: bool):
    run = share.run
    result = runs.run_result(run)
    return render_template(
        "room/shared_result.html", share=share, run=run, result=result, via_link=via_link
    )


@bp.get("/account/room/shares/<int:share_id>")
@login_required
def shared_result(share_id: int):
    share = perform(
        shares.view_account_share,
        current_user,
        share_id,
        current_actor(),
        let_through=(ServiceError,),
    ).value
    return _shared_page(share, via_link=False)


@bp.get("/shared/<token>")
def shared_link(token: str):
    """Read-only, no sign-in, no cookie about the viewer."""
    share = perform(shares.view_link_share, token, let_through=(ServiceError,)).value
    response = _shared_page(share, via_link=True)
    return response, 200, {"Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex"}


@bp.get("/shared/<token>/result.csv")
def shared_link_csv(token: str):
    share = shares.view_link_share(token)  # the view is counted only on the page
    db.session.rollback()
    if not share.allow_download:
        raise RoomNotFound("Whoever shared this result did not allow downloads.")
    body = runs.result_csv(share.run)
    return Response(
        body,
        mimetype="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="result.csv"'},
    )


# --- the invitation link -------------------------------------------------------------------------


def _invitation_page(token: str, form=None, status: int = 200):
    invitation = members.invitation_for_token(token)
    return render_template(
        "room/invitation.html",
        invitation=invitation,
        token=token,
        roles=COMMITTEE_ROLES,
        form=form or InviteSignupForm(formdata=None),
        button=ButtonForm(formdata=None),
    ), status


@bp.get("/room/invitations/<token>")
def invitation(token: str):
    return _invitation_page(token)


@bp.post("/room/invitations/<token>/accept")
@login_required
def accept_invitation(token: str):
    members.invitation_for_token(token)
    if not ButtonForm().validate_on_submit():
        return _invitation_page(token, status=400)
    perform(members.accept_invitation, current_user, token, _actor_for, let_through=(ServiceError,))
    flash(f"Welcome to {current_user.account.name}'s buying room.", "success")
    return redirect(url_for("room.index"), code=303)


@bp.post("/room/invitations/<token>/decline")
def decline_invitation(token: str):
    members.invitation_for_token(token)
    if ButtonForm().validate_on_submit():
        perform(members.decline_invitation, token, let_through=(ServiceError,))
        flash("You declined the invitation. Nothing else happens.", "info")
    return redirect(url_for("main.index"), code=303)


def _sign_up(token: str, form: InviteSignupForm):
    consent = consent_state()
    user = members.sign_up_with_invitation(
        token,
        form.password.data,
        form.name.data or "",
        None if consent is None else consent == "accept",
        _actor_for,
    )
    # Their own anonymous journey (if they consented) joins them, as on the sign-up page.
    attach_visitor(user, visitor_id())
    return user


@bp.post("/room/invitations/<token>/signup")
@limiter.limit(lambda: current_app.config["SIGNUP_RATE_LIMIT"])
def invitation_signup(token: str):
    members.invitation_for_token(token)
    if current_user.is_authenticated:
        return redirect(url_for("room.invitation", token=token), code=303)
    form = InviteSignupForm()
    if form.validate_on_submit():
        done = perform(_sign_up, token, form, form=form, fallback_field="password")
        if done:
            login_user(done.value)
            flash(f"Welcome to {done.value.account.name}'s buying room.", "success")
            return redirect(url_for("room.index"), code=303)
    return _invitation_page(token, form, 422)
