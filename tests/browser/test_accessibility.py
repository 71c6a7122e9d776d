"""Accessibility in a real browser: axe-core finds no serious or critical violation on the main pages, in both
themes, on a phone and a laptop; the run saves a screenshot of each page it checked."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

pytestmark = pytest.mark.browser

WIDTHS = (360, 1280)
THEMES = ("light", "dark")
# (the system's colour scheme, the theme chosen in the preferences or None to follow the system, the page's width)
LOOKS = [(scheme, None, width) for scheme in THEMES for width in WIDTHS]
LOOKS += [("light", "dark", 360), ("dark", "light", 360)]
PAGES = {"matches": "/", "match": None, "league": "/leagues/epl", "model": "/model", "login": "/login"}
BLOCKING = {"serious", "critical"}


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the run saves its screenshots: BETSCORE_SCREENSHOTS if set, else a directory of this run's own."""
    chosen = os.environ.get("BETSCORE_SCREENSHOTS")
    folder = Path(chosen) if chosen else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def live_match(live_server: str, browser) -> str:
    """The path of a match being played now, as a visitor finds it in the list."""
    context = browser.new_context(timezone_id="UTC")
    page = context.new_page()
    page.goto(live_server + "/")
    href = page.locator("li.match-row.is-live a").first.get_attribute("href")
    context.close()
    assert href, "the demo world has no live match at the test clock"
    return href


def report(violations: list[dict]) -> str:
    """One line per violation and one per element it names: rule, impact, target, what is wrong."""
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} [{len(v['nodes'])} elements]")
        for node in v["nodes"][:8]:
            summary = " ".join(node.get("failureSummary", "").split())
            lines.append(f"    {' '.join(map(str, node['target']))}: {summary[:240]}")
    return "\n".join(lines)


@pytest.mark.parametrize(("scheme", "chosen", "width"), LOOKS)
@pytest.mark.parametrize("name", PAGES)
def test_no_serious_or_critical_violation(live_server, live_match, page_in, shots, name, scheme, chosen, width):
    page = page_in(width=width, scheme=scheme)
    if chosen:
        page.context.add_cookies([{"name": "theme", "value": chosen, "url": live_server}])
    page.goto(live_server + (PAGES[name] or live_match))
    page.wait_for_load_state("load")
    assert page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches") == (scheme == "dark")
    assert page.evaluate("document.documentElement.dataset.theme || null") == chosen
    theme = chosen or scheme
    page.screenshot(path=str(shots / f"{name}-{theme}{'-chosen' if chosen else ''}-{width}.png"), full_page=True)
    results = Axe().run(page, options={"resultTypes": ["violations"]})
    blocking = [v for v in results.response["violations"] if v["impact"] in BLOCKING]
    assert not blocking, f"{PAGES[name] or live_match} in {theme} at {width} px:\n{report(blocking)}"
    assert page.locator("h1").count() == 1  # axe rates a page without one moderate only
    assert page.errors == []


FOCUSED = """() => {
  const e = document.activeElement, style = getComputedStyle(e);
  return {
    what: `${e.tagName.toLowerCase()}.${e.className} ${(e.innerText || "").trim().slice(0, 30)}`,
    out: e === document.body, skip: e.matches("a.skip-link"), nav: !!e.closest("nav.topnav"),
    row: e.matches("li.match-row > a"), region: e.matches(".table-wrap[role=region]"), inMain: !!e.closest("main"),
    jump: e.matches("main nav a"), seen: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0,
  };
}"""


def tab_until(page, done, limit: int = 600) -> list[dict]:
    """Press Tab until `done(focused)` holds; every element on the way, each of which must show its focus."""
    visited = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        assert focused["out"] or focused["seen"], f"no visible focus on {focused['what']}"
        visited.append(focused)
        if done(focused):
            return visited
    raise AssertionError(f"Tab never got there; it went through {[v['what'] for v in visited]}")


def test_keyboard_reaches_the_skip_link_the_menu_a_match_and_its_board(live_server, page_in):
    page = page_in()
    page.goto(live_server + "/")
    page.wait_for_load_state("load")
    first = tab_until(page, lambda f: True)[0]
    assert first["skip"], f"the first stop is {first['what']}, not the skip link"
    assert page.locator("a.skip-link").bounding_box()["y"] >= 0  # shown while it has the focus
    page.keyboard.press("Enter")  # past the header: the next stop is in main
    assert tab_until(page, lambda f: True)[0]["inMain"]

    page.goto(live_server + "/")
    page.wait_for_load_state("load")
    path = tab_until(page, lambda f: f["row"])
    assert path[0]["skip"]
    first_nav = next(i for i, f in enumerate(path) if f["nav"])
    assert not any(f["inMain"] for f in path[:first_nav]), [f["what"] for f in path]
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/matches/" in page.url

    page.wait_for_load_state("load")
    whole = tab_until(page, lambda f: f["out"])  # to the end of the page
    regions = page.locator(".table-wrap:visible").count()  # not those in a closed <details>
    assert regions and sum(f["region"] for f in whole) == regions, "a scrolling table the keyboard cannot reach"
    assert sum(f["jump"] for f in whole) == page.locator("main nav a").count()


def test_the_live_dot_is_still_for_those_who_ask_for_less_motion(live_server, browser):
    for motion, animated in (("no-preference", True), ("reduce", False)):
        context = browser.new_context(timezone_id="UTC", reduced_motion=motion)
        page = context.new_page()
        page.goto(live_server + "/")
        name = page.locator(".live-group .dot").evaluate("e => getComputedStyle(e).animationName")
        context.close()
        assert (name != "none") is animated, motion
