from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField, URLField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange


class StageForm(FlaskForm):
    name = StringField(
        "Name", validators=[DataRequired(message="Give the stage a name."), Length(max=60)]
    )
    position = IntegerField(
        "Position",
        validators=[InputRequired(message="Give a position."), NumberRange(min=0, max=1000)],
        description="Stages are ordered by position, lowest first.",
    )
    probability = IntegerField(
        "Win probability (%)",
        validators=[InputRequired(message="Give a percentage."), NumberRange(min=0, max=100)],
    )
    criteria = TextAreaField(
        "Entry criteria",
        validators=[Length(max=500)],
        description="Event counts joined with AND, OR, NOT and parentheses, e.g. "
        "demo_completed >= 1 AND testimonials_viewed >= 1. Empty: every deal qualifies.",
    )
    stalled_after_days = IntegerField(
        "Stalled after (days without activity)",
        validators=[InputRequired(message="Give a number of days."), NumberRange(min=0, max=3650)],
        description="0 means deals in this stage are never flagged stalled.",
    )
    is_won = BooleanField("This stage means the deal is won")
    notify_on_entry = BooleanField("Alert sellers when a deal enters this stage")
    description = StringField("Description", validators=[Length(max=300)])


class OwnerForm(FlaskForm):
    owner = SelectField("Owner", coerce=str, choices=[])


class LostForm(FlaskForm):
    reason = StringField(
        "Why is it lost?",
        validators=[DataRequired(message="Say why the deal is lost."), Length(max=300)],
    )


class NoteForm(FlaskForm):
    body = TextAreaField(
        "Note", validators=[DataRequired(message="Write something."), Length(max=4000)]
    )


class TokenForm(FlaskForm):
    name = StringField(
        "Token name",
        validators=[DataRequired(message="Name the token."), Length(max=80)],
        description="What will use it, e.g. “CRM sync”.",
    )


class WebhookForm(FlaskForm):
    url = URLField(
        "Endpoint URL",
        validators=[DataRequired(message="Enter the URL to POST to."), Length(max=500)],
    )
    description = StringField("Description", validators=[Length(max=200)])
