"""Accounts: look-ups and the admin guard."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import bcrypt
from flask import abort
from flask_login import current_user
from sqlalchemy import func, select

from app.accounts.models import User
from app.extensions import db, login

F = TypeVar("F", bound=Callable[..., Any])
# Compared against when the email is unknown, so a wrong email costs as long as a wrong password.
_DUMMY_HASH = bcrypt.hashpw(b"not-a-password", bcrypt.gensalt()).decode()


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
    """A new user; raises ValueError on a taken email or a weak password. No commit."""
    email = normalise_email(email)
    if "@" not in email or len(email) > 254:
        raise ValueError(f"not an email address: {email!r}")
    if find_by_email(email) is not None:
        raise ValueError(f"a user with email {email} already exists")
    user = User(email=email, is_admin=admin)
    user.set_password(password)
    db.session.add(user)
    return user


@login.user_loader
def load_user(user_id: str) -> User | None:
    return db.session.get(User, int(user_id)) if user_id.isdigit() else None


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
