"""Sign-in with GitHub, against a small GitHub of our own on a real loopback socket (werkzeug in a thread): the
authorisation redirect, the code for a token (JSON or form-encoded, as GitHub answers), and `/user/emails`."""

from __future__ import annotations

import secrets
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from sqlalchemy import select
from werkzeug.datastructures import Authorization
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from app.accounts.models import NO_PASSWORD, User
from app.extensions import db
from tests.accounts.conftest import PASSWORD, sign_in, signed_in

CLIENT_ID, CLIENT_SECRET = "betscore-gh-test", "betscore-gh-secret"


@dataclass
class FakeGitHub:
    """GitHub's OAuth app flow as GitHub answers it: auto-approves the next visitor as `emails` (GitHub's list of the
    account's addresses), and, like GitHub, reports a token request's errors as a 200 with an `error` field."""

    emails: list[dict[str, Any]] = field(default_factory=list)
    codes: dict[str, tuple[str, list[dict[str, Any]]]] = field(default_factory=dict)  # code: (redirect_uri, emails)
    tokens: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    token_requests: list[dict[str, str]] = field(default_factory=list)
    cancel: bool = False  # the visitor presses Cancel on GitHub's consent page

    def __call__(self, environ, start_response):
        request = Request(environ)
        route = {
            ("GET", "/login/oauth/authorize"): self.authorize,
            ("POST", "/login/oauth/access_token"): self.access_token,
            ("GET", "/user"): self.user,
            ("GET", "/user/emails"): self.user_emails,
        }.get((request.method, request.path))
        answer = route(request) if route else Response("Not Found", 404)
        return answer(environ, start_response)

    def authorize(self, request: Request) -> Response:
        args = request.args
        if args.get("client_id") != CLIENT_ID or args.get("response_type", "code") != "code":
            return Response("unknown client", 400)
        assert "user:email" in args.get("scope", "").split()
        if self.cancel:
            denied = {"error": "access_denied", "error_description": "The user has denied your application access."}
            denied["state"] = args.get("state", "")
            return Response(status=302, headers={"Location": f"{args['redirect_uri']}?{urlencode(denied)}"})
        code = secrets.token_hex(10)
        self.codes[code] = (args["redirect_uri"], list(self.emails))
        callback = f"{args['redirect_uri']}?{urlencode({'code': code, 'state': args.get('state', '')})}"
        return Response(status=302, headers={"Location": callback})

    def access_token(self, request: Request) -> Response:
        form = request.form.to_dict()
        self.token_requests.append(form)
        basic = request.authorization if isinstance(request.authorization, Authorization) else None
        client_id = basic.username if basic and basic.type == "basic" else form.get("client_id")
        client_secret = basic.password if basic and basic.type == "basic" else form.get("client_secret")
        if (client_id, client_secret) != (CLIENT_ID, CLIENT_SECRET):
            return self._token_answer(request, {"error": "incorrect_client_credentials"})
        issued = self.codes.pop(form.get("code", ""), None)
        if issued is None:
            return self._token_answer(
                request, {"error": "bad_verification_code", "error_description": "The code passed is incorrect."}
            )
        redirect_uri, emails = issued
        if form.get("redirect_uri") not in (None, redirect_uri):
            return self._token_answer(request, {"error": "redirect_uri_mismatch"})
        token = secrets.token_hex(16)
        self.tokens[token] = emails
        return self._token_answer(request, {"access_token": token, "token_type": "bearer", "scope": "user:email"})

    @staticmethod
    def _token_answer(request: Request, fields: dict[str, str]) -> Response:
        if "application/json" in request.headers.get("Accept", ""):
            return Response(httpx.Response(200, json=fields).text, mimetype="application/json")
        return Response(urlencode(fields), mimetype="application/x-www-form-urlencoded")

    def _emails_for(self, request: Request) -> list[dict[str, Any]] | None:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        return self.tokens.get(token) if scheme.lower() in ("bearer", "token") else None

    def user(self, request: Request) -> Response:
        if self._emails_for(request) is None:
            return Response('{"message": "Requires authentication"}', 401, mimetype="application/json")
        return Response('{"login": "fan", "id": 1, "email": null}', mimetype="application/json")

    def user_emails(self, request: Request) -> Response:
        emails = self._emails_for(request)
        if emails is None:
            return Response('{"message": "Requires authentication"}', 401, mimetype="application/json")
        return Response(httpx.Response(200, json=emails).text, mimetype="application/json")


@dataclass
class GitHubServer:
    fake: FakeGitHub
    base: str
    stop: Any


