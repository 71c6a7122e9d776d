"""BetScore as an installed app, in a real browser: installable, a visited page kept for when the network is gone, the
styled offline page for one that was not, a visible "not live" state while the socket is down, and a new version
offered to the visitor."""

from __future__ import annotations

import json
import re
import socket
import threading
from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from flask import Flask, current_app

from tests.browser.conftest import serving, serving_with_user, sign_in
from tests.browser.test_live import connected, first_match
from tests.conftest import NOW, Clock

pytestmark = pytest.mark.browser
WAIT_MS = 10_000  # generous: waiting for an event, never asserting how long it took
PAGES_CACHE = "betscore-pages-v1"


class Switchboard:
    """WSGI middleware for what the test makes the server do: refuse the live socket (a live service restarting),
    serve the next release's service worker (its shell version moved on, as a deploy with a changed file does), or
    hold the answer to one path until the test lets it go (a network that has become very slow)."""

    def __init__(self, wsgi_app) -> None:
        self.wsgi_app, self.live_down, self.next_release = wsgi_app, False, False
        self.held_path, self.let_go = "", threading.Event()

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path == self.held_path:
            self.let_go.wait(60)
        if self.live_down and path == "/live":
            start_response("503 Service Unavailable", [("Content-Type", "text/plain"), ("Content-Length", "4")])
            return [b"down"]
        if self.next_release and path == "/sw.js":
            environ.pop("HTTP_IF_NONE_MATCH", None)
            environ.pop("HTTP_ACCEPT_ENCODING", None)  # plain text to edit, not compressed
            answer: dict = {}

            def keep(status, headers, exc_info=None):
                answer.update(s=status, h=headers)

            body = b"".join(self.wsgi_app(environ, keep))
            body = re.sub(rb'^const VERSION = "([0-9a-f]+)";', rb'const VERSION = "\1-next";', body, flags=re.M)
            headers = [(k, v) for k, v in answer["h"] if k.lower() not in ("content-length", "etag")]
            start_response(answer["s"], [*headers, ("Content-Length", str(len(body)))])
            return [body]
        return self.wsgi_app(environ, start_response)


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> Iterator[tuple[str, Flask, Switchboard]]:
    """A server of its own, behind a switchboard."""
    apps: list[Flask] = []

    def prepare() -> None:
        app = current_app._get_current_object()
        app.wsgi_app = Switchboard(app.wsgi_app)
        apps.append(app)

    with serving(tmp_path_factory.mktemp("pwa") / "pwa.db", Clock(NOW), prepare) as url:
        yield url, apps[0], apps[0].wsgi_app


def controlled(page) -> None:
    """Wait until a service worker is active and controls the page (the first one claims the page it installed from)."""
    for _ in range(200):
        if page.evaluate("navigator.serviceWorker.controller ? navigator.serviceWorker.controller.state : ''") == (
            "activated"
        ):
            return
        page.wait_for_timeout(50)
    raise AssertionError("no service worker came to control the page")


def installed(page_in, url: str, zone: str = "Europe/London"):
    """A fresh browser's page on the home page, in `zone`, once the service worker it installed controls it (from now
    on its navigations go through the worker)."""
    page = page_in(zone)
    page.goto(url + "/")
    page.wait_for_selector(f'body[data-tz="{zone}"]')
    controlled(page)
    return page


def saved_pages(page) -> list[str]:
    script = f"caches.open({json.dumps(PAGES_CACHE)}).then((c) => c.keys()).then((ks) => ks.map((k) => k.url))"
    return page.evaluate(script)


def wait_until_saved(page, url: str) -> None:
    for _ in range(200):
        if url in saved_pages(page):
            return
        page.wait_for_timeout(50)
    raise AssertionError(f"{url} was never saved")


def shell_caches(page) -> list[str]:
    return [name for name in page.evaluate("caches.keys()") if name.startswith("betscore-shell-")]


