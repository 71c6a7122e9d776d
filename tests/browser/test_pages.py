"""What a visitor on a phone sees, in a real browser."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

pytestmark = pytest.mark.browser


def open_home(page, live_server: str, zone: str) -> None:
    """The matches page, once the script has told the server the zone and the page re-rendered."""
    page.goto(live_server + "/")
    page.wait_for_selector(f'body[data-tz="{zone}"]')


def first_kickoff(page) -> tuple[str, str]:
    """(the UTC instant, the shown local time) of the first listed match that has not started."""
    element = page.locator("li.match-row time").first
    return element.get_attribute("datetime"), element.inner_text()


@pytest.mark.parametrize("zone", ["Pacific/Auckland", "America/Los_Angeles"])
def test_times_follow_the_browsers_time_zone(live_server, page_in, zone):
    page = page_in(zone)
    open_home(page, live_server, zone)  # the script sends the zone in a cookie and re-renders once
    assert zone in page.locator("footer").inner_text()
    instant, shown = first_kickoff(page)
    expected = datetime.fromisoformat(instant).astimezone(ZoneInfo(zone)).strftime("%H:%M")
    assert shown == expected
    assert page.errors == []


def test_phone_width_has_no_sideways_scroll(live_server, page_in):
    page = page_in("Europe/London", width=360)
    open_home(page, live_server, "Europe/London")
    for path in ("/", "/leagues/epl"):
        page.goto(live_server + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, path
    open_home(page, live_server, "Europe/London")
    page.locator("li.match-row a").first.click()
    page.wait_for_selector("table.board")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_odds_format_is_chosen_and_survives_a_reload(live_server, page_in):
    page = page_in("Europe/London")
    open_home(page, live_server, "Europe/London")
    assert re.fullmatch(r"\d+\.\d\d", page.locator(".best-prices .p .price").first.inner_text())
    page.click("#odds-format-button")  # the form opens in place
    with page.expect_navigation():
        # A click, not check(): the radio submits its form on change, and check() then waits to see the radio checked
        # on a page that is already navigating away, which now and then outlasted its 30 s.
        page.click("input[name=format][value=fractional]")
    assert re.fullmatch(r"\d+/\d+", page.locator(".best-prices .p .price").first.inner_text())
    page.reload()
    assert re.fullmatch(r"\d+/\d+", page.locator(".best-prices .p .price").first.inner_text())
    assert page.errors == []


def test_match_page_loads_htmx_under_the_csp_and_refreshes_the_board(live_server, page_in):
    page = page_in("Europe/London")
    open_home(page, live_server, "Europe/London")
    with page.expect_navigation():
        page.locator("li.match-row a").first.click()
    page.wait_for_selector("table.board td.best")
    page.wait_for_load_state("load")  # deferred scripts run after the whole page is parsed, the board before
    assert page.evaluate("typeof window.htmx") == "object"
    board_id = page.locator("section.odds").get_attribute("id")
    # Ask htmx for the board's own fragment now instead of waiting for its 30 s poll.
    with page.expect_response(re.compile(r"/matches/\d+/odds$")) as answer:
        page.evaluate(
            f"htmx.ajax('GET', document.getElementById({board_id!r}).getAttribute('hx-get'), "
            f"{{target: '#{board_id}', swap: 'outerHTML'}})"
        )
    assert answer.value.status == 200
    page.wait_for_selector(f"#{board_id} table.board")
    assert page.errors == []
