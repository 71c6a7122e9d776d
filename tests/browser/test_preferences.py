"""Preferences in a real browser: the theme switches without a reload and is remembered; the time zone is found on
the first visit without loading the page twice, and can be chosen by hand."""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import NOW

pytestmark = pytest.mark.browser


def background(page) -> str:
    return page.evaluate("getComputedStyle(document.body).backgroundColor")


def theme_attribute(page) -> str | None:
    return page.locator("html").get_attribute("data-theme")


def main_navigations(page) -> list[str]:
    """Every document the page's main frame loads from now on (a reload counts, an in-place swap does not)."""
    loads: list[str] = []
    page.on("framenavigated", lambda frame: loads.append(frame.url) if frame == page.main_frame else None)
    return loads


@pytest.mark.parametrize(("system", "chosen"), [("light", "dark"), ("dark", "light")])
def test_the_theme_switches_without_a_reload_and_survives_one(live_server, page_in, system, chosen):
    page = page_in("Europe/London", scheme=system)
    page.goto(live_server + "/preferences")
    assert theme_attribute(page) is None  # no choice yet: the system's
    as_system = background(page)
    loads = main_navigations(page)
    page.check(f"input[name=theme][value={chosen}]")
    assert theme_attribute(page) == chosen
    switched = background(page)
    assert switched != as_system
    assert loads == []  # applied in place: no navigation, no reload
    page.reload()
    assert theme_attribute(page) == chosen  # drawn so by the server from the cookie: no flash of the other theme
    assert background(page) == switched
    page.check("input[name=theme][value=system]")
    assert theme_attribute(page) is None and background(page) == as_system
    page.reload()
    assert theme_attribute(page) is None and background(page) == as_system
    assert page.errors == []


def day_of(heading: str) -> date:
    """The date a day heading names ('Today, Sat 21 Nov 2026' style labels carry no year: the test's year is NOW's)."""
    found = re.search(r"(\d{1,2}) ([A-Z][a-z]+)", heading)
    assert found, heading
    month = datetime.strptime(found.group(2)[:3], "%b").month
    return date(NOW.year, month, int(found.group(1)))


def assert_local(page, zone: str) -> None:
    """Every kickoff shown in `zone`, under the heading of its local day."""
    checked = 0
    for section in page.locator("#matches-list section.group:not(.live-group)").all():
        day = day_of(section.locator("h2").inner_text())
        for element in section.locator("time[datetime]").all():
            local = datetime.fromisoformat(element.get_attribute("datetime")).astimezone(ZoneInfo(zone))
            assert element.inner_text() == local.strftime("%H:%M")
            assert local.date() == day, (element.get_attribute("datetime"), day)
            checked += 1
    assert checked, "no kickoff times on the page"


@pytest.mark.parametrize("zone", ["Pacific/Auckland", "America/Los_Angeles"])
def test_a_first_visit_shows_local_times_and_days_without_loading_the_page_twice(live_server, page_in, zone):
    page = page_in(zone)
    documents, fetches = [], []
    page.on("request", lambda r: (documents if r.resource_type == "document" else fetches).append(r.url))
    loads = main_navigations(page)
    page.goto(live_server + "/")
    page.wait_for_selector(f'body[data-tz="{zone}"]')
    assert zone in page.locator("footer").inner_text()
    assert_local(page, zone)
    assert len(loads) == 1 and documents == [live_server + "/"]  # one page load
    assert fetches.count(live_server + "/") == 1  # and the list drawn again in place, once
    assert page.errors == []
    page.goto(live_server + "/")  # the zone is known from now on: nothing drawn twice
    assert fetches.count(live_server + "/") == 1
    assert_local(page, zone)


def test_a_visitor_in_utc_gets_no_second_drawing(live_server, page_in):
    page = page_in("UTC")
    fetches: list[str] = []
    page.on("request", lambda r: fetches.append(r.url) if r.resource_type == "fetch" else None)
    page.goto(live_server + "/")
    page.wait_for_load_state("load")
    assert any(c["name"] == "tz" and c["value"] == "UTC" for c in page.context.cookies())
    assert fetches == []  # drawn in its zone already


def test_a_zone_chosen_by_hand_wins_over_the_device(live_server, page_in):
    page = page_in("Europe/London")
    page.goto(live_server + "/")
    page.wait_for_selector('body[data-tz="Europe/London"]')
    with page.expect_navigation():
        page.click("#preferences-link")
    page.select_option("select[name=tz]", "Asia/Tokyo")
    with page.expect_navigation():
        page.click("form.prefs-form button[type=submit]")
    assert page.url == live_server + "/"  # back where it came from
    page.wait_for_selector('body[data-tz="Asia/Tokyo"]')
    assert_local(page, "Asia/Tokyo")
    page.reload()
    assert page.locator("body").get_attribute("data-tz") == "Asia/Tokyo"  # the device's zone did not win it back
    assert page.errors == []
