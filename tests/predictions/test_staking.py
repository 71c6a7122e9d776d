"""Stake suggestions: off until the viewer picks a Kelly fraction, remembered in a cookie, safe against bad input."""

from __future__ import annotations

import math
import re

import pytest

from app.predictions import value
from tests.conftest import csrf_token_from
from tests.predictions.conftest import MARKETS, value_rows

AH_HOME = value.line_bet(-0.25, *(MARKETS["handicaps"][0][k] for k in ("win", "push", "loss")))


def csrf(client) -> str:
    """The token of the staking form, as a visitor who opens it gets it."""
    return csrf_token_from(client.get("/settings/staking").get_data(as_text=True))


def card_of(client, match_id: int) -> str:
    html = client.get(f"/matches/{match_id}").get_data(as_text=True)
    return html[html.index(f'id="prediction-{match_id}"') :]


def choose(client, choice: str, match_id: int):
    return client.post(
        "/settings/staking", data={"kelly": choice, "next": f"/matches/{match_id}", "csrf_token": csrf(client)}
    )


def test_stakes_are_off_by_default_with_a_link_to_turn_them_on(client, priced_match):
    card = card_of(client, priced_match.id)
    rows = value_rows(card, priced_match.id)
    assert len(rows) == 3 and all(len(cells) == 5 for cells in rows.values())
    assert "of bankroll" not in card and "Kelly" not in card
    link = re.search(r'<a href="([^"]+)" hx-get="/settings/staking"[^>]*>Show stake suggestions</a>', card)
    assert link and link.group(1) == f"/settings/staking?next=/matches/{priced_match.id}"


def test_a_quarter_kelly_viewer_sees_each_stake_as_a_share_of_bankroll(client, priced_match):
    answer = choose(client, "1/4", priced_match.id)
    assert answer.status_code == 303 and answer.headers["Location"] == f"/matches/{priced_match.id}"
    card = card_of(client, priced_match.id)
    rows = value_rows(card, priced_match.id)
    assert "Stake <small>1/4 Kelly</small>" in card and "Show stake suggestions" not in card
    # Win-or-lose bets: a quarter of (p b - q) / b. Home at 2.20: 0.25 x 0.10 / 1.20 = 2.08 %.
    assert rows["Home Town"][-1] == "2.1% of bankroll"
    # Over 2.5 at 2.40: 0.25 x (0.45 x 1.4 - 0.55) / 1.4 = 1.43 %.
    assert rows["Over 2.5"][-1] == "1.4% of bankroll"
    # Home -0.25 at 1.95 wins 0.95 (p 0.5), loses half on a draw (0.3), all otherwise (0.2): E[log] peaks where
    # 0.475/(1+0.95f) - 0.15/(1-0.5f) - 0.2/(1-f) = 0, i.e. 0.475 f^2 - 0.795 f + 0.125 = 0: f = 0.1757.
    kelly = (0.795 - math.sqrt(0.795**2 - 4 * 0.475 * 0.125)) / (2 * 0.475)
    assert value.full_kelly(AH_HOME, 1.95) == pytest.approx(kelly)
    assert rows["Home Town −0.25 (Asian handicap)"][-1] == f"{kelly / 4 * 100:.1f}% of bankroll" == "4.4% of bankroll"


def test_half_kelly_is_capped_at_the_most_the_app_suggests_on_one_bet(client, priced_match):
    choose(client, "1/2", priced_match.id)
    card = card_of(client, priced_match.id)
    rows = value_rows(card, priced_match.id)
    assert rows["Home Town"][-1] == "4.2% of bankroll"  # 0.5 x 0.0833
    assert rows["Home Town −0.25 (Asian handicap)"][-1] == "5.0% of bankroll"  # half of 17.6 %, capped at 5 %
    assert re.search(r"at most\s+5% of your bankroll on one bet", card)


def test_turning_stakes_off_again_hides_them(client, priced_match):
    choose(client, "1/8", priced_match.id)
    assert "of bankroll" in card_of(client, priced_match.id)
    choose(client, "off", priced_match.id)
    assert "of bankroll" not in card_of(client, priced_match.id)


@pytest.mark.parametrize("cookie", ["1/3", "full", "0.25", "<script>", "1/4; x=1", "OFF", "1%2F4"])
def test_a_hostile_or_unknown_cookie_means_off(client, priced_match, cookie):
    client.set_cookie("kelly", cookie)
    card = card_of(client, priced_match.id)
    assert "of bankroll" not in card and "Show stake suggestions" in card
    assert re.search(r'value="off"[^>]*checked', client.get("/settings/staking").get_data(as_text=True))


def test_the_form_opens_in_place_over_htmx_and_as_a_page_without(client):
    client.set_cookie("kelly", "1/8")
    fragment = client.get(
        "/settings/staking", headers={"HX-Request": "true", "HX-Current-URL": "http://localhost/matches/41?x=1"}
    )
    html = fragment.get_data(as_text=True)
    assert "<html" not in html and 'name="next" value="/matches/41?x=1"' in html
    assert re.search(r'value="1/8"[^>]*checked', html) and not re.search(r'value="off"[^>]*checked', html)
    assert "HX-Request" in fragment.headers["Vary"]
    page = client.get("/settings/staking?next=/matches/41").get_data(as_text=True)
    assert "<html" in page and 'name="next" value="/matches/41"' in page and "Stake suggestions" in page


def test_choosing_over_htmx_refreshes_the_page(client):
    answer = client.post(
        "/settings/staking", data={"kelly": "1/2"}, headers={"HX-Request": "true", "X-CSRFToken": csrf(client)}
    )
    assert answer.status_code == 204 and answer.headers["HX-Refresh"] == "true"
    assert "kelly=1/2" in answer.headers["Set-Cookie"] and "HttpOnly" in answer.headers["Set-Cookie"]


@pytest.mark.parametrize("choice", ["full", "1/3", "", "1/4 "])
def test_an_unknown_choice_is_400_and_changes_nothing(client, choice):
    answer = client.post("/settings/staking", data={"kelly": choice, "csrf_token": csrf(client)})
    assert answer.status_code == 400
    assert "Stake suggestions must be one of: off, 1/8, 1/4, 1/2." in answer.get_data(as_text=True)
    assert "kelly" not in answer.headers.get("Set-Cookie", "")


def test_a_choice_without_csrf_token_is_refused(client):
    answer = client.post("/settings/staking", data={"kelly": "1/4"})
    assert answer.status_code == 400
    assert "form expired or came from another site" in answer.get_data(as_text=True)
    assert "kelly" not in answer.headers.get("Set-Cookie", "")


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "\\\\evil.example", ""])
def test_choosing_never_redirects_off_site(client, target):
    answer = client.post("/settings/staking", data={"kelly": "1/4", "next": target, "csrf_token": csrf(client)})
    assert answer.status_code == 303 and answer.headers["Location"] == "/"


@pytest.mark.parametrize("current", ["https://evil.example//evil.example/x", "javascript:alert(1)"])
def test_the_form_only_returns_to_this_site(client, current):
    html = client.get("/settings/staking", headers={"HX-Request": "true", "HX-Current-URL": current})
    target = re.search(r'name="next" value="([^"]*)"', html.get_data(as_text=True)).group(1)
    assert target.startswith("/") and not target.startswith("//")
