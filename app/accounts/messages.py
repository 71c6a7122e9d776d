"""The two emails accounts send: confirm your address, reset your password."""

from __future__ import annotations

from flask import url_for

from app.accounts import mail, tokens
from app.accounts.models import User

CONFIRM = (
    "Confirm your BetScore email address",
    "Welcome to BetScore.\n\nConfirm your email address by opening this link (it works for 7 days):\n\n{link}\n\n"
    "If you did not sign up, ignore this email: nothing happens without the link.\n",
)
RESET = (
    "Reset your BetScore password",
    "Someone, probably you, asked to reset your BetScore password.\n\n"
    "Choose a new one by opening this link (it works once, for an hour):\n\n{link}\n\n"
    "If it was not you, ignore this email: your password stays as it is.\n",
)


def _send(user: User, endpoint: str, token: str, message: tuple[str, str]) -> None:
    subject, body = message
    link = url_for(endpoint, token=token, _external=True)
    mail.send(user.email, subject, body.format(link=link), link)


def send_confirmation(user: User) -> None:
    _send(user, "accounts.confirm", tokens.confirm_token(user), CONFIRM)


def send_reset(user: User) -> None:
    _send(user, "accounts.reset", tokens.reset_token(user), RESET)
