"""Forms for trusted voices. Every text field has a length limit; services check again."""

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from portal.models.voices import (
    ANSWER_MAX,
    AVAILABILITY_MAX,
    BODY_MAX,
    COMPANY_SIZES,
    DISPLAY_CHOICES,
    INDUSTRIES,
    MESSAGE_MAX,
    MONTHLY_CAP_MAX,
    NAME_MAX,
    PROS_MAX,
    QUESTION_BODY_MAX,
    QUESTION_TITLE_MAX,
    REASON_MAX,
    REFERENCE_TOPICS,
    REPLY_MAX,
    ROLE_MAX,
    SOURCE_MAX,
    TITLE_MAX,
    USE_CASE_MAX,
)

RATINGS = {5: "5 stars", 4: "4 stars", 3: "3 stars", 2: "2 stars", 1: "1 star"}
RATING_CHOICES = [SelectChoice(value, label) for value, label in RATINGS.items()]


def _choices(vocabulary: dict, blank: str | None = None) -> list[SelectChoice]:
    options = [SelectChoice(value, label) for value, label in vocabulary.items()]
    return [SelectChoice("", blank), *options] if blank is not None else options


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _topics_field(label: str) -> MultiCheckboxField:
    return MultiCheckboxField(
        label, choices=_choices(REFERENCE_TOPICS), validators=[Optional()], validate_choice=True
    )


def _industry_field(label: str = "Industry") -> SelectField:
    return SelectField(
        label,
        choices=_choices(INDUSTRIES, "Choose…"),
        validators=[DataRequired(message="Choose your industry.")],
    )


def _company_size_field(label: str = "Company size") -> SelectField:
    return SelectField(
        label,
        choices=_choices(COMPANY_SIZES, "Choose…"),
        validators=[DataRequired(message="Choose your company size.")],
    )


class TestimonialForm(FlaskForm):
    rating = RadioField(
        "Your rating",
        choices=RATING_CHOICES,
        coerce=int,
        validators=[InputRequired(message="Choose a rating from 1 to 5 stars.")],
    )
    title = StringField(
        "Headline",
        validators=[
            DataRequired(message="Give your testimonial a headline."),
            Length(3, TITLE_MAX),
        ],
        description="One sentence a prospect would want to read first.",
    )
    body = TextAreaField(
        "Your experience",
        validators=[
            DataRequired(message="Tell prospects about your experience."),
            Length(30, BODY_MAX, message=f"Write between 30 and {BODY_MAX} characters."),
        ],
        description="What problem did it solve, what surprised you, what would you tell a peer?",
    )
    role = StringField(
        "Your role",
        validators=[DataRequired(message="Enter your role."), Length(2, ROLE_MAX)],
        description="For example: Head of Revenue Operations.",
    )
    industry = _industry_field("Industry")
    company_size = _company_size_field("Company size")
    display_choice = RadioField(
        "Show my name as",
        choices=_choices(DISPLAY_CHOICES),
        default="initial",
        validators=[InputRequired(message="Choose how to show your name.")],
    )


def _score_field(label: str, low: int, high: int, description: str = "") -> SelectField:
    choices = [
        SelectChoice("", "Skip"),
        *(SelectChoice(str(n), str(n)) for n in range(low, high + 1)),
    ]
    return SelectField(label, choices=choices, validators=[Optional()], description=description)


class ReviewDepthForm(TestimonialForm):
    """The testimonial with the depth buyers know from review sites (all optional)."""

    ease_of_use = _score_field("Ease of use", 1, 5, "1 (hard) to 5 (easy).")
    support_rating = _score_field("Quality of support", 1, 5)
    value_rating = _score_field("Value for money", 1, 5)
    recommend = _score_field(
        "How likely are you to recommend it to a peer?", 0, 10, "0 (not at all) to 10 (certainly)."
    )
    pros = TextAreaField("What you like", validators=[Optional(), Length(max=PROS_MAX)])
    cons = TextAreaField("What could be better", validators=[Optional(), Length(max=PROS_MAX)])
    use_case = StringField(
        "What you use it for",
        validators=[Optional(), Length(max=USE_CASE_MAX)],
        description="For example: weekly sales forecast for 40 reps.",
    )


class ReplyForm(FlaskForm):
    body = TextAreaField(
        "Public reply from the team",
        validators=[DataRequired("Write a reply."), Length(10, REPLY_MAX)],
    )


