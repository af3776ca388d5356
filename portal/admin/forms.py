from flask_wtf import FlaskForm


class CheckAgainForm(FlaskForm):
    """A button (with its CSRF token) that runs the isolation check again."""
