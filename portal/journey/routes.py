import json

from flask import Response, flash, g, redirect, render_template, request, url_for
from flask_login import current_user, login_required, logout_user

from portal.auth.services import check_password
from portal.boundary import perform
from portal.journey import bp
from portal.journey.forms import ConsentForm, DeleteAccountForm
from portal.journey.services import (
    erase_user,
    export_user_data,
    forget_visitor,
    new_visitor_id,
    set_user_consent,
)
from portal.journey.tracking import set_consent_cookies, visitor_id
from portal.security import safe_next


@bp.post("/consent")
def consent():
    form = ConsentForm()
    if not form.validate_on_submit():
        flash("Please choose accept or decline.", "warning")
        return redirect(url_for("journey.privacy"))
    accepted = form.choice.data == "accept"
    vid = visitor_id()
    if accepted and not vid:
        vid = g.new_visitor_id = new_visitor_id()
    perform(_record_choice, accepted, vid)
    flash(
        "Thanks — we'll use what you do here to tailor the portal and help our team help you."
        if accepted
        else "Understood — we won't track anything about your visit.",
        "success",
    )
    response = redirect(safe_next(form.next.data) or url_for("journey.privacy"))
    set_consent_cookies(response, accepted, vid)
    return response


def _record_choice(accepted: bool, vid: str | None) -> None:
    """Forget a declining visitor's data; remember a signed-in person's choice."""
    if not accepted and vid:
        forget_visitor(vid)
    if current_user.is_authenticated:
        set_user_consent(current_user, accepted)


@bp.get("/privacy")
def privacy():
    return render_template("journey/privacy.html", form=ConsentForm(next=request.path))


@bp.get("/account/data")
@login_required
def export_data():
    data = export_user_data(current_user)
    return Response(
        json.dumps(data, indent=2, default=str),
        mimetype="application/json",
        headers={"Content-Disposition": 'attachment; filename="testdrive-my-data.json"'},
    )


@bp.route("/account/delete", methods=["GET", "POST"])
@login_required
def delete_account():
    form = DeleteAccountForm()
    if form.validate_on_submit():
        if not check_password(current_user, form.password.data):
            form.password.errors.append("That password is not right.")
        else:
            user = current_user._get_current_object()
            logout_user()
            perform(erase_user, user)
            flash("Your account and everything we stored about you are deleted.", "success")
            return redirect(url_for("main.index"))
    return render_template("journey/delete_account.html", form=form), (422 if form.errors else 200)