@pytest.fixture
def github(app, monkeypatch) -> Iterator[GitHubServer]:
    """Our GitHub on loopback, configured as the app's (sign-in pages and API on the same host)."""
    fake = FakeGitHub()
    server = make_server("127.0.0.1", 0, fake, threaded=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    stopped = threading.Event()

    def stop() -> None:
        if not stopped.is_set():
            stopped.set()
            server.shutdown()
            server.server_close()

    base = f"http://127.0.0.1:{server.server_port}"
    for key, value in {
        "GITHUB_CLIENT_ID": CLIENT_ID,
        "GITHUB_CLIENT_SECRET": CLIENT_SECRET,
        "GITHUB_URL": base,
        "GITHUB_API_URL": base,
    }.items():
        monkeypatch.setitem(app.config, key, value)
    from app.accounts import oauth

    oauth.init_app(app)  # registers GitHub with the settings above
    try:
        yield GitHubServer(fake, base, stop)
    finally:
        stop()
        thread.join(5)
        app.extensions["betscore.oauth"] = None


def _to_github(client, github: GitHubServer) -> str:
    """Our redirect to GitHub, and GitHub's (auto-approving) redirect back: the callback's path and query."""
    start = client.get("/login/github")
    assert start.status_code == 302 and start.headers["Location"].startswith(f"{github.base}/login/oauth/authorize?")
    consent = httpx.get(start.headers["Location"], follow_redirects=False)
    assert consent.status_code == 302, consent.text
    callback = urlsplit(consent.headers["location"])
    assert callback.path == "/login/github/callback"
    return f"{callback.path}?{callback.query}"


def _through_github(client, github: GitHubServer, emails: list[dict[str, Any]]):
    github.fake.emails = emails
    return client.get(_to_github(client, github))


def _primary(address: str, verified: bool = True) -> dict[str, Any]:
    return {"email": address, "primary": True, "verified": verified, "visibility": "private"}


def _flashed(client, answer) -> str:
    """The sign-in page the visitor is sent back to, with its message."""
    assert answer.status_code == 303 and urlsplit(answer.headers["Location"]).path == "/login"
    page = client.get("/login")
    assert page.status_code == 200
    return page.get_data(as_text=True)


def test_github_button_shows_only_when_configured(client, github):
    page = client.get("/login").get_data(as_text=True)
    assert "Continue with GitHub" in page and "Continue with Google" not in page


def test_the_fake_answers_a_token_request_as_github_does(github):
    """Form-encoded unless JSON is asked for, and a refusal is a 200 with an `error`: what the app must cope with."""
    refused = httpx.post(f"{github.base}/login/oauth/access_token", data={"client_id": CLIENT_ID, "code": "x"})
    assert refused.status_code == 200 and parse_qs(refused.text) == {"error": ["incorrect_client_credentials"]}
    asked_json = httpx.post(
        f"{github.base}/login/oauth/access_token",
        data={"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "code": "x"},
        headers={"Accept": "application/json"},
    )
    assert asked_json.json()["error"] == "bad_verification_code"


def test_sign_in_with_github_makes_a_confirmed_account_for_the_primary_verified_address(client, github):
    answer = _through_github(
        client,
        github,
        [
            {"email": "old@example.com", "primary": False, "verified": True, "visibility": None},
            {"email": "12345+fan@users.noreply.github.com", "primary": False, "verified": True, "visibility": None},
            _primary("New.Fan@Example.com"),
        ],
    )
    assert answer.status_code == 303 and urlsplit(answer.headers["Location"]).path == "/"
    assert signed_in(client)
    user = db.session.scalar(select(User).where(User.email == "new.fan@example.com"))
    assert user.email_confirmed_at is not None and user.password_hash == NO_PASSWORD
    assert db.session.scalar(select(User).where(User.email == "old@example.com")) is None
    # The app sent GitHub the redirect URI it authorised with, so GitHub could check it matched.
    assert github.fake.token_requests[-1]["redirect_uri"] == "http://localhost/login/github/callback"


def test_github_links_an_existing_account_by_its_primary_verified_address(client, make_user, github):
    make_user("fan@example.com", PASSWORD)
    answer = _through_github(client, github, [_primary("Fan@Example.com")])
    assert answer.status_code == 303 and signed_in(client)
    assert db.session.scalar(select(db.func.count()).select_from(User).where(User.email == "fan@example.com")) == 1


def test_an_unconfirmed_squatters_password_and_session_stop_working_when_the_owner_comes_through_github(
    browser, client, make_user, smtp, github
):
    squatter = browser()
    make_user("owner@example.com", PASSWORD)  # signed up by someone else, never confirmed
    sign_in(squatter, "owner@example.com")
    assert signed_in(squatter)
    _through_github(client, github, [_primary("owner@example.com")])
    assert signed_in(client) and not signed_in(squatter)
    assert sign_in(browser(), "owner@example.com").status_code == 400


def test_an_unverified_primary_address_signs_nobody_in(client, github):
    answer = _through_github(
        client,
        github,
        [
            _primary("maybe@example.com", verified=False),
            {"email": "other@example.com", "primary": False, "verified": True},
        ],
    )
    page = _flashed(client, answer)
    assert "GitHub did not confirm an email address for you" in page
    assert not signed_in(client)
    assert db.session.scalar(select(User).where(User.email.in_(["maybe@example.com", "other@example.com"]))) is None


def test_cancelling_on_github_signs_nobody_in(client, github):
    github.fake.cancel = True
    answer = client.get(_to_github(client, github))
    assert "Sign-in with GitHub did not work" in _flashed(client, answer)
    assert not signed_in(client) and github.fake.token_requests == []


def test_a_forged_state_signs_nobody_in(client, github):
    callback = urlsplit(_to_github(client, github))
    query = {key: values[0] for key, values in parse_qs(callback.query).items()}
    answer = client.get(f"{callback.path}?{urlencode({**query, 'state': 'forged'})}")
    assert "Sign-in with GitHub did not work" in _flashed(client, answer)
    assert not signed_in(client)
    assert github.fake.token_requests == []  # the code was never spent


def test_a_callback_from_someone_elses_round_trip_signs_nobody_in(browser, client, github):
    """The victim's browser is sent a callback (a valid code and state) from the attacker's own round trip."""
    github.fake.emails = [_primary("attacker@example.com")]
    attackers = _to_github(browser(), github)
    client.get("/login/github")  # the victim started a round trip of their own: a state in their session
    answer = client.get(attackers)
    assert "Sign-in with GitHub did not work" in _flashed(client, answer)
    assert not signed_in(client)


def test_a_refused_code_gives_a_clear_message_not_an_error(client, github):
    callback = urlsplit(_to_github(client, github))
    state = parse_qs(callback.query)["state"][0]
    answer = client.get(f"{callback.path}?{urlencode({'code': 'not-a-code', 'state': state})}")
    assert "Sign-in with GitHub did not work" in _flashed(client, answer)
    assert not signed_in(client)
    assert github.fake.token_requests[-1]["code"] == "not-a-code"  # asked GitHub, which refused


def test_a_wrong_client_secret_gives_a_clear_message_not_an_error(app, client, github, monkeypatch):
    monkeypatch.setitem(app.config, "GITHUB_CLIENT_SECRET", "wrong")
    from app.accounts import oauth

    oauth.init_app(app)
    answer = _through_github(client, github, [_primary("fan@example.com")])
    assert "Sign-in with GitHub did not work" in _flashed(client, answer)
    assert not signed_in(client)


def test_github_unreachable_gives_a_clear_message_not_an_error(client, github):
    github.fake.emails = [_primary("fan@example.com")]
    callback = _to_github(client, github)
    github.stop()
    with pytest.raises(httpx.ConnectError):
        httpx.get(github.base)
    answer = client.get(callback)
    assert "Sign-in with GitHub did not work" in _flashed(client, answer)
    assert not signed_in(client)


def test_github_that_never_answers_gives_a_clear_message_in_time(app, client, github, monkeypatch):
    """A GitHub that takes the connection and then says nothing: the app gives up rather than hold the worker."""
    github.fake.emails = [_primary("fan@example.com")]
    callback = _to_github(client, github)
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()  # the kernel completes the handshake; nobody ever reads or answers
        monkeypatch.setitem(app.config, "GITHUB_URL", f"http://127.0.0.1:{silent.getsockname()[1]}")
        from app.accounts import oauth

        monkeypatch.setattr(oauth, "TIMEOUT_SECONDS", 0.5)
        oauth.init_app(app)
        rescue = threading.Timer(5, silent.close)  # without a timeout the test would hang: closing resets the wait
        rescue.start()
        began = time.monotonic()
        answer = client.get(callback)
        assert time.monotonic() - began < 4
        rescue.cancel()
    assert "Sign-in with GitHub did not work" in _flashed(client, answer)
    assert not signed_in(client)


def test_an_emails_answer_github_refuses_signs_nobody_in(client, github):
    """A token GitHub no longer honours for `/user/emails` (revoked between the two requests)."""
    github.fake.emails = [_primary("fan@example.com")]
    callback = _to_github(client, github)
    original = github.fake.access_token

    def revoked_at_once(request: Request) -> Response:
        answer = original(request)
        github.fake.tokens.clear()
        return answer

    github.fake.access_token = revoked_at_once  # type: ignore[method-assign]
    answer = client.get(callback)
    assert "Sign-in with GitHub did not work" in _flashed(client, answer)
    assert not signed_in(client)


def test_an_account_made_for_the_address_a_moment_ago_is_linked_not_an_error(client, github, monkeypatch):
    """Two round trips for a new address at once (two tabs): the other one makes the account between this one's
    look-up and its insert, which the unique address refuses."""
    from app.accounts import services

    looked_up = services.find_by_email
    calls = []

    def before_the_other_commits(email: str):
        calls.append(email)
        return None if len(calls) == 1 else looked_up(email)

    github.fake.emails = [_primary("fan@example.com")]
    callback = _to_github(client, github)
    services.user_from_provider("fan@example.com")  # the other tab's account, committed after our look-up
    db.session.commit()
    monkeypatch.setattr(services, "find_by_email", before_the_other_commits)
    answer = client.get(callback)
    assert answer.status_code == 303 and signed_in(client)
    assert db.session.scalar(select(db.func.count()).select_from(User).where(User.email == "fan@example.com")) == 1
