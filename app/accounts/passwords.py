"""What makes a password acceptable: long enough, at most bcrypt's 72 bytes, and not one of the most common.

common-passwords.txt.gz is Django's list (django/contrib/auth/common-passwords.txt.gz, Django 5.2, BSD licence): the
20,000 most common passwords from Royce Williams' public compilation, lowercased, most common first. Compared
lowercased, as Django does."""

from __future__ import annotations

import functools
import gzip
from pathlib import Path

from app.accounts.models import MIN_PASSWORD_LENGTH

COMMON_PASSWORDS = Path(__file__).with_name("common-passwords.txt.gz")


@functools.cache
def _common() -> frozenset[str]:
    with gzip.open(COMMON_PASSWORDS, "rt", encoding="utf-8") as lines:
        return frozenset(line.strip() for line in lines if line.strip())


def is_common(password: str) -> bool:
    return password.strip().lower() in _common()


def problem(password: str) -> str | None:
    """Why this password cannot be used, in words for the form; None when it can."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Use at least {MIN_PASSWORD_LENGTH} characters."
    if len(password.encode()) > 72:
        return "Use at most 72 bytes (fewer characters, or fewer accented ones)."
    if "\x00" in password:
        return "A password cannot contain a NUL character."
    if is_common(password):
        return "That password is one of the most common ones; choose another."
    return None
