"""A live BetScore server and Debian's Chromium, driven by Playwright."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from flask import Flask
from werkzeug.serving import WSGIRequestHandler, make_server

from app import create_app
from app.cli import seed_all
from tests.conftest import IN_PROCESS

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if shutil.which("chromium") or os.path.exists(CHROMIUM):
        return
    if os.environ.get("BETSCORE_REQUIRE_BROWSER"):
        raise pytest.UsageError("BETSCORE_REQUIRE_BROWSER is set but Chromium is missing (apt-get install chromium)")
    skip = pytest.mark.skip(reason="Debian's Chromium is not installed: `make test` as root installs it")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


def seeded_app(path: Path, clock, prepare: Callable[[], None] = lambda: None, overrides: dict | None = None) -> Flask:
    """BetScore on the embedded default with its own SQLite file, seeded at the test clock; `overrides` add settings."""
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
            "SCHEDULER": "off",
            "SECRET_KEY": "browser",
            "CLOCK": clock,
            "MEDIA_ROOT": str(path.parent / "media"),  # the crests the seed draws stay with this test's database
            # Every browser test is one visitor (127.0.0.1), and a page of matches asks for dozens of crests: the
            # whole suite inside a minute passes the site's per-visitor limits. The limits have tests of their own
            # (tests/web/test_limits.py, tests/media); here they would only turn a fast run into 429s.
            "RATELIMIT_APPLICATION": "100000 per minute",
            "RATELIMIT_MEDIA": "100000 per minute",
            **IN_PROCESS,
            **(overrides or {}),
        }
    )
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        seed_all(2)
        prepare()
    return app


_BODY = "tests.response_body"


class _ClosingHandler(WSGIRequestHandler):
    """werkzeug's development handler, but a response the browser abandoned is still closed: when the connection
    drops while werkzeug drains the request (its `finally` reads the socket before it closes the body), a file a view
    sent stayed open, and its ResourceWarning failed whichever test the garbage collector ran in."""

    def connection_dropped(self, error: BaseException, environ: WSGIEnvironment | None = None) -> None:
        body = (environ or {}).get(_BODY)
        if body is not None and hasattr(body, "close"):
            body.close()


def _keeping_body(app: Flask) -> WSGIApplication:
    def served(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        body = environ[_BODY] = app(environ, start_response)
        return body

    return served


@contextmanager
def running(app: Flask) -> Iterator[str]:
    """The app served on a free loopback port, in a thread, until the block ends."""
    server = make_server("127.0.0.1", 0, _keeping_body(app), threaded=True, request_handler=_ClosingHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(5)


@contextmanager
def serving(path: Path, clock, prepare: Callable[[], None] = lambda: None) -> Iterator[str]:
    """BetScore on the embedded default with its own SQLite file, seeded at the test clock, on a free port."""
    with running(seeded_app(path, clock, prepare)) as url:
        yield url


@contextmanager
def serving_with_user(
    tmp_path_factory: pytest.TempPathFactory, clock, email: str, password: str, admin: bool = False
) -> Iterator[str]:
    """Like the shared live server, with one user, on a database of its own (so what they write is theirs alone)."""
    from app.accounts.services import create_user
    from app.extensions import db

    def user() -> None:
        create_user(email, password, admin=admin)
        db.session.commit()

    with serving(tmp_path_factory.mktemp("user-live") / "live.db", clock, user) as url:
        yield url


# True once a page drawn in another zone than the device's has been drawn again in its zone (static/app.js): the form
# filled before that would be swapped for an empty one.
IN_DEVICE_ZONE = (
    "() => !document.body.hasAttribute('data-tz-auto')"
    " || document.body.dataset.tz === Intl.DateTimeFormat().resolvedOptions().timeZone"
)


def sign_in(page, base: str, email: str, password: str) -> None:
    """Sign in on the sign-in page, as a user types it (once the page stands in the device's zone)."""
    page.goto(base + "/accounts/login")
    page.wait_for_function(IN_DEVICE_ZONE)
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("button[type=submit].primary")


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory, clock) -> Iterator[str]:
    """BetScore on the embedded default, seeded at the test clock, on a free loopback port."""
    with serving(tmp_path_factory.mktemp("live") / "live.db", clock) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page_in(browser):
    """A fresh page factory: `page_in("Pacific/Auckland")` opens a phone-sized page in that zone (`scheme`: the
    system's theme, light or dark)."""
    contexts = []

    def open_page(zone: str = "UTC", width: int = 360, scheme: str = "light"):
        context = browser.new_context(timezone_id=zone, viewport={"width": width, "height": 800}, color_scheme=scheme)
        contexts.append(context)
        page = context.new_page()
        page.errors = []  # console errors and CSP violations, collected for the test
        page.on("console", lambda msg: page.errors.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda exc: page.errors.append(str(exc)))
        return page

    yield open_page
    for context in contexts:
        context.close()
