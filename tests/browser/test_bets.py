"""Two taps in a real browser on a phone-sized page: a price opens its bet form, the second tap records it;
nothing scrolls sideways at 360 px and the CSP is never violated."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

import pytest

from tests.browser.conftest import serving, sign_in

# Beside the other browser tests, not in tests/bets/: they share one Chromium a session (this folder's conftest).
pytestmark = pytest.mark.browser
EMAIL, PASSWORD = "phone@example.com", "correct horse battery"


@pytest.fixture(scope="module")
def bets_server(tmp_path_factory: pytest.TempPathFactory, clock) -> Iterator[str]:
    def bettor() -> None:
        from app.accounts.services import create_user
        from app.extensions import db

        create_user(EMAIL, PASSWORD)
        db.session.commit()

    with serving(tmp_path_factory.mktemp("bets") / "bets.db", clock, bettor) as url:
        yield url


def test_a_price_tapped_twice_is_a_tracked_bet(bets_server, page_in):
    page = page_in("Europe/London", width=360)
    sign_in(page, bets_server, EMAIL, PASSWORD)
    page.goto(bets_server + "/")
    page.wait_for_selector("body[data-tz='Europe/London']")
    with page.expect_navigation():
        page.locator("li.match-row:not(.is-live) a").first.click()
    page.wait_for_load_state("load")
    price = page.locator("table.board a.bet-link").first
    shown = price.inner_text()
    with page.expect_navigation():
        price.click()  # one
    form = page.wait_for_selector("form.bet-form")
    assert page.input_value("form.bet-form input[name=price]") == shown.rstrip("0").rstrip(".")
    assert page.input_value("form.bet-form input[name=stake]") == "10.00"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    if os.environ.get("BETS_SCREENSHOT"):  # to look at it: BETS_SCREENSHOT=/tmp/form.png
        page.screenshot(path=os.environ["BETS_SCREENSHOT"])
    form.query_selector("button[type=submit]").click()  # two: recorded in place
    note = page.wait_for_selector(".bet-slip-note[role=status]")
    assert re.search(r"Recorded: .+ at \d", note.inner_text())
    page.goto(bets_server + "/bets")
    assert page.locator("#bets-list tbody tr").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert page.errors == []
