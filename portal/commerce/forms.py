from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from portal.bounds import MAX_ID
from portal.commerce.settings import COUNTRIES

COUNTRY_CHOICES = [SelectChoice("", "Choose a country")] + [
    SelectChoice(code, name) for code, name in COUNTRIES
]
BUYER_CHOICES = [
    SelectChoice("business", "A company or organisation"),
    SelectChoice("consumer", "Myself, as a private person"),
]
PAYMENT_CHOICES = [
    SelectChoice("card", "Card (Stripe)"),
    SelectChoice("invoice", "Invoice / purchase order"),
]

MAX_QUANTITY = 1_000_000


class QuantityField(IntegerField):
    """A whole number of seats or licences, with a message a buyer understands."""

    def process_formdata(self, valuelist):
        if not valuelist or valuelist[0].strip() == "":
            self.data = None
            return
        raw = valuelist[0].strip()
        if not raw.lstrip("-").isdigit() or len(raw) > 12:
            self.data = None
            raise ValueError(
                "Enter a whole number, like 3."
                if not raw.lstrip("-").isdigit()
                else "That quantity is far too large."
            )
        self.data = int(raw)


def _quantity_field(label: str = "Quantity") -> QuantityField:
    return QuantityField(
        label,
        validators=[
            InputRequired(message="Enter how many you need."),
            NumberRange(min=1, message="Choose at least 1."),
            NumberRange(max=MAX_QUANTITY, message="That quantity is far too large."),
        ],
    )


class AddItemForm(FlaskForm):
    plan_id = IntegerField(
        "Plan",
        validators=[InputRequired(message="Choose a plan."), NumberRange(min=1, max=MAX_ID)],
    )
    quantity = _quantity_field()


class UpdateItemForm(FlaskForm):
    quantity = _quantity_field()


class ChangePlanForm(FlaskForm):
    plan_id = IntegerField(
        "Plan",
        validators=[InputRequired(message="Choose a plan."), NumberRange(min=1, max=MAX_ID)],
    )


class RemoveItemForm(FlaskForm):
    pass


class CountryForm(FlaskForm):
    country = SelectField("Country for tax", choices=COUNTRY_CHOICES, default="")


class CheckoutForm(FlaskForm):
    buyer_type = RadioField(
        "Who is buying?",
        choices=BUYER_CHOICES,
        default="business",
        validators=[Optional()],  # missing (an old form, the API): a company, as before
    )
    legal_name = StringField(
        "Company legal name",
        validators=[DataRequired(message="Enter the name for the invoice."), Length(max=200)],
        description="As it should appear on the invoice (your full name when buying privately).",
    )
    address = TextAreaField(
        "Billing address",
        validators=[DataRequired(message="Enter the billing address."), Length(max=500)],
    )
    country = SelectField(
        "Country",
        choices=COUNTRY_CHOICES,
        validators=[DataRequired(message="Choose the billing country.")],
        description="Decides the VAT.",
    )
    tax_id = StringField(
        "Tax / VAT id",
        validators=[Optional(), Length(max=40)],
        description=(
            "EU companies outside the seller's country: your VAT id, for the reverse charge "
            "(0 % VAT). Optional."
        ),
    )
    po_number = StringField(
        "Purchase order number",
        validators=[Optional(), Length(max=60)],
        description="Optional: we print it on the quote and invoice.",
    )
    payment_method = RadioField(
        "How do you want to pay?",
        choices=PAYMENT_CHOICES,
        validators=[InputRequired(message="Choose how you want to pay.")],
    )
    # The review step's Pricing.fingerprint(): placing the order checks it is still the same.
    reviewed = HiddenField()

    @property
    def business(self) -> bool:
        return self.buyer_type.data != "consumer"


class PaymentRetryForm(FlaskForm):
    pass


class MarkPaidForm(FlaskForm):
    reference = StringField(
        "Bank reference",
        validators=[Optional(), Length(max=60)],
        description="Optional: the transfer's reference, for the history.",
    )


class CancelOrderForm(FlaskForm):
    reason = StringField("Reason", validators=[Optional(), Length(max=300)])


class RefundForm(FlaskForm):
    reason = StringField("Reason", validators=[Optional(), Length(max=300)])


class QuoteRequestForm(FlaskForm):
    """The buyer's company details for a quote (nothing is ordered)."""

    legal_name = StringField(
        "Company legal name",
        validators=[DataRequired(message="Enter your company's legal name."), Length(max=200)],
        description="As it should appear on the quote.",
    )
    address = TextAreaField(
        "Address",
        validators=[DataRequired(message="Enter your company's address."), Length(max=500)],
    )
    country = SelectField(
        "Country",
        choices=COUNTRY_CHOICES,
        validators=[DataRequired(message="Choose your country.")],
        description="Decides the tax treatment.",
    )
    tax_id = StringField(
        "VAT id",
        validators=[Optional(), Length(max=40)],
        description="Optional. EU businesses with a valid VAT id in another member state pay "
        "no VAT (reverse charge).",
    )
    business = BooleanField("We are buying as a business", default=True)
    po_number = StringField(
        "Your reference",
        validators=[Optional(), Length(max=60)],
        description="Optional: a purchase request or project number we print on the quote.",
    )


class AcceptQuoteForm(FlaskForm):
    full_name = StringField(
        "Your full name",
        validators=[
            DataRequired(message="Type your full name to sign."),
            Length(min=2, max=200, message="Type your full name to sign."),
        ],
    )
    title = StringField(
        "Your title",
        validators=[DataRequired(message="Enter your title or role."), Length(max=200)],
        description="For example Head of Procurement.",
    )
    authorised = BooleanField(
        "I am authorised to sign for this company",
        validators=[DataRequired(message="Confirm that you are authorised to sign.")],
    )
    payment_method = RadioField(
        "How do you want to pay?",
        choices=PAYMENT_CHOICES,
        default="invoice",
        validators=[InputRequired(message="Choose how you want to pay.")],
    )
    document_sha256 = HiddenField(validators=[DataRequired(), Length(min=64, max=64)])


class QuoteActionForm(FlaskForm):
    """Renew (buyer) or approve (seller): a button and the CSRF token."""
