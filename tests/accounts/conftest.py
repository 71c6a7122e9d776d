"""Accounts' fixtures: a real SMTP server on loopback (aiosmtpd in a thread), and sign-up as a visitor does it."""

from __future__ import annotations

import email
import re
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import Message

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import Browser, csrf_token_from
from tests.drills import free_port

PASSWORD = "a long enough secret"


class Mailbox:
    """What the loopback SMTP server received, newest last."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # aiosmtpd's handler hook
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"

    def last_to(self, address: str) -> Message:
        sent = [m for m in self.messages if m["To"] == address]
        assert sent, f"no message to {address}"
        return sent[-1]

    def link_in(self, message: Message, path: str) -> str:
        """The path of the first link in the message to `path`, as the visitor would follow it."""
        return self.url_in(message, path, host="localhost").removeprefix("http://localhost")

    def url_in(self, message: Message, path: str, host: str = r"[^/\s]+") -> str:
        """The whole first link in the message to `path` on `host` (a pattern; any host unless given)."""
        body = message.get_payload(decode=True).decode()
        match = re.search(rf"https?://{host}{re.escape(path)}\S+", body)
        assert match, body
        return match.group(0)


@pytest.fixture
def browser(app: Flask):
    """A new browser each call, with its own cookies."""
    return lambda: Browser(app, app.response_class, use_cookies=True)


@pytest.fixture
def client(browser) -> FlaskClient:
    return browser()


@contextmanager
def loopback_smtp() -> Iterator[tuple[Mailbox, int]]:
    """A real SMTP server on loopback (plain SMTP, no login) for the block: its mailbox and its port."""
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield mailbox, controller.port
    finally:
        controller.stop()


@pytest.fixture
def smtp(app: Flask) -> Iterator[Mailbox]:
    """The app sends through a real SMTP server on loopback for this test."""
    saved = {key: app.config[key] for key in ("MAIL_SERVER", "MAIL_PORT", "MAIL_USE_TLS")}
    with loopback_smtp() as (mailbox, port):
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_USE_TLS=False)
        try:
            yield mailbox
        finally:
            app.config.update(saved)


def form_post(client: FlaskClient, path: str, data: dict[str, str], page: str | None = None, **kwargs):
    """Post a form as a browser does: read the CSRF token from the page (`page`, or `path` itself) first."""
    token = csrf_token_from(client.get(page or path).get_data(as_text=True))
    return client.post(path, data={**data, "csrf_token": token}, **kwargs)


def sign_up(client: FlaskClient, email_address: str, password: str = PASSWORD):
    return form_post(client, "/signup", {"email": email_address, "password": password, "confirm": password})


def sign_in(client: FlaskClient, email_address: str, password: str = PASSWORD, remember: bool = False):
    data = {"email": email_address, "password": password} | ({"remember": "y"} if remember else {})
    return form_post(client, "/login", data)


def sign_out(client: FlaskClient):
    return form_post(client, "/logout", {}, page="/account")


def signed_in(client: FlaskClient) -> bool:
    """Whether this browser is signed in: the account page answers instead of sending it to sign in."""
    return client.get("/account").status_code == 200
