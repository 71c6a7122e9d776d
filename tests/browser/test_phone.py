"""Readable at 360 px, measured in Chromium: no name cut off, a one-line header, 24 px tap targets, tables that fit or
scroll in a focusable region, and the demo banner on a line of its own."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.browser.conftest import serving_with_user, sign_in

pytestmark = pytest.mark.browser
PHONE = 360
HEADER_MAX_PX = 56  # one line of the top bar; two lines measured 75 px
TAP_PX = 24  # WCAG 2.2 target size (minimum)
EMAIL, PASSWORD = "phone@example.com", "a phone's own password"

# Elements whose text is shown cut off: text-overflow ellipsis (or hidden overflow) with more text than room.
CUT = """() => Array.from(document.querySelectorAll('body *')).filter((el) => {
  if (!el.getClientRects().length || !el.textContent.trim()) return false;
  const style = getComputedStyle(el);
  const clips = style.textOverflow === 'ellipsis' || el.classList.contains('team');
  return clips && el.scrollWidth > el.clientWidth;
}).map((el) => el.className + ': ' + el.textContent.trim())"""

# Links, buttons and menu toggles smaller than the minimum in the given regions, as "selector text WxH".
SMALL = """([selectors, min]) => selectors.flatMap((sel) => Array.from(document.querySelectorAll(sel))
  .flatMap((region) => Array.from(region.querySelectorAll('a, button, summary, [role=button]')))
  .filter((el) => el.getClientRects().length)
  .map((el) => [el, el.getBoundingClientRect()])
  .filter(([el, r]) => r.width < min || r.height < min)
  .map(([el, r]) => sel + ' ' + el.textContent.trim() + ' ' + Math.round(r.width) + 'x' + Math.round(r.height)))"""

# Tables wider than their box with no scroll region a keyboard can reach (tabindex 0, role region, a name).
UNREACHABLE = """() => Array.from(document.querySelectorAll('table')).filter((t) => t.getClientRects().length)
.filter((t) => {
  const box = t.parentElement;
  if (t.getBoundingClientRect().width <= box.clientWidth + 1) return false;  // it fits
  const region = t.closest('[role=region]');
  const scrolls = region && region.scrollWidth > region.clientWidth && getComputedStyle(region).overflowX === 'auto';
  return !(scrolls && region.tabIndex === 0 && region.getAttribute('aria-label'));
}).map((t) => t.className)"""

TARGETS = ["header.topbar", ".crumbs", ".chips", ".days", "li.match-row", ".tabs"]


def open_at(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector('body[data-tz="Europe/London"]')


@pytest.fixture(scope="module")
def member_server(tmp_path_factory, clock) -> Iterator[str]:
    with serving_with_user(tmp_path_factory, clock, EMAIL, PASSWORD) as url:
        yield url


def match_path(page, base: str) -> str:
    open_at(page, base + "/")
    return page.locator(".live-group li.match-row a").first.get_attribute("href")


@pytest.mark.parametrize("path", ["/", "/leagues/epl"])
def test_no_club_name_is_cut_off_on_a_phone(live_server, page_in, path):
    page = page_in("Europe/London", width=PHONE)
    open_at(page, live_server + path)
    assert page.locator("li.match-row .team").count() > 10  # the lists are there to measure
    assert page.evaluate(CUT) == []
    # The short names are the ones shown: "Man Utd", not "Manchester United" cut to "Manchester …".
    shown = page.locator("li.match-row .team").all_inner_texts()
    assert not any(name.startswith("Manchester") for name in shown)
    assert page.errors == []


def test_the_league_page_names_the_day_of_each_upcoming_match(live_server, page_in):
    page = page_in("Europe/London", width=PHONE)
    open_at(page, live_server + "/leagues/epl")
    upcoming = page.locator("section[aria-labelledby=upcoming-title]")
    days = upcoming.locator("h3.day-title").all_inner_texts()
    assert len(days) > 3 and len(set(days)) == len(days)  # three weeks of matches: several days, each once


@pytest.mark.parametrize("signed_in", [False, True])
def test_the_header_is_one_line_and_its_menu_works_without_script(live_server, member_server, browser, signed_in):
    # Without JavaScript: the menu is a <details>, the odds format a link to its page.
    context = browser.new_context(java_script_enabled=False, viewport={"width": PHONE, "height": 800})
    page = context.new_page()
    base = member_server if signed_in else live_server
    if signed_in:
        sign_in(page, base, EMAIL, PASSWORD)
    page.goto(base + "/")
    header = page.locator("header.topbar")
    assert header.bounding_box()["height"] < HEADER_MAX_PX
    assert page.locator("header.topbar a.brand").bounding_box()["y"] == pytest.approx(
        page.locator("#site-menu summary").bounding_box()["y"], abs=HEADER_MAX_PX / 2
    )
    page.click("#site-menu summary")
    wanted = "Sign out" if signed_in else "Sign in"
    item = page.locator(".site-menu-items").get_by_text(wanted)
    assert item.is_visible()
    assert page.locator(".site-menu-items").get_by_text("Model").is_visible()  # not in the bar at 360 px: in the menu
    with page.expect_navigation():
        page.click("#odds-format-button")
    assert "/odds/format" in page.url or "format" in page.content()
    context.close()


@pytest.mark.parametrize("signed_in", [False, True])
def test_tap_targets_are_at_least_24_px(live_server, member_server, page_in, signed_in):
    page = page_in("Europe/London", width=PHONE)
    base = member_server if signed_in else live_server
    if signed_in:
        sign_in(page, base, EMAIL, PASSWORD)
    for path in ("/", "/leagues/epl", match_path(page, base), "/model"):
        open_at(page, base + path)
        assert page.evaluate(SMALL, [TARGETS, TAP_PX]) == [], path
    page.click("#site-menu summary")
    assert page.evaluate(SMALL, [[".site-menu-items"], TAP_PX]) == []


def test_tables_fit_a_phone_or_scroll_in_a_focusable_region(live_server, page_in):
    page = page_in("Europe/London", width=PHONE)
    for path in ("/leagues/epl", match_path(page, live_server), "/model"):
        open_at(page, live_server + path)
        assert page.locator("table").count() > 0, path
        assert page.evaluate(UNREACHABLE) == [], path
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE, path
    open_at(page, live_server + "/leagues/epl")
    pts = page.locator("table.standings thead th", has_text="Pts").bounding_box()
    assert pts["x"] + pts["width"] <= PHONE  # the points column is on screen


def test_the_live_board_fits_a_phone(live_server, page_in):
    page = page_in("Europe/London", width=PHONE)
    open_at(page, live_server + match_path(page, live_server))
    board = page.locator("table.board").first
    wrap = page.locator(".table-wrap").first
    assert board.bounding_box()["width"] <= wrap.bounding_box()["width"] + 1
    assert page.locator("table.board th.margin").first.is_visible()


def test_the_demo_banner_is_one_short_line_on_every_page(live_server, page_in):
    page = page_in("Europe/London", width=PHONE)
    for path in ("/", "/leagues/epl", "/model", "/login"):
        open_at(page, live_server + path)
        banner = page.locator("#demo-banner")
        assert "simulated" in banner.inner_text()
        assert banner.bounding_box()["height"] <= 24, path  # one short line of small type
        assert page.title().startswith("Demo · ")
