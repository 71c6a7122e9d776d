"""Live pushes in a real browser: what a job commits shows up in an open page without a reload."""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
from flask import Flask, current_app
from sqlalchemy import select

from app.extensions import db
from app.football.jobs import refresh_live
from app.football.models import Match
from app.live import service as live
from app.live import topics
from app.odds.jobs import refresh_odds
from app.predictions.jobs import refresh_predictions
from tests.browser.conftest import serving
from tests.conftest import NOW, Clock

pytestmark = pytest.mark.browser
WAIT_MS = 10_000  # generous: waiting for an event, never asserting how long it took


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> Iterator[tuple[str, Flask, Clock]]:
    """A server of its own, with its own clock: these tests move time and run jobs."""
    clock = Clock(NOW)
    apps: list[Flask] = []
    with serving(
        tmp_path_factory.mktemp("push") / "push.db", clock, lambda: apps.append(current_app._get_current_object())
    ) as url:
        yield url, apps[0], clock


def first_match(app: Flask, status: str) -> tuple[int, str]:
    with app.app_context():
        match = db.session.scalars(select(Match).where(Match.status == status).order_by(Match.kickoff_at)).first()
        return match.id, match.competition.key


def connected(page, app: Flask, count: int = 1) -> None:
    """Wait until the page's socket is open and subscribed (the hub counts it)."""
    page.wait_for_selector("#live-socket", state="attached")
    hub = app.extensions["betscore.live"].hub
    for _ in range(200):
        if len(hub) >= count:
            return
        page.wait_for_timeout(50)
    raise AssertionError("the page never opened its live socket")


def open_match(page_in, url: str, app: Flask, status: str):
    """(page, match id, league) for the first match of that status, open and connected, marked to catch a reload."""
    match_id, league = first_match(app, status)
    page = page_in("Europe/London")
    page.goto(f"{url}/matches/{match_id}")
    connected(page, app)
    page.evaluate("window.notReloaded = true")
    return page, match_id, league


def board_cells(page) -> list[str]:
    """Each board cell's text, spaces normalised (the styled page and a bare copy lay the arrow's words out apart)."""
    return [" ".join(t.split()) for t in page.locator("section.odds table.board tbody td").all_text_contents()]


def served_cells(page, url: str, match_id: int) -> list[str]:
    """The board as the server renders it now, in the same browser context (cookies, format)."""
    html = page.request.get(f"{url}/matches/{match_id}/odds", headers={"HX-Request": "true"}).text()
    scratch = page.context.new_page()
    try:
        scratch.set_content(f"<body>{html}</body>")
        return board_cells(scratch)
    finally:
        scratch.close()


def run_until(app: Flask, clock: Clock, job, *args, changed) -> None:
    """Advance the clock and run a job until it writes something that `changed()` sees (at most 15 times)."""
    for _ in range(15):
        clock.advance(minutes=2)
        with app.app_context():
            job(*args)
        if changed():
            return
    raise AssertionError(f"{job.__name__} changed nothing the test could see")


# Records, in the page, every board cell that got the class "moved" (with its other classes then) and every one that
# lost it: a moved price flashes for a moment and the class goes when the animation ends.
WATCH_MOVES = """() => {
  window.moves = {added: [], removed: []};
  new MutationObserver((records) => records.forEach((r) => r.addedNodes.forEach((n) => {
    if (n.nodeType === 1 && n.matches('td.moved')) {
      window.moves.added.push({id: n.id, classes: n.className, animation: getComputedStyle(n).animationName});
    }
  }))).observe(document.body, {childList: true, subtree: true});
  new MutationObserver((records) => records.forEach((r) => {
    if (r.oldValue && r.oldValue.split(' ').includes('moved') && !r.target.classList.contains('moved')) {
      window.moves.removed.push(r.target.id);
    }
  })).observe(document.body, {attributes: true, attributeFilter: ['class'], attributeOldValue: true, subtree: true});
}"""


