"""A fan on a phone follows a team in one tap and finds its match in My matches, in a real browser."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.browser.conftest import serving_with_user, sign_in

pytestmark = pytest.mark.browser

FAN = ("fan@example.com", "a long enough secret")


@pytest.fixture(scope="module")
def fan_server(tmp_path_factory: pytest.TempPathFactory, clock) -> Iterator[str]:
    """Like the shared live server, with a fan (its database is its own, so their follows are too)."""
    with serving_with_user(tmp_path_factory, clock, *FAN) as url:
        yield url


def test_a_fan_follows_a_team_in_one_tap_and_finds_its_match_in_my_matches(fan_server, page_in):
    page = page_in("UTC", width=360)
    sign_in(page, fan_server, *FAN)
    with page.expect_navigation():
        page.locator("li.match-row a").first.click()
    page.wait_for_load_state("load")
    match_path = page.url.removeprefix(fan_server)
    home = page.locator(".match-header .side.home .name").inner_text()
    star = page.locator(".match-header .side.home form.star button")
    assert star.get_attribute("aria-pressed") == "false"
    with page.expect_response(lambda r: "/follows/team/" in r.url and r.request.method == "POST") as posted:
        star.click()
    assert posted.value.status == 200
    page.wait_for_selector('.match-header .side.home form.star.on button[aria-pressed="true"]')
    assert page.url.endswith(match_path)  # swapped in place, no navigation

    page.goto(fan_server + "/")
    page.wait_for_selector('nav.tabs a[href="/my"]')  # once following, the home page offers My matches
    with page.expect_navigation():
        page.click('nav.tabs a[href="/my"]')
    followed_row = page.locator(f'#favourites-list li.match-row:has(a[href="{match_path}"])')
    assert followed_row.count() == 1 and home in followed_row.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert page.errors == []


def test_a_rows_star_follows_the_match_and_the_list_shows_it_after_a_reload(fan_server, page_in):
    page = page_in("UTC", width=360)
    sign_in(page, fan_server, *FAN)
    page.wait_for_load_state("load")
    row = page.locator("li.match-row").nth(1)
    row_id = row.get_attribute("id").removeprefix("matches-row-")
    with page.expect_response(lambda r: r.url.endswith(f"/follows/match/{row_id}")) as posted:
        row.locator(".star").click()
    assert posted.value.status == 200
    page.wait_for_selector(f'#favourites-star-match-{row_id}.on button[aria-pressed="true"]')
    with page.expect_response(lambda r: r.url.endswith("/follows/marks")):
        page.reload()
    page.wait_for_selector(f'#favourites-star-match-{row_id}.on button[aria-pressed="true"]')
    assert page.errors == []


def test_a_visitors_row_star_leads_to_sign_in_and_back(fan_server, page_in):
    page = page_in("UTC", width=360)
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(fan_server + "/")
    page.wait_for_load_state("load")
    assert not [u for u in requests if u.endswith("/follows/marks")]  # a visitor does not ask for stars
    with page.expect_navigation(url=lambda u: "/login?" in u):
        page.locator("li.match-row .star").first.click()
    assert "next=/" in page.url
    page.fill("input[name=email]", FAN[0])
    page.fill("input[name=password]", FAN[1])
    with page.expect_navigation():
        page.click("button[type=submit].primary")
    assert page.url.rstrip("/") == fan_server
    assert page.errors == []