def test_the_app_is_installable(world, page_in):
    url, _, _ = world
    page = page_in("Europe/London")
    page.goto(url + "/")
    manifest_url = page.locator('link[rel="manifest"]').get_attribute("href")
    answer = page.request.get(url + manifest_url)
    assert answer.ok and answer.headers["content-type"].startswith("application/manifest+json")
    manifest = answer.json()
    for field in ("id", "name", "short_name", "start_url", "scope", "description", "theme_color", "background_color"):
        assert manifest[field], field
    assert manifest["display"] == "standalone" and manifest["categories"]
    # Every icon and screenshot loads in the browser at the size the manifest declares.
    for image in manifest["icons"] + manifest["screenshots"]:
        if image["sizes"] == "any":
            continue
        size = page.evaluate(
            "(src) => new Promise((done, fail) => { const i = new Image(); i.onerror = fail;"
            " i.onload = () => done(i.naturalWidth + 'x' + i.naturalHeight); i.src = src; })",
            image["src"],
        )
        assert size == image["sizes"], image["src"]
    maskable = {icon["sizes"] for icon in manifest["icons"] if icon["purpose"] == "maskable"}
    assert {"192x192", "512x512"} <= maskable
    assert [s["name"] for s in manifest["shortcuts"]] == ["Matches", "Model", "My bets"]
    # The service worker is active, controls the page, and holds the shell the page was drawn with.
    controlled(page)
    assert page.evaluate("navigator.serviceWorker.controller.scriptURL") == url + "/sw.js"
    stylesheet = page.locator('link[rel="stylesheet"]').get_attribute("href")
    (shell,) = shell_caches(page)
    held = page.evaluate(f"caches.open({json.dumps(shell)}).then((c) => c.keys()).then((ks) => ks.map((k) => k.url))")
    assert url + stylesheet in held and url + "/offline" in held
    # Chromium's own verdict: the manifest parses without an error, and nothing but the test's incognito context
    # stands in the way of installing.
    cdp = page.context.new_cdp_session(page)
    assert cdp.send("Page.getAppManifest")["errors"] == []
    blockers = {error["errorId"] for error in cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]}
    assert blockers <= {"in-incognito"}, blockers
    assert page.errors == []


def test_offline_a_visited_page_is_its_saved_copy_and_another_the_styled_offline_page(world, page_in):
    url, app, _ = world
    zone = "Pacific/Auckland"  # far from UTC: the notice's time must be the viewer's, not the server's
    page = installed(page_in, url, zone)
    visited, _ = first_match(app, "scheduled")
    unvisited, _ = first_match(app, "live")
    page.goto(f"{url}/matches/{visited}")
    heading = page.locator("main h1, .match-header").first.inner_text()
    wait_until_saved(page, f"{url}/matches/{visited}")

    page.context.set_offline(True)
    page.reload()
    notice = page.locator(".pwa-offline-copy")
    assert re.fullmatch(r"Offline — as of \d\d:\d\d", notice.inner_text())
    assert notice.get_attribute("role") == "status"
    saved_at = notice.locator("time").get_attribute("datetime")
    expected = datetime.fromisoformat(saved_at.replace("Z", "+00:00")).astimezone(ZoneInfo(zone)).strftime("%H:%M")
    assert notice.locator("time").inner_text() == expected
    assert page.locator("main h1, .match-header").first.inner_text() == heading  # the page itself, as it was

    page.goto(f"{url}/matches/{unvisited}")
    assert page.locator("h1").inner_text() == "No connection"
    assert page.locator(".pwa-offline-copy").count() == 0
    # Styled by the precached stylesheet: the top bar's colour and the card's corners come only from app.css.
    assert page.evaluate("getComputedStyle(document.querySelector('.topbar')).backgroundColor") == "rgb(11, 18, 32)"
    assert page.evaluate("getComputedStyle(document.querySelector('.error-card')).borderTopLeftRadius") == "10px"
    assert page.locator(".pwa-retry").inner_text() == "Try again"
    saved = page.locator("#pwa-saved-pages a")
    saved.first.wait_for(timeout=WAIT_MS)
    assert f"{url}/matches/{visited}" in [link.get_attribute("href") for link in saved.all()]

    page.context.set_offline(False)
    page.locator(".pwa-retry").click()  # back online, trying again brings the real page
    page.wait_for_selector(f"#matches-centre-{unvisited}")