def test_a_price_change_from_a_job_swaps_into_the_open_match_page(world, page_in):
    url, app, clock = world
    page, match_id, league = open_match(page_in, url, app, "scheduled")
    before = board_cells(page)
    page.evaluate(WATCH_MOVES)

    def flashed() -> bool:
        return page.evaluate("window.moves.added.length") > 0

    run_until(app, clock, refresh_odds, league, changed=lambda: page.wait_for_timeout(300) or flashed())
    assert page.evaluate("window.notReloaded === true")  # swapped in place, not a reload
    after = board_cells(page)
    assert after != before
    assert after == served_cells(page, url, match_id)  # what the page shows is what the server has now
    first = page.evaluate("window.moves.added[0]")
    classes = first["classes"].split()
    assert "up" in classes or "down" in classes  # it flashes the way the price moved
    assert first["animation"] == "moved"
    cell = page.locator(f"#{first['id']}")
    assert cell.locator(".move .sr-only").inner_text().strip().startswith(("up", "down"))  # the arrow, in words
    for _ in range(100):  # the flash ends by itself (animationend), so the next move can flash again
        if first["id"] in page.evaluate("window.moves.removed"):
            break
        page.wait_for_timeout(100)
    assert "moved" not in (cell.get_attribute("class") or "").split()
    assert page.errors == []


def test_a_moved_price_never_looks_like_the_best_one(world, page_in):
    """The flash is amber; the best price keeps its own green fill: compared as the browser draws them."""
    url, app, _ = world
    page, _, _ = open_match(page_in, url, app, "scheduled")
    best = page.locator("table.board td.best").first
    plain = page.locator("table.board tbody td.num:not(.best):not(.na):not(.margin)").first
    best_fill = best.evaluate("el => getComputedStyle(el).backgroundColor")
    plain.evaluate("el => el.classList.add('moved')")
    moved = plain.evaluate(
        "el => { const a = el.getAnimations()[0]; a.pause(); a.currentTime = 0;"
        " return getComputedStyle(el).backgroundColor }"
    )
    assert moved != best_fill and moved not in ("rgba(0, 0, 0, 0)", "transparent")
    assert best.evaluate("el => getComputedStyle(el).animationName") == "none"


def test_a_refit_brings_the_prediction_into_the_open_match_page(world, page_in):
    url, app, _ = world
    page, match_id, league = open_match(page_in, url, app, "scheduled")
    card = page.locator(f"#prediction-{match_id}")
    assert card.get_attribute("hidden") is not None  # no prediction yet: an empty place for it
    with app.app_context():
        summary = refresh_predictions(league)
    assert summary["written"] > 0, summary
    page.wait_for_selector(f"#prediction-{match_id}.card", state="visible", timeout=WAIT_MS)
    assert "Our model" in card.inner_text() and "Why" in card.inner_text()
    assert page.evaluate("window.notReloaded === true")
    assert page.errors == []


def test_a_score_or_minute_from_a_job_reaches_the_match_page_and_the_list(world, page_in):
    url, app, clock = world
    page, match_id, _ = open_match(page_in, url, app, "live")
    centre = page.locator(f"#matches-centre-{match_id}")
    before = centre.inner_text()
    listing = page_in("Europe/London")
    listing.goto(url + "/")
    listing.wait_for_selector('body[data-tz="Europe/London"]')
    connected(listing, app, count=2)
    row = listing.locator(f"#matches-row-{match_id}")
    row_before = row.inner_text()
    run_until(app, clock, refresh_live, changed=lambda: page.wait_for_timeout(300) or centre.inner_text() != before)
    with app.app_context():
        match = db.session.get(Match, match_id)
        score, minute = f"{match.home_score}–{match.away_score}", match.minute
    assert score in centre.inner_text()
    assert str(minute) in centre.inner_text() or match.status != "live"
    assert page.evaluate("window.notReloaded === true")
    for _ in range(100):  # CSP forbids wait_for_function's eval: poll the DOM instead
        if row.inner_text() != row_before:
            break
        listing.wait_for_timeout(100)
    assert score in row.inner_text()
    assert page.errors == [] and listing.errors == []


