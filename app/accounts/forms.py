"""Accounts' forms (Flask-WTF: CSRF-protected, validated field by field, each bad field its own message)."""

from __future__ import annotations

from typing import Any

from wtforms import BooleanField, EmailField, Field, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length, Regexp, ValidationError

from app.accounts import passwords
from app.web.forms import Form

# The shape of an address, not its deliverability: a confirmation email proves that.
EMAIL_SHAPE = r"^[^@\s\x00-\x1f]+@[^@\s\x00-\x1f]+\.[^@\s\x00-\x1f]+$"


def _strip(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


def _acceptable_password(_form: Any, field: Field) -> None:
    problem = passwords.problem(field.data or "")
    if problem:
        raise ValidationError(problem)


def _email() -> EmailField:
    return EmailField(
        "Email",
        filters=[_strip],
        validators=[
            DataRequired("Enter your email address."),
            Length(max=254, message="An email address has at most 254 characters."),
            Regexp(EMAIL_SHAPE, message="Enter an email address."),
        ],
    )


def _current_password(label: str = "Password") -> PasswordField:
    return PasswordField(
        label,
        validators=[
            DataRequired("Enter your password."),
            Length(max=200, message="That is longer than any password here."),
        ],
    )


def _new_password(label: str = "New password") -> PasswordField:
    return PasswordField(label, validators=[DataRequired("Choose a password."), _acceptable_password])


def _repeat(label: str = "Repeat the password") -> PasswordField:
    return PasswordField(label, validators=[EqualTo("password", message="The two passwords differ.")])


class LoginForm(Form):
    email = _email()
    password = _current_password()
    remember = BooleanField("Keep me signed in on this device")


class SignupForm(Form):
    email = _email()
    password = _new_password("Password")
    confirm = _repeat()


class ResetRequestForm(Form):
    email = _email()


class ResetForm(Form):
    password = _new_password()
    confirm = _repeat()


class ChangePasswordForm(Form):
    current = _current_password("Current password")
    password = _new_password()
    confirm = _repeat()


class DeleteForm(Form):
    current = _current_password("Your password, to confirm")


class ActionForm(Form):
    """A button that changes something: only its CSRF token."""