def test_on_a_network_too_slow_to_answer_the_saved_copy_is_shown(world, page_in):
    url, app, switchboard = world
    page = installed(page_in, url)
    match_id, _ = first_match(app, "finished")
    page.goto(f"{url}/matches/{match_id}")
    wait_until_saved(page, f"{url}/matches/{match_id}")
    switchboard.let_go.clear()
    switchboard.held_path = f"/matches/{match_id}"
    try:
        page.reload()  # online, but the server does not answer: after the worker's timeout, the copy
        assert re.fullmatch(r"Offline — as of \d\d:\d\d", page.locator(".pwa-offline-copy").inner_text())
        assert page.locator(f"#matches-centre-{match_id}").count() == 1
    finally:
        switchboard.held_path = ""
        switchboard.let_go.set()


def test_a_signed_in_viewers_pages_are_never_kept(tmp_path_factory, clock, page_in):
    email, password = "keeper@example.com", "correct horse battery"
    with serving_with_user(tmp_path_factory, clock, email, password) as url:
        page = installed(page_in, url)
        sign_in(page, url, email, password)
        for path in ("/", "/bets", "/account", "/model"):
            page.goto(url + path)
            page.wait_for_load_state("networkidle")
        # Each answer was marked private (the sign-in page and everything after it), so none was kept.
        assert saved_pages(page) == []


def test_a_dropped_socket_or_network_shows_not_live_until_it_is_back(world, page_in):
    url, app, switchboard = world
    match_id, _ = first_match(app, "live")
    hub = app.extensions["betscore.live"].hub
    before = len(hub)
    page = page_in("Europe/London")
    page.goto(f"{url}/matches/{match_id}")
    connected(page, app, count=before + 1)
    status = page.locator("#pwa-live-status")
    assert status.get_attribute("role") == "status"
    assert status.inner_text() == "" and not status.is_visible()
    try:
        switchboard.live_down = True  # the live service goes away: its sockets drop and it refuses new ones
        for conn in hub.connections():
            conn.ws.sock.shutdown(socket.SHUT_RDWR)
        status.filter(has_text="Not live — reconnecting…").wait_for(timeout=WAIT_MS)
        assert status.is_visible()
    finally:
        switchboard.live_down = False
    # The socket reconnects with backoff (up to a minute after several refusals): the line goes away.
    status.filter(has_text="Not live").wait_for(state="detached", timeout=70_000)
    page.wait_for_selector("#pwa-live-status:empty", state="attached", timeout=WAIT_MS)
    assert not status.is_visible()

    page.context.set_offline(True)
    status.filter(has_text="Offline — not live").wait_for(timeout=WAIT_MS)
    page.context.set_offline(False)
    status.filter(has_text="Offline").wait_for(state="detached", timeout=WAIT_MS)


def test_a_new_version_is_offered_and_taken_on_the_visitors_reload(world, page_in):
    url, _, switchboard = world
    page = installed(page_in, url)
    (old,) = shell_caches(page)
    assert page.locator("#pwa-update").count() == 0
    loads: list[str] = []
    try:
        switchboard.next_release = True
        page.reload()  # a navigation: the browser looks for a new worker, installs it beside the old one
        notice = page.locator("#pwa-update")
        notice.wait_for(timeout=WAIT_MS)
        assert " ".join(notice.inner_text().split()) == "A new version of BetScore is ready — Reload"
        assert notice.get_attribute("role") == "status"
        page.evaluate("window.notReloaded = true")
        page.on("load", lambda _: loads.append("load"))
        with page.expect_navigation():
            notice.get_by_role("button", name="Reload").click()
        for _ in range(200):  # the new worker took over and dropped the old shell
            if shell_caches(page) == [old + "-next"]:
                break
            page.wait_for_timeout(50)
        assert shell_caches(page) == [old + "-next"]
        controlled(page)
        assert page.evaluate("window.notReloaded === undefined")  # reloaded, once
        assert page.locator("#pwa-update").count() == 0
        page.wait_for_timeout(1500)  # no reload loop: nothing else happens once the new version runs
        assert loads == ["load"]
    finally:
        switchboard.next_release = False