def test_after_its_connection_is_killed_the_page_reconnects_and_catches_up(world, page_in):
    url, app, clock = world
    page, match_id, league = open_match(page_in, url, app, "scheduled")
    hub = app.extensions["betscore.live"].hub
    opened = hub.counts["opened"]
    for conn in hub.connections():  # the network drops: no close frame, the browser sees 1006
        conn.ws.sock.shutdown(socket.SHUT_RDWR)
    for _ in range(100):
        if len(hub) == 0:
            break
        page.wait_for_timeout(50)
    # Meanwhile prices move: nothing can reach the page until it is back.
    stale = board_cells(page)
    run_until(app, clock, refresh_odds, league, changed=lambda: served_cells(page, url, match_id) != stale)
    for _ in range(200):  # it reconnects with backoff, is told to resync, and fetches its board again
        if hub.counts["opened"] > opened and board_cells(page) == served_cells(page, url, match_id):
            break
        page.wait_for_timeout(100)
    assert hub.counts["opened"] > opened
    assert board_cells(page) == served_cells(page, url, match_id) != stale
    assert page.evaluate("window.notReloaded === true")


def parts_and_refetches(frames: list[str]) -> list[str]:
    """What the socket's frames ask the page to change: each pushed part's id, and 'refetch:<id>' for each refetch."""
    found = []
    for text in frames:
        if text.startswith("{"):
            found += [f"refetch:{i}" for i in json.loads(text).get("refetch", [])]
        else:
            found += re.findall(r'<template><\w+[^>]*?\sid="([^"]+)"', text)
    return found


def test_a_live_update_arrives_once_on_the_matches_list(world, page_in):
    """`/` listens to three days and a row is published on every day it may fall on: each change comes once."""
    url, app, clock = world
    match_id, _ = first_match(app, "live")
    page = page_in("Europe/London")
    frames: list[str] = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda payload: frames.append(str(payload))))
    page.goto(url + "/")
    page.wait_for_selector(f"#matches-row-{match_id}")
    page.wait_for_selector('body[data-tz="Europe/London"]')
    for _ in range(200):  # the page's socket is subscribed: the server said so
        if any('"subscribed"' in f for f in frames):
            break
        page.wait_for_timeout(50)
    with app.app_context():
        today = topics.matches(clock().astimezone(ZoneInfo("Europe/London")).date())

    def marked(mark: str) -> int:
        """Publish a marker after everything the job sent and wait for it: a second copy would have come before it."""
        with app.app_context():
            assert live.publish(today, {"": f'<template><i id="{mark}"></i></template>'})
        for _ in range(200):
            hits = [n for n, f in enumerate(frames) if mark in f]
            if hits:
                return hits[0]
            page.wait_for_timeout(50)
        raise AssertionError(f"the marker {mark} never reached the page")

    start = marked("before-any-job") + 1
    rounds = []
    for n in range(15):
        clock.advance(minutes=2)
        with app.app_context():
            refresh_live()
        end = marked(f"after-job-{n}")
        rounds.append(parts_and_refetches(frames[start:end]))
        start = end + 1
        if f"matches-score-{match_id}" in rounds[-1]:
            break
    assert any(f"matches-score-{match_id}" in r for r in rounds), rounds  # the row's update did come
    for changed in rounds:
        assert sorted(changed) == sorted(set(changed)), changed  # and each part once, not once per day shown


OTHER_TOTALS = '[id^="odds-market-{id}-ou-"]:not([id$="-ou-2_5"]) tbody td'


def other_totals(page, match_id: int) -> list[str]:
    """The cells of every totals line but 2.5 (most in a closed <details>: their text, shown or not)."""
    return page.locator(OTHER_TOTALS.format(id=match_id)).all_text_contents()


def test_a_price_change_reaches_a_totals_line_other_than_2_5(world, page_in):
    url, app, clock = world
    with app.app_context():
        refresh_live()  # earlier tests moved the clock: bring the matches' states up to it
    page, match_id, league = open_match(page_in, url, app, "live")
    before = other_totals(page, match_id)
    assert before, "the demo world offers totals lines besides 2.5"
    run_until(
        app,
        clock,
        refresh_odds,
        league,
        changed=lambda: page.wait_for_timeout(300) or other_totals(page, match_id) != before,
    )
    assert page.evaluate("window.notReloaded === true")  # swapped in place, not a reload
    html = page.request.get(f"{url}/matches/{match_id}/odds", headers={"HX-Request": "true"}).text()
    scratch = page.context.new_page()
    try:
        scratch.set_content(f"<body>{html}</body>")
        assert other_totals(page, match_id) == other_totals(scratch, match_id)  # what the server has now
    finally:
        scratch.close()
    assert page.errors == []
