"""Sign-in with Google (OpenID Connect) and GitHub (OAuth 2) through Authlib, each only when its client id is set.
An account is linked by the address the provider says it verified; an unverified address signs nobody in."""

from __future__ import annotations

from typing import Any

from authlib.integrations.flask_client import OAuth
from flask import Flask, current_app

LABELS = {"google": "Google", "github": "GitHub"}
# How long a request to a provider may take (its discovery document, token, user info): Authlib sets no limit, so a
# provider that never answers would hold the worker until gunicorn killed it.
TIMEOUT_SECONDS = 10.0


def init_app(app: Flask) -> None:
    oauth = OAuth(app)
    settings = app.config
    if settings["GOOGLE_CLIENT_ID"]:
        oauth.register(
            "google",
            client_id=settings["GOOGLE_CLIENT_ID"],
            client_secret=settings["GOOGLE_CLIENT_SECRET"],
            server_metadata_url=settings["GOOGLE_DISCOVERY_URL"],
            client_kwargs={"scope": "openid email profile", "default_timeout": TIMEOUT_SECONDS},
        )
    if settings["GITHUB_CLIENT_ID"]:
        site = settings["GITHUB_URL"].rstrip("/")  # GitHub Enterprise: its own host, for these and the API
        oauth.register(
            "github",
            client_id=settings["GITHUB_CLIENT_ID"],
            client_secret=settings["GITHUB_CLIENT_SECRET"],
            authorize_url=f"{site}/login/oauth/authorize",
            access_token_url=f"{site}/login/oauth/access_token",
            api_base_url=settings["GITHUB_API_URL"].rstrip("/") + "/",  # a folder, so "user/emails" joins under it
            client_kwargs={"scope": "user:email", "default_timeout": TIMEOUT_SECONDS},
        )
    app.extensions["betscore.oauth"] = oauth


def providers() -> list[str]:
    """The providers this app offers, in the order the sign-in page shows them."""
    settings = current_app.config
    return [name for name in LABELS if settings[f"{name.upper()}_CLIENT_ID"]]


def client(name: str) -> Any:
    """Authlib's client for a configured provider (the caller checked `name in providers()`)."""
    return current_app.extensions["betscore.oauth"].create_client(name)


def verified_email(name: str, token: dict[str, Any]) -> str | None:
    """The address the provider verified for the signed-in person, or None."""
    if name == "google":
        claims = token.get("userinfo") or {}
        email = claims.get("email")
        return email if isinstance(email, str) and claims.get("email_verified") is True else None
    answer = client(name).get("user/emails", token=token)
    answer.raise_for_status()
    for entry in answer.json():
        if isinstance(entry, dict) and entry.get("primary") and entry.get("verified"):
            email = entry.get("email")
            return email if isinstance(email, str) else None
    return None
