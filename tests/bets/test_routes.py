"""Recording a bet from a tapped price or by hand, the bettor's pages, and that each bettor sees only their own."""

from __future__ import annotations

import re
from html import unescape

from app.bets.models import BetSettings
from app.extensions import db
from tests.bets.conftest import ONE_HOME, PASSWORD
from tests.conftest import Auth


def text(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def test_every_price_on_the_board_links_to_the_bet_form_for_it(client, priced_match):
    page = client.get(f"/matches/{priced_match.id}").get_data(as_text=True)
    links = set(re.findall(r'class="bet-link" rel="nofollow" href="([^"]+)"', page))
    # Every price shown on the board (1X2, over/under 2.5 and the handicap, quarter line too) has its link.
    assert len(links) == 10
    for market, outcome in (("ou:2.5", "over"), ("ah:-0.25", "away")):
        link = f"/bets/new?match={priced_match.id}&market={market}&outcome={outcome}&bookmaker=booka"
        assert link in {unescape(link) for link in links}


def test_a_signed_out_visitor_is_asked_to_sign_in(client, htmx, priced_match):
    page = client.get(f"/matches/{priced_match.id}").get_data(as_text=True)
    assert "Sign in to track bets" in page and "record one by hand" not in page
    tapped = htmx.get(f"/bets/new?match={priced_match.id}&market=1x2&outcome=home&bookmaker=booka")
    assert tapped.status_code == 200 and "Sign in to track bets" in tapped.get_data(as_text=True)
    assert "csrf_token" not in tapped.get_data(as_text=True)
    plain = client.get(f"/bets/new?match={priced_match.id}")
    assert plain.status_code == 302 and "/login?" in plain.headers["Location"]
    assert client.get("/bets").status_code == 302
    assert client.get("/bets/export.csv").status_code == 302


def test_a_tapped_price_opens_the_form_with_everything_but_the_stake_filled_in(client, htmx, bettor, priced_match):
    page = client.get(f"/matches/{priced_match.id}").get_data(as_text=True)
    assert "record one by hand" in page and "Sign in to track bets" not in page
    form = htmx.get(f"/bets/new?match={priced_match.id}&market=ah:-0.25&outcome=away&bookmaker=booka")
    html = form.get_data(as_text=True)
    assert form.status_code == 200 and "<html" not in html
    for name, value in {"market": "ah", "line": "-0.25", "selection": "away", "quick": "1"}.items():
        assert f'name="{name}" value="{value}"' in html
    assert 'name="bookmaker" value="Booka"' in html and 'name="price" value="1.93"' in html
    assert "Away City +0.25" in text(html)  # the away side of home -0.25
    assert 'name="stake" value="10.00"' in html  # the default before any bet


def test_two_taps_record_the_bet_and_the_stake_is_remembered(htmx, bets, bettor, priced_match):
    answer = bets.record(
        priced_match.id,
        headers={"HX-Request": "true"},
        quick="1",
        market="ou",
        line="2.5",
        selection="over",
        bookmaker="Booka",
        price="1.95",
        stake="25",
        remember="on",
    )
    assert answer.status_code == 201 and "Recorded" in answer.get_data(as_text=True)
    [bet] = bets.mine(bettor.id)
    assert (bet.market_key, bet.selection, bet.price, bet.stake_cents) == ("ou:2.5", "over", 1.95, 2500)
    assert bet.bookmaker_id is not None and bet.bookmaker_name == "Booka" and bet.is_open
    assert bet.kickoff_at == priced_match.kickoff_at
    form = htmx.get(f"/bets/new?match={priced_match.id}&market=1x2&outcome=draw&bookmaker=bookb")
    assert 'name="stake" value="25.00"' in form.get_data(as_text=True)


def test_a_stake_not_to_remember_leaves_the_default(bets, bettor, priced_match):
    bets.record(priced_match.id, **ONE_HOME, remember="on")
    bets.record(priced_match.id, **(ONE_HOME | {"stake": "500"}))
    assert db.session.get(BetSettings, bettor.id).default_stake_cents == 1000


def test_by_hand_the_form_offers_the_matchs_markets_and_takes_any_bookmaker(client, bets, bettor, priced_match):
    html = client.get(f"/bets/new?match={priced_match.id}").get_data(as_text=True)
    found = re.findall(r'<option value="([^"]+)"[^>]*>([^<]+)</option>', html)
    options = {value: unescape(label) for value, label in found}
    assert options["1x2||draw"] == "Draw"
    assert options["ah|-0.25|home"] == "Home Town -0.25"
    assert options["btts||yes"] == "Both score: yes"  # standard, though unpriced here
    assert options["ou|2.5|under"] == "Under 2.5"
    answer = bets.record(
        priced_match.id, choice="ah|-0.25|home", bookmaker="Corner Shop Bets", price="2.05", stake="3.5"
    )
    assert answer.status_code == 303
    [bet] = bets.mine(bettor.id)
    assert (bet.market_kind, bet.line, bet.selection) == ("ah", -0.25, "home")
    assert bet.bookmaker_id is None and bet.bookmaker_name == "Corner Shop Bets" and bet.stake_cents == 350


def test_bad_fields_each_get_their_message_and_nothing_is_recorded(bets, bettor, priced_match):
    answer = bets.record(
        priced_match.id, market="ou", line="2.3", selection="home", bookmaker="", price="0.5", stake="-1"
    )
    assert answer.status_code == 400
    html = text(answer.get_data(as_text=True))
    for message in (
        "The line goes in quarters",
        "Choose a selection: over, under",
        "Enter the bookmaker",
        "decimal odds from 1.01",
        "The stake must be from 0.01",
    ):
        assert message in html, message
    assert bets.mine(bettor.id) == []


def test_over_htmx_the_form_comes_back_with_its_errors_as_422(bets, bettor, priced_match):
    answer = bets.record(priced_match.id, headers={"HX-Request": "true"}, **(ONE_HOME | {"price": "abc"}))
    assert answer.status_code == 422
    assert "The price must be a number" in text(answer.get_data(as_text=True))
    assert "<html" not in answer.get_data(as_text=True)


def test_a_bet_after_kickoff_is_refused(bets, bettor, priced_match, clock):
    clock.advance(hours=2, minutes=1)
    answer = bets.record(priced_match.id, **ONE_HOME)
    assert answer.status_code == 400 and "Only bets placed before kickoff" in text(answer.get_data(as_text=True))
    assert bets.mine(bettor.id) == []


def test_a_form_for_no_match_is_a_clear_error(bets, bettor, client):
    assert bets.record(999999, **ONE_HOME).status_code == 400
    assert client.get("/bets/new?match=999999").status_code == 404
    assert client.get("/bets/new?match=abc").status_code == 404


def test_each_bettor_sees_and_changes_only_their_own_bets(client, bets, bettor, priced_match, make_user):
    bets.record(priced_match.id, **ONE_HOME)
    [mine] = bets.mine(bettor.id)
    assert client.get(f"/bets/{mine.id}").status_code == 200
    Auth(client).logout()
    other = make_user("other@example.com", PASSWORD)
    Auth(client).login("other@example.com", PASSWORD)
    assert client.get(f"/bets/{mine.id}").status_code == 404
    token = bets.token()
    assert client.post(f"/bets/{mine.id}/delete", data={"csrf_token": token}).status_code == 404
    assert f"bets-row-{mine.id}" not in client.get("/bets").get_data(as_text=True)
    assert "Booka" not in client.get("/bets/export.csv").get_data(as_text=True)
    assert bets.mine(bettor.id) != [] and bets.mine(other.id) == []


def test_a_bettor_deletes_their_own_bet(client, bets, bettor, priced_match):
    bets.record(priced_match.id, **ONE_HOME)
    [mine] = bets.mine(bettor.id)
    assert client.post(f"/bets/{mine.id}/delete", data={"csrf_token": bets.token()}).status_code == 303
    assert bets.mine(bettor.id) == []


def test_the_list_filters_open_and_settled(client, htmx, bets, bettor, priced_match):
    bets.record(priced_match.id, **ONE_HOME)
    [bet] = bets.mine(bettor.id)
    page = client.get("/bets").get_data(as_text=True)
    assert f"bets-row-{bet.id}" in page and 'hx-trigger="live:bets-changed from:body' in page
    assert f"topics=user%3A{bettor.id}&" in page  # the page listens on its own user's topic, once
    assert f"bets-row-{bet.id}" in htmx.get("/bets?state=open").get_data(as_text=True)
    settled = htmx.get("/bets?state=settled")
    assert f"bets-row-{bet.id}" not in settled.get_data(as_text=True) and "<html" not in settled.get_data(as_text=True)
    assert client.get("/bets?state=nonsense").status_code == 400


def test_the_confirmation_gate_stops_recording(monkeypatch, client, bets, bettor, priced_match):
    monkeypatch.setattr("app.bets.routes.may_record_bets", lambda user: False)
    assert bets.record(priced_match.id, **ONE_HOME).status_code == 403
    assert client.get(f"/bets/new?match={priced_match.id}").status_code == 403
    assert bets.mine(bettor.id) == []
