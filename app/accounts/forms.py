"""The sign-in form (Flask-WTF: CSRF-protected, validated field by field, no NUL in any field)."""

from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length, Regexp

from app.web.forms import Form

# The shape of an address, not its deliverability: sign-in only compares it with stored ones.
EMAIL_SHAPE = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


def _strip(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


class LoginForm(Form):
    email = EmailField(
        "Email",
        filters=[_strip],
        validators=[DataRequired(), Length(max=254), Regexp(EMAIL_SHAPE, message="Enter an email address.")],
    )
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])
