"""Sign-in with Google, against a real OpenID Connect provider on loopback (oidc-provider-mock, built on Authlib's
server): discovery, the authorisation code, the token and a signed ID token, all over HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import pytest
from oidc_provider_mock import run_server_in_thread
from sqlalchemy import select

from app.accounts.models import NO_PASSWORD, User
from app.extensions import db
from tests.accounts.conftest import PASSWORD, sign_in, signed_in

# The provider (oidc-provider-mock 0.3.4) still configures its ID tokens through an Authlib server API that Authlib
# 1.9 deprecates; the warning is the provider's, in its own thread, and says nothing of our client.
pytestmark = pytest.mark.filterwarnings("ignore:get_jwt_config:DeprecationWarning")


@pytest.fixture
def google(app, monkeypatch) -> Iterator[str]:
    """A provider on loopback, configured as the app's Google; yields its base URL."""
    with run_server_in_thread() as server:
        base = f"http://localhost:{server.server_port}"
        monkeypatch.setitem(app.config, "GOOGLE_CLIENT_ID", "betscore-test")
        monkeypatch.setitem(app.config, "GOOGLE_CLIENT_SECRET", "betscore-test-secret")
        monkeypatch.setitem(app.config, "GOOGLE_DISCOVERY_URL", f"{base}/.well-known/openid-configuration")
        from app.accounts import oauth

        oauth.init_app(app)  # registers Google with the settings above
        yield base
    app.extensions["betscore.oauth"] = None


def _through_provider(client, base: str, sub: str, claims: dict) -> object:
    """The visitor's round trip: our redirect, the provider's consent form (choosing `sub`), our callback."""
    httpx.put(f"{base}/users/{sub}", json=claims).raise_for_status()
    start = client.get("/login/google")
    assert start.status_code == 302 and start.headers["Location"].startswith(base)
    consent = httpx.post(start.headers["Location"], data={"sub": sub}, follow_redirects=False)
    callback = urlsplit(consent.headers["location"])
    assert callback.path == "/login/google/callback"
    return client.get(f"{callback.path}?{callback.query}")


def test_google_button_shows_only_when_configured(app, client, google):
    assert "Continue with Google" in client.get("/login").get_data(as_text=True)
    assert "Continue with GitHub" not in client.get("/login").get_data(as_text=True)


def test_sign_in_with_google_makes_a_confirmed_account(client, google):
    answer = _through_provider(client, google, "g-1", {"email": "new.fan@example.com", "email_verified": True})
    assert answer.status_code == 303 and signed_in(client)
    user = db.session.scalar(select(User).where(User.email == "new.fan@example.com"))
    assert user.email_confirmed_at is not None and user.password_hash == NO_PASSWORD


def test_google_links_an_existing_account_by_verified_email(client, make_user, google):
    make_user("fan@example.com", PASSWORD)
    answer = _through_provider(client, google, "g-2", {"email": "Fan@Example.com", "email_verified": True})
    assert answer.status_code == 303 and signed_in(client)
    assert db.session.scalar(select(db.func.count()).select_from(User).where(User.email == "fan@example.com")) == 1


def test_an_unconfirmed_squatters_password_stops_working_when_the_owner_comes_through_google(
    browser, client, make_user, smtp, google
):
    squatter = browser()
    make_user("owner@example.com", PASSWORD)  # signed up by someone else, never confirmed
    sign_in(squatter, "owner@example.com")
    _through_provider(client, google, "g-3", {"email": "owner@example.com", "email_verified": True})
    assert signed_in(client) and not signed_in(squatter)
    assert sign_in(browser(), "owner@example.com").status_code == 400


def test_an_unverified_address_signs_nobody_in(client, google):
    answer = _through_provider(client, google, "g-4", {"email": "maybe@example.com", "email_verified": False})
    assert answer.status_code == 303 and not signed_in(client)
    assert db.session.scalar(select(User).where(User.email == "maybe@example.com")) is None


def test_a_forged_callback_signs_nobody_in(client, google):
    client.get("/login/google")
    answer = client.get("/login/google/callback?code=made-up&state=made-up")
    assert answer.status_code == 303 and not signed_in(client)


def test_unconfigured_providers_are_404(client):
    assert client.get("/login/google").status_code == 404
    assert client.get("/login/github/callback").status_code == 404
