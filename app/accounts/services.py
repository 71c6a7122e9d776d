"""Accounts: look-ups, sign-up, passwords, sessions' epoch, the user's data and its deletion, and the admin guard."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import bcrypt
from flask import abort, current_app
from flask_login import current_user
from sqlalchemy import func, select

from app import clock
from app.accounts import passwords, signals
from app.accounts.mail import smtp_configured
from app.accounts.models import NO_PASSWORD, User
from app.extensions import db, login

F = TypeVar("F", bound=Callable[..., Any])
# Compared against when the email is unknown, so a wrong email costs as long as a wrong password.
_DUMMY_HASH = bcrypt.hashpw(b"not-a-password", bcrypt.gensalt()).decode()
MAX_ID = 2**31 - 1


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


def authenticate(email: str, password: str) -> User | None:
    user = find_by_email(email)
    if user is None:
        bcrypt.checkpw(b"x", _DUMMY_HASH.encode())
        return None
    return user if user.check_password(password) else None


def create_user(email: str, password: str, admin: bool = False) -> User:
    """A new user; raises ValueError on a taken email or an unacceptable password. No commit."""
    email = normalise_email(email)
    if "@" not in email or len(email) > 254:
        raise ValueError(f"not an email address: {email!r}")
    if find_by_email(email) is not None:
        raise ValueError(f"a user with email {email} already exists")
    problem = passwords.problem(password)
    if problem:
        raise ValueError(problem)
    user = User(email=email, is_admin=admin)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def user_from_provider(email: str) -> User:
    """The account of an address Google or GitHub verified: the existing one (linked by that address, and now
    confirmed), or a new one with no password. No commit."""
    user = find_by_email(email)
    if user is None:
        user = User(email=normalise_email(email), password_hash=NO_PASSWORD)
        db.session.add(user)
    elif user.email_confirmed_at is None:
        # Someone may have signed up with this address, unconfirmed, before its owner came through the provider:
        # their password and sessions end here, so the account is the owner's alone.
        user.password_hash = NO_PASSWORD
        end_other_sessions(user)
    if user.email_confirmed_at is None:
        user.email_confirmed_at = clock.now()
    db.session.flush()
    return user


def may_record_bets(user: User) -> bool:
    """Bets are recorded for a confirmed address, or for any account when this server sends no email."""
    return user.email_confirmed_at is not None or not smtp_configured()


def confirm_email(user: User) -> None:
    if user.email_confirmed_at is None:
        user.email_confirmed_at = clock.now()


def end_other_sessions(user: User) -> None:
    """Every session and remember-me cookie of this user stops working; the caller signs the current one in again."""
    user.session_epoch += 1


def set_new_password(user: User, password: str) -> None:
    """Change the password (a reset or a change) and end the user's other sessions. No commit."""
    user.set_password(password)
    end_other_sessions(user)


def export(user: User) -> dict[str, Any]:
    """Everything BetScore keeps about the user, as JSON-able values: the account, and a section per feature."""
    data: dict[str, Any] = {
        "account": {
            "email": user.email,
            "created_at": user.created_at.isoformat(),
            "email_confirmed_at": user.email_confirmed_at.isoformat() if user.email_confirmed_at else None,
            "is_admin": user.is_admin,
            "signs_in_with_password": user.password_hash != NO_PASSWORD,
        }
    }
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    for _receiver, (section, value) in signals.exporting.send(app, user_id=user.id):
        data[section] = value
    return data


def delete_account(user: User) -> None:
    """Features delete or anonymise the user's rows, then the user row goes. No commit: the caller commits once."""
    signals.deleting.send(current_app._get_current_object(), user_id=user.id)  # type: ignore[attr-defined]
    db.session.delete(user)


@login.user_loader
def load_user(user_id: str) -> User | None:
    """The user a session names, while its epoch is the user's current one (ids are "<id>:<epoch>")."""
    ident, _, epoch = user_id.partition(":")
    # A few ASCII digits only: str.isdigit() also takes '²', and thousands of digits, both of which int() refuses.
    plain = all(part.isascii() and part.isdigit() and len(part) <= 18 for part in (ident, epoch))
    if not plain or int(ident) > MAX_ID:
        return None
    user = db.session.get(User, int(ident))
    return user if user is not None and str(user.session_epoch) == epoch else None


def admin_required(view: F) -> F:
    """Signed-out visitors go to sign-in; signed-in non-admins get 403."""

    @functools.wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return login.unauthorized()
        if not current_user.is_admin:
            abort(403, "This page is for administrators.")
        return view(*args, **kwargs)

    return guarded  # type: ignore[return-value]
