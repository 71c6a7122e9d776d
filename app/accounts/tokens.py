"""Signed, expiring tokens for the links accounts email: confirm an address, reset a password.

A reset token carries a fingerprint of the password hash it was made for, so it works once: the reset changes the
hash. A confirmation token carries the address it confirms. Both are timed by the app's clock."""

from __future__ import annotations

import hashlib
from typing import Any

from flask import current_app
from itsdangerous import BadData, TimestampSigner, URLSafeTimedSerializer

from app import clock
from app.accounts.models import User
from app.extensions import db

RESET_MAX_AGE = 3600
CONFIRM_MAX_AGE = 7 * 24 * 3600


class _ClockSigner(TimestampSigner):
    def get_timestamp(self) -> int:
        return int(clock.now().timestamp())


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(
        current_app.config["SECRET_KEY"], salt=f"betscore.accounts.{purpose}", signer=_ClockSigner
    )


def _fingerprint(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def _load(purpose: str, token: str, max_age: int) -> dict[str, Any] | None:
    try:
        data = _serializer(purpose).loads(token, max_age=max_age)
    except (BadData, UnicodeError, ValueError):
        return None
    return data if isinstance(data, dict) and isinstance(data.get("u"), int) else None


def reset_token(user: User) -> str:
    return _serializer("reset").dumps({"u": user.id, "h": _fingerprint(user)})


def user_for_reset(token: str) -> User | None:
    """The user a reset token is for, while it is unexpired and their password is still the one it was made for."""
    data = _load("reset", token, RESET_MAX_AGE)
    user = db.session.get(User, data["u"]) if data else None
    return user if user is not None and data is not None and data.get("h") == _fingerprint(user) else None


def confirm_token(user: User) -> str:
    return _serializer("confirm").dumps({"u": user.id, "e": user.email})


def user_for_confirm(token: str) -> User | None:
    """The user a confirmation token is for, while it is unexpired and their address is still the one it names."""
    data = _load("confirm", token, CONFIRM_MAX_AGE)
    user = db.session.get(User, data["u"]) if data else None
    return user if user is not None and data is not None and data.get("e") == user.email else None
