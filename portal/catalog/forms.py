"""Catalog administration forms. They check shape (required, lengths, numbers); the catalog
rules themselves (unique slug, price bounds, ISO currency, quantities) are in ``editing``."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from portal.models import BILLING_PERIODS, RESOURCE_KINDS

BILLING_LABELS = {"one_time": "One-time", "monthly": "Monthly", "yearly": "Yearly"}
KIND_LABELS = {"datasheet": "Datasheet (PDF)", "guide": "Guide (PDF)", "video": "Video link"}
SORT_ORDER = {"validators": [Optional(), NumberRange(min=-1000, max=1000)], "default": 0}


class ProductForm(FlaskForm):
    name = StringField(
        "Name", validators=[DataRequired(message="Give the product a name."), Length(max=120)]
    )
    slug = StringField(
        "Slug",
        validators=[DataRequired(message="Choose a slug."), Length(max=80)],
        description="Part of the address: /products/<slug>. Lower-case letters, digits, hyphens.",
    )
    tagline = StringField("Tagline", validators=[Optional(), Length(max=200)])
    category = StringField(
        "Category", validators=[DataRequired(message="Give a category."), Length(max=60)]
    )
    use_cases = StringField(
        "Use cases",
        validators=[Optional(), Length(max=1000)],
        description="Comma-separated, e.g. Demand forecasting, Inventory planning.",
    )
    description_md = TextAreaField(
        "Description",
        validators=[Optional(), Length(max=20_000)],
        description="Markdown. Scripts and unsafe links are removed when shown.",
    )
    features = TextAreaField(
        "Features",
        validators=[Optional(), Length(max=20_000)],
        description='One per line: "Title: what it does".',
    )
    specs = TextAreaField(
        "Specifications",
        validators=[Optional(), Length(max=20_000)],
        description='One per line: "Label: value", e.g. "Deployment: Cloud".',
    )
    recipe = StringField(
        "Sandbox recipe",
        validators=[Optional(), Length(max=60)],
        description="The demo this product runs on a buyer's data, e.g. demand_radar.",
    )
    is_featured = BooleanField("Feature on the home page")
    sort_order = IntegerField("Position", **SORT_ORDER)


class PlanForm(FlaskForm):
    name = StringField(
        "Plan name", validators=[DataRequired(message="Name the plan."), Length(max=80)]
    )
    description = StringField("Description", validators=[Optional(), Length(max=300)])
    amount = StringField(
        "Price",
        validators=[InputRequired(message="Enter a price (0 for free)."), Length(max=30)],
        description="In the currency's units, e.g. 49.00 or 250000.",
    )
    currency = StringField(
        "Currency",
        default="USD",
        validators=[DataRequired(message="Enter a currency code."), Length(max=3)],
        description="ISO 4217 code, e.g. USD, EUR, GBP.",
    )
    billing = SelectField(
        "Billing",
        choices=[SelectChoice(b, BILLING_LABELS[b]) for b in BILLING_PERIODS],
        default="monthly",
    )
    per_seat = BooleanField("Priced per seat")
    min_quantity = IntegerField(
        "Minimum quantity",
        default=1,
        validators=[InputRequired(message="Enter a number."), NumberRange(min=1, max=100_000)],
    )
    max_quantity = IntegerField(
        "Maximum quantity",
        default=1,
        validators=[InputRequired(message="Enter a number."), NumberRange(min=1, max=100_000)],
    )
    sort_order = IntegerField("Position", **SORT_ORDER)


class ResourceForm(FlaskForm):
    kind = SelectField(
        "Kind",
        choices=[SelectChoice(k, KIND_LABELS[k]) for k in RESOURCE_KINDS],
    )
    title = StringField(
        "Title", validators=[DataRequired(message="Give a title."), Length(max=160)]
    )
    summary = StringField("Summary", validators=[Optional(), Length(max=400)])
    file = FileField("PDF file", description="Datasheets and guides: a PDF of at most 20 MB.")
    url = URLField(
        "Video link", validators=[Optional(), Length(max=500)], description="For videos: https://…"
    )
    sort_order = IntegerField("Position", **SORT_ORDER)


class FaqForm(FlaskForm):
    question = StringField(
        "Question", validators=[DataRequired(message="Write the question."), Length(max=300)]
    )
    answer_md = TextAreaField(
        "Answer",
        validators=[DataRequired(message="Write the answer."), Length(max=5000)],
        description="Markdown.",
    )
    sort_order = IntegerField("Position", **SORT_ORDER)


class ConfirmForm(FlaskForm):
    """An empty form: archive, restore and delete buttons carry only the CSRF token."""