class ImportStoryForm(FlaskForm):
    product_id = SelectField("Product", coerce=int, validators=[InputRequired()])
    display_name = StringField(
        "Customer name as published",
        validators=[Optional(), Length(max=NAME_MAX)],
        description="For example: Maria Lopez, Harbor Freight Co. Leave empty if anonymous.",
    )
    role = StringField("Role", validators=[Optional(), Length(max=ROLE_MAX)])
    industry = SelectField(
        "Industry", choices=_choices(INDUSTRIES, "Choose…"), validators=[DataRequired()]
    )
    company_size = SelectField(
        "Company size", choices=_choices(COMPANY_SIZES, "Choose…"), validators=[DataRequired()]
    )
    rating = RadioField("Rating", choices=RATING_CHOICES, coerce=int, validators=[InputRequired()])
    title = StringField("Headline", validators=[DataRequired(), Length(3, TITLE_MAX)])
    body = TextAreaField("The story", validators=[DataRequired(), Length(30, BODY_MAX)])
    source_note = StringField(
        "Source",
        validators=[DataRequired(message="Say where the story comes from."), Length(5, SOURCE_MAX)],
        description="Where it was published, e.g. 'Case study on northwind.example, May 2025'.",
    )


class RejectForm(FlaskForm):
    reason = TextAreaField(
        "Reason for the author",
        validators=[
            DataRequired(message="Tell the author why, so they can rewrite it."),
            Length(5, REASON_MAX),
        ],
    )


class TestimonialFilterForm(FlaskForm):
    """The GET filters on the testimonials page (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    industry = SelectField("Industry", choices=_choices(INDUSTRIES, "All industries"))
    company_size = SelectField("Company size", choices=_choices(COMPANY_SIZES, "All sizes"))
    rating = SelectField(
        "Rating", choices=_choices({str(v): label for v, label in RATINGS.items()}, "Any rating")
    )
    sort = SelectField("Sort by", choices=_choices({"helpful": "Most helpful", "newest": "Newest"}))


class ReferenceRequestForm(FlaskForm):
    product_id = HiddenField(validators=[DataRequired()])
    industry = _industry_field("Your industry")
    company_size = _company_size_field("Your company size")
    role = StringField(
        "Your role", validators=[Optional(), Length(max=ROLE_MAX)], description="Optional."
    )
    topics = _topics_field("I'd like to hear about")
    message = TextAreaField(
        "What do you want to learn?",
        validators=[
            DataRequired(message="Tell us what you want to learn from the customer."),
            Length(15, MESSAGE_MAX, message=f"Write between 15 and {MESSAGE_MAX} characters."),
        ],
        description="The customer reads this before deciding to take the call.",
    )


class ReferenceProfileForm(FlaskForm):
    is_active = BooleanField("I'm happy to talk to prospects about products I use")
    industry = _industry_field("Your industry")
    company_size = _company_size_field("Company size")
    role = StringField("Your role", validators=[Optional(), Length(max=ROLE_MAX)])
    topics = _topics_field("Topics I can talk about")
    availability = StringField(
        "When you're usually available",
        validators=[Optional(), Length(max=AVAILABILITY_MAX)],
        description="For example: Tuesday and Thursday afternoons, CET; 30 minutes.",
    )
    monthly_cap = IntegerField(
        "Introductions per month, at most",
        default=2,
        validators=[
            InputRequired(message="Enter a number."),
            NumberRange(1, MONTHLY_CAP_MAX, message=f"Choose between 1 and {MONTHLY_CAP_MAX}."),
        ],
    )


class ProposeForm(FlaskForm):
    reference_id = HiddenField(validators=[DataRequired()])
    note = TextAreaField("Note to the customer", validators=[Optional(), Length(max=REASON_MAX)])


class CloseRequestForm(FlaskForm):
    reason = StringField("Why close it?", validators=[DataRequired(), Length(5, REASON_MAX)])


class QuestionForm(FlaskForm):
    title = StringField(
        "Your question",
        validators=[
            DataRequired(message="Write your question."),
            Length(10, QUESTION_TITLE_MAX, message="Write between 10 and 200 characters."),
        ],
    )
    body = TextAreaField(
        "Details",
        validators=[Optional(), Length(max=QUESTION_BODY_MAX)],
        description="Optional: your situation, so customers can answer well.",
    )


class AnswerForm(FlaskForm):
    body = TextAreaField(
        "Your answer",
        validators=[
            DataRequired(message="Write your answer."),
            Length(10, ANSWER_MAX, message=f"Write between 10 and {ANSWER_MAX} characters."),
        ],
    )


class HideForm(FlaskForm):
    reason = StringField("Reason", validators=[Optional(), Length(max=REASON_MAX)])
