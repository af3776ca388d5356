from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField
from wtforms.validators import AnyOf, DataRequired


class ConsentForm(FlaskForm):
    choice = HiddenField(validators=[DataRequired(), AnyOf(["accept", "decline"])])
    next = HiddenField()


class DeleteAccountForm(FlaskForm):
    password = PasswordField(
        "Your password", validators=[DataRequired(message="Enter your password to confirm.")]
    )
