"""The demo world's crests and badges, in a real browser: loaded from this site under the page's CSP, the same
size as the placeholder they replace."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

LOADED = "imgs => imgs.map(i => i.complete && i.naturalWidth > 0)"


def test_league_page_shows_the_badge_and_every_clubs_crest(live_server, page_in):
    page = page_in("UTC", width=360)
    page.goto(live_server + "/leagues/epl")
    badge = page.locator("h1.page-title img.crest")
    assert badge.count() == 1
    rows = page.locator("table.standings tbody tr")
    crests = page.locator("table.standings tbody th.team img.crest")
    assert rows.count() == 20 and crests.count() == 20
    crests.last.scroll_into_view_if_needed()  # lazy images load once near the viewport
    # The table's and the title's: lazy crests further down (the upcoming list) load only when scrolled to.
    page.wait_for_function(
        "() => [...document.querySelectorAll('table.standings img.crest, h1 img.crest')].every(i => i.complete)"
    )
    assert all(page.locator("table.standings img.crest, h1 img.crest").evaluate_all(LOADED))
    box = crests.first.bounding_box()
    assert box is not None and round(box["width"]) == round(box["height"]) == 20
    sources = set(crests.evaluate_all("imgs => imgs.map(i => i.getAttribute('src'))"))
    assert len(sources) == 20 and all(s.startswith("/media/") and s.endswith(".svg") for s in sources)
    assert page.errors == []  # no CSP violation, no failed load


def test_match_rows_and_header_carry_both_clubs_crests(live_server, page_in):
    page = page_in("UTC", width=360)
    page.goto(live_server + "/")
    row = page.locator("li.match-row").first
    assert row.locator(".team img.crest").count() == 2
    row.locator("a").first.click()
    page.wait_for_selector(".match-header")
    header_crests = page.locator(".match-header .side img.crest")
    assert header_crests.count() == 2
    page.wait_for_function("() => [...document.querySelectorAll('.match-header img.crest')].every(i => i.complete)")
    assert all(header_crests.evaluate_all(LOADED))
    assert page.errors == []
