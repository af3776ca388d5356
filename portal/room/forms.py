"""The room's forms. Services validate again: these only read and shape the input."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from portal.models import COMMITTEE_ROLES

ROLE_CHOICES = [SelectChoice("", "Choose a role")] + [
    SelectChoice(code, words) for code, words in COMMITTEE_ROLES.items()
]


class ButtonForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


class RoleForm(FlaskForm):
    role = SelectField("Your role in this purchase", choices=ROLE_CHOICES)


class InviteForm(FlaskForm):
    email = EmailField(
        "Colleague's e-mail",
        validators=[DataRequired(message="Enter their e-mail address."), Length(max=254)],
        description="Any address: a colleague, a consultant, your CFO.",
    )
    invitee_role = SelectField("Their role (they can change it)", choices=ROLE_CHOICES)


class ShortlistAddForm(FlaskForm):
    product_id = HiddenField(validators=[DataRequired()])


class CommentForm(FlaskForm):
    body = TextAreaField(
        "Comment", validators=[DataRequired(message="Write a comment first."), Length(max=2000)]
    )


class ShareForm(FlaskForm):
    run_id = SelectField("Demo result", choices=[], validate_choice=False)
    scope = RadioField(
        "Share with",
        choices=[
            SelectChoice("account", "Everyone in our room"),
            SelectChoice("link", "Anyone with a read-only link"),
        ],
        default="account",
    )
    days = IntegerField(
        "Link valid for (days)", default=7, validators=[Optional(), NumberRange(min=1, max=365)]
    )
    allow_download = BooleanField("Let link viewers download the result as CSV")


class StepForm(FlaskForm):
    title = StringField(
        "New step", validators=[DataRequired(message="Name the step."), Length(max=120)]
    )
    due_on = DateField("Due", validators=[Optional()])


class StepUpdateForm(FlaskForm):
    assignee = SelectField("Owner", choices=[], validate_choice=False)
    due_on = DateField("Due", validators=[Optional()])


class InviteSignupForm(FlaskForm):
    name = StringField("Your name", validators=[Optional(), Length(max=120)])
    password = PasswordField(
        "Password",
        validators=[DataRequired(message="Choose a password."), Length(max=256)],
        description="At least 10 characters; not a common password.",
    )


class TemplateForm(FlaskForm):
    steps = TextAreaField(
        "Plan steps",
        validators=[Length(max=8000)],
        description="One step per line. End a line with “| own_data_demo”, “| reference_call”, "
        "“| quote_accepted” or “| order_paid” to let it complete itself.",
    )
