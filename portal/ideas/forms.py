"""Forms of the ideas board. Every text field has a length limit; services check again."""

from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from portal.models.ideas import (
    IDEA_BODY_MAX,
    IDEA_COMMENT_MAX,
    IDEA_NOTE_MAX,
    IDEA_STATUSES,
    IDEA_TITLE_MAX,
)


class IdeaForm(FlaskForm):
    title = StringField(
        "Your idea in a sentence",
        validators=[DataRequired("Enter a title."), Length(max=IDEA_TITLE_MAX)],
    )
    description = TextAreaField(
        "Why it matters to you",
        description="Plain text, or a little Markdown: *emphasis*, lists, links.",
        validators=[Optional(), Length(max=IDEA_BODY_MAX)],
    )
    product_id = SelectField("Product", coerce=str, validators=[Optional()], validate_choice=True)


class CommentForm(FlaskForm):
    body = TextAreaField(
        "Add a comment",
        validators=[DataRequired("Write a comment."), Length(max=IDEA_COMMENT_MAX)],
    )


class ActionForm(FlaskForm):
    """A button that only needs the CSRF token (vote, withdraw, hide)."""

    next = HiddenField()


class StatusForm(FlaskForm):
    status = SelectField(
        "Status",
        choices=[SelectChoice(code, label) for code, label in IDEA_STATUSES.items()],
        validators=[InputRequired()],
    )
    note = TextAreaField(
        "Public note",
        description="Shown on the idea and in the e-mail to its voters.",
        validators=[Optional(), Length(max=IDEA_NOTE_MAX)],
    )


class MergeForm(FlaskForm):
    target_id = IntegerField(
        "Merge into idea number", validators=[InputRequired("Enter the idea's number.")]
    )
