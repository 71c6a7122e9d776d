"""A new user's whole first journey on a phone, in a real browser against a real SMTP server: sign up, confirm from
the email, follow a team, find its match in My matches, track a bet in two taps, and see it settled with its CLV once
the demo match has been played."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask

from app.extensions import db
from app.football.jobs import refresh_live
from app.football.models import Match
from app.odds.jobs import capture_closing_lines
from tests.accounts.conftest import Mailbox, loopback_smtp
from tests.browser.conftest import running, seeded_app

pytestmark = pytest.mark.browser
EMAIL, PASSWORD = "newcomer@example.com", "a long enough secret"
# Chromium logs the refused tap (a 403 page) as a console error: the only one expected on the whole journey.
FORBIDDEN = "Failed to load resource: the server responded with a status of 403 (FORBIDDEN)"


@pytest.fixture(scope="module")
def mailed(tmp_path_factory: pytest.TempPathFactory, clock) -> Iterator[tuple[Flask, str, Mailbox]]:
    """BetScore sending its email through a loopback SMTP server, so an address must be confirmed before bets."""
    with loopback_smtp() as (mailbox, port):
        mail = {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port, "MAIL_USE_TLS": False}
        app = seeded_app(tmp_path_factory.mktemp("journey") / "journey.db", clock, overrides=mail)
        with running(app) as url:
            yield app, url, mailbox


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= 360


def play(app: Flask, clock, match_id: int) -> None:
    """The demo match kicks off (its closing line captured), is played to the end, and its bets are settled."""
    with app.app_context():
        match = db.session.get(Match, match_id)
        clock.now = match.kickoff_at
        clock.advance(minutes=1)
        assert capture_closing_lines()["matches"] >= 1
        clock.advance(hours=3)
        refresh_live()
        db.session.expire_all()
        assert db.session.get(Match, match_id).status == "finished"


def test_a_new_user_signs_up_confirms_follows_bets_and_sees_the_bet_settled_with_its_clv(mailed, page_in, clock):
    app, base, mailbox = mailed
    page = page_in("UTC", width=360)

    page.goto(base + "/signup")
    assert no_sideways_scroll(page)
    page.fill("input[name=email]", EMAIL)
    page.fill("input[name=password]", PASSWORD)
    page.fill("input[name=confirm]", PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit].primary")
    assert "We have emailed you a link to confirm your address" in page.inner_text("body")
    assert "Not confirmed yet" in page.inner_text("body")

    # Not confirmed: a tapped price does not open the form, and a bet posted anyway is not recorded.
    page.goto(base + "/")
    with page.expect_navigation():
        page.locator("li.match-row:not(.is-live) a").first.click()
    page.wait_for_load_state("load")
    match_path = page.url.removeprefix(base)
    match_id = int(match_path.rsplit("/", 1)[-1])
    with page.expect_navigation() as tapped:
        page.locator("table.board a.bet-link").first.click()
    assert tapped.value.status == 403
    assert "Confirm your email address to track bets" in page.inner_text("body")
    assert page.locator("form.bet-form").count() == 0
    token = page.get_attribute('meta[name="csrf-token"]', "content")
    posted = page.request.post(
        base + "/bets",
        form={"match_id": str(match_id), "market": "1x2", "selection": "home", "price": "2.5", "stake": "10"},
        headers={"X-CSRFToken": token, "Referer": base + match_path},
    )
    assert posted.status == 403 and "Confirm your email address" in posted.text()
    page.goto(base + "/bets")
    assert page.locator("#bets-list").count() == 0
    assert page.errors == [FORBIDDEN]
    page.errors.clear()

    page.goto(mailbox.url_in(mailbox.last_to(EMAIL), "/confirm/", host=re.escape(base.removeprefix("http://"))))
    assert "Your email address is confirmed." in page.inner_text("body")
    assert "Not confirmed yet" not in page.inner_text("body")

    page.goto(base + match_path)
    home = page.locator(".match-header .side.home .name").inner_text()
    star = page.locator(".match-header .side.home form.star button")
    with page.expect_response(lambda r: "/follows/team/" in r.url and r.request.method == "POST") as followed:
        star.click()  # one tap
    assert followed.value.status == 200
    page.wait_for_selector('.match-header .side.home form.star.on button[aria-pressed="true"]')
    page.goto(base + "/my")
    followed_row = page.locator(f'#favourites-list li.match-row:has(a[href="{match_path}"])')
    # The row names the club (on a phone it shows its short name; the full one is in the row too).
    assert followed_row.count() == 1 and home in followed_row.text_content()
    assert no_sideways_scroll(page)

    page.goto(base + match_path)
    with page.expect_navigation():
        page.locator("table.board a.bet-link").first.click()  # one
    form = page.wait_for_selector("form.bet-form")
    assert no_sideways_scroll(page)
    form.query_selector("button[type=submit]").click()  # two
    note = page.wait_for_selector(".bet-slip-note[role=status]")
    assert re.search(r"Recorded: .+ at \d", note.inner_text())

    play(app, clock, match_id)

    page.goto(base + "/bets")
    [row] = page.locator("#bets-list tbody tr").all()
    assert row.locator("td[data-label=Result] .result").inner_text() in ("win", "loss", "push")
    assert re.fullmatch(r"[+-]\d+\.\d%", row.locator("td[data-label=CLV]").inner_text())
    assert no_sideways_scroll(page)
    assert page.errors == []
