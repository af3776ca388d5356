from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, ValidationError

from portal.auth.services import AuthError, check_email, password_problem


def valid_email(form, field) -> None:
    try:
        field.data = check_email(field.data or "")
    except AuthError as error:
        raise ValidationError(str(error)) from None


def acceptable_password(form, field) -> None:
    if field.data and (problem := password_problem(field.data)):
        raise ValidationError(problem)


class SignupForm(FlaskForm):
    name = StringField("Your name", validators=[Optional(), Length(max=120)])
    email = EmailField(
        "Work e-mail",
        validators=[
            DataRequired(message="Enter your e-mail address."),
            valid_email,
            Length(max=254),
        ],
    )
    company = StringField("Company", validators=[Optional(), Length(max=200)])
    password = PasswordField(
        "Password",
        validators=[
            DataRequired(message="Choose a password."),
            Length(max=256),
            acceptable_password,
        ],
        description="At least 10 characters; not a common password.",
    )


class ConfirmSignupForm(FlaskForm):
    password = PasswordField(
        "Password",
        validators=[DataRequired(message="Enter the password you chose."), Length(max=256)],
        description="The one you chose when you signed up.",
    )


class LoginForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(message="Enter your e-mail address.")])
    password = PasswordField("Password", validators=[DataRequired(message="Enter your password.")])
    remember = BooleanField("Keep me signed in")


class ForgotPasswordForm(FlaskForm):
    email = EmailField(
        "E-mail",
        validators=[
            DataRequired(message="Enter your e-mail address."),
            valid_email,
        ],
    )


class ResetPasswordForm(FlaskForm):
    password = PasswordField(
        "New password",
        validators=[DataRequired(message="Choose a password."), Length(max=256)],
        description="At least 10 characters; not a common password.",
    )
    confirm = PasswordField(
        "Repeat the new password",
        validators=[DataRequired(), EqualTo("password", message="The two passwords differ.")],
    )
