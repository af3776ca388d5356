from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from portal.auth import bp, signups
from portal.auth.forms import (
    ConfirmSignupForm,
    ForgotPasswordForm,
    LoginForm,
    ResetPasswordForm,
    SignupForm,
)
from portal.auth.services import (
    authenticate,
    end_sessions,
    find_user_by_email,
    issue_reset_token,
    normalise_email,
    set_password,
    user_for_reset_token,
)
from portal.boundary import perform, perform_after_response
from portal.extensions import limiter
from portal.journey.services import Actor, attach_device, attach_visitor, record_event
from portal.journey.tracking import consent_state, device_owner_key, visitor_id
from portal.mail import queue_mail
from portal.models import SignupRequest, User
from portal.security import safe_next


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _login_account_limit() -> str:
    return current_app.config["LOGIN_ACCOUNT_RATE_LIMIT"]


def _login_account_key() -> str:
    """Failed sign-ins count per address too, so spreading guesses over many IPs does not
    help; every address gets a bucket, whether or not it has an account."""
    return "account:" + normalise_email(request.form.get("email", ""))[:254]


def _failed_sign_in(response: Response) -> bool:
    return response.status_code == 422


def _signup_limit() -> str:
    return current_app.config["SIGNUP_RATE_LIMIT"]


def _signup_address_limit() -> str:
    return current_app.config["SIGNUP_ADDRESS_RATE_LIMIT"]


def _signup_address_key() -> str:
    """Sign-ups that mail an address count per address, from any IP: nobody can flood an
    inbox with confirmation links. Every address gets a bucket, known or not."""
    return "signup:" + normalise_email(request.form.get("email", ""))[:254]


def _mailed(response: Response) -> bool:
    return response.status_code == 200 and request.method == "POST"


def _after_sign_in(user, kind: str) -> None:
    """Carry the visitor's consent and earlier journey over to the signed-in user."""
    vid = visitor_id()
    if user.tracking_consent is None and consent_state() is not None:
        user.tracking_consent = consent_state() == "accept"
    attach_visitor(user, vid)
    attach_device(user, device_owner_key())
    record_event(Actor.for_user(user, vid), kind)


def _send_signup_mail(
    email: str, password: str, name: str, company: str | None, next_path: str | None
) -> None:
    """After the response: a confirmation link for a new address, a "you have an account"
    note for a known one. The page said the same either way, equally fast."""
    config = current_app.config
    found = signups.request_signup(
        email,
        password,
        name=name,
        company=company,
        next_path=next_path,
        max_age=config["SIGNUP_CONFIRM_MAX_AGE"],
    )
    if isinstance(found, User):
        queue_mail(
            found.email,
            "Someone tried to sign up with your address",
            "signup_existing",
            user=found,
            login_url=url_for("auth.login", _external=True),
            forgot_url=url_for("auth.forgot_password", _external=True),
        )
        return
    token = signups.confirmation_token(found, config["SECRET_KEY"])
    queue_mail(
        found.email,
        "Confirm your Testdrive sign-up",
        "signup_confirm",
        signup=found,
        confirm_url=url_for("auth.confirm_signup", token=token, _external=True),
        hours=config["SIGNUP_CONFIRM_MAX_AGE"] // 3600,
    )


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit(_signup_limit, methods=["POST"])
@limiter.limit(
    _signup_address_limit, key_func=_signup_address_key, methods=["POST"], deduct_when=_mailed
)
def signup():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = SignupForm()
    if form.validate_on_submit():
        # Nothing about the address is looked up before the answer: new and known
        # addresses get the same page, and the work (hashing, mail) happens after it.
        perform_after_response(
            _send_signup_mail,
            form.email.data,
            form.password.data,
            form.name.data or "",
            form.company.data or None,
            safe_next(request.args.get("next")),
        )
        return render_template("auth/signup_sent.html", email=form.email.data)
    status = 422 if form.errors else 200
    return render_template("auth/signup.html", form=form), status


def _confirm(signup: SignupRequest, password: str) -> User:
    user = signups.confirm_signup(signup, password)
    _after_sign_in(user, "signed_up")
    return user


@bp.route("/signup/confirm/<token>", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def confirm_signup(token: str):
    config = current_app.config
    pending = signups.signup_for_token(
        token, config["SECRET_KEY"], config["SIGNUP_CONFIRM_MAX_AGE"]
    )
    if pending is None:
        flash(
            "That confirmation link has expired or was already used. Sign up again, "
            "or sign in if your account is confirmed.",
            "warning",
        )
        return redirect(url_for("auth.signup"))
    form = ConfirmSignupForm()
    next_path = pending.next_path
    if form.validate_on_submit():
        done = perform(_confirm, pending, form.password.data, form=form, fallback_field="password")
        if done:
            user = done.value
            login_user(user)
            flash(f"Welcome to Testdrive, {user.display_name}!", "success")
            return redirect(safe_next(next_path) or url_for("main.index"))
    status = 422 if form.errors else 200
    return render_template("auth/signup_confirm.html", form=form, email=pending.email), status


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
@limiter.limit(
    _login_account_limit,
    key_func=_login_account_key,
    methods=["POST"],
    deduct_when=_failed_sign_in,
)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is None:
            form.password.errors.append("That e-mail and password do not match an account.")
        else:
            perform(_after_sign_in, user, "logged_in")
            login_user(user, remember=form.remember.data)
            flash(f"Signed in as {user.email}.", "success")
            return redirect(safe_next(request.args.get("next")) or url_for("main.index"))
    status = 422 if form.errors else 200
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout():
    # A saved copy of this session or remember cookie must not sign in again, and a signed
    # cookie cannot be recalled one by one: raising the version ends every session.
    perform(end_sessions, current_user._get_current_object())
    logout_user()
    flash("You are signed out, on this device and every other.", "info")
    return redirect(url_for("main.index"))


@bp.post("/account/sign-out-elsewhere")
@login_required
def sign_out_elsewhere():
    user = current_user._get_current_object()
    remembered = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies
    perform(end_sessions, user)
    # This session (and its remember cookie, if any) carries the new version; others do not.
    login_user(user, remember=remembered)
    flash("Every other session of your account is signed out.", "success")
    return redirect(url_for("commerce.account"))


def _send_reset_link(email: str) -> None:
    """Mail a reset link when ``email`` has an account. Runs after the response was sent,
    so known and unknown addresses answer alike and equally fast."""
    user = find_user_by_email(email)
    if user is None:
        return
    token = issue_reset_token(user, current_app.config["SECRET_KEY"])
    queue_mail(
        user.email,
        "Reset your Testdrive password",
        "password_reset",
        user=user,
        reset_url=url_for("auth.reset_password", token=token, _external=True),
        minutes=current_app.config["PASSWORD_RESET_MAX_AGE"] // 60,
    )


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        perform_after_response(_send_reset_link, form.email.data)
        # Same answer either way, so the form does not reveal who has an account.
        flash("If that address has an account, a reset link is on its way.", "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot.html", form=form), (422 if form.errors else 200)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    user = user_for_reset_token(
        token, current_app.config["SECRET_KEY"], current_app.config["PASSWORD_RESET_MAX_AGE"]
    )
    if user is None:
        flash("That reset link has expired or was already used. Ask for a new one.", "warning")
        return redirect(url_for("auth.forgot_password"))
    form = ResetPasswordForm()
    if form.validate_on_submit() and perform(
        set_password, user, form.password.data, form=form, fallback_field="password"
    ):
        flash("Your password is changed. Sign in with the new one.", "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", form=form), (422 if form.errors else 200)
