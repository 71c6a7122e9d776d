"""The strict limits on the forms that guess at accounts (sign-in, sign-up, password reset): per client address, and
per account, keyed by the address in the form, so neither many addresses against one account nor one address
against many accounts gets far."""

from __future__ import annotations

import hashlib

from flask import current_app, request

from app.accounts.services import normalise_email
from app.extensions import limiter


def _per_address() -> str:
    return current_app.config["RATELIMIT_LOGIN"]


def _per_account() -> str:
    return current_app.config["RATELIMIT_ACCOUNT"]


def account_key() -> str:
    """The account a form names, hashed: the limit's storage (Redis) never holds an address."""
    email = normalise_email(request.form.get("email", ""))
    return "account:" + hashlib.sha256(email.encode(errors="replace")).hexdigest()[:32]


# Shared across the three forms: a guesser cannot spread attempts over sign-in, sign-up and reset.
per_address = limiter.shared_limit(_per_address, scope="accounts-address", methods=["POST"])
per_account = limiter.shared_limit(_per_account, scope="accounts-account", key_func=account_key, methods=["POST"])
