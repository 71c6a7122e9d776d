"""The demo world settles bets end to end: a bet taken from a demo match's board, the match kicks off (its closing
line captured by the scheduled job), plays and finishes (the live job), and the bet is settled with its CLV."""

from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy import select

from app.bets.models import Bet
from app.extensions import db
from app.football.jobs import refresh_live
from app.football.models import Match
from app.odds.jobs import capture_closing_lines
from app.odds.models import ClosingPrice, CurrentPrice


def next_priced_demo_match(clock) -> Match:
    priced = select(CurrentPrice.match_id).distinct()
    return db.session.scalars(
        select(Match)
        .where(Match.status == "scheduled", Match.kickoff_at > clock(), Match.id.in_(priced))
        .order_by(Match.kickoff_at)
    ).first()


def test_a_bet_on_a_demo_match_is_settled_with_its_closing_line_value(client, htmx, bets, bettor, clock):
    match = next_priced_demo_match(clock)
    page = client.get(f"/matches/{match.id}").get_data(as_text=True)
    link = unescape(re.findall(r'class="bet-link" rel="nofollow" href="([^"]+)"', page)[0])
    form = htmx.get(link).get_data(as_text=True)  # tap one: the form, all filled in
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form))
    fields |= dict(re.findall(r'<input type="text" id="[^"]+" name="(bookmaker|price|stake)" value="([^"]*)"', form))
    fields.pop("csrf_token"), fields.pop("match_id")
    assert bets.record(match.id, **fields).status_code == 303  # tap two: recorded
    [bet] = bets.mine(bettor.id)

    clock.now = match.kickoff_at
    clock.advance(minutes=1)
    assert capture_closing_lines()["matches"] >= 1
    assert db.session.scalar(select(ClosingPrice.price).where(ClosingPrice.match_id == match.id).limit(1))
    clock.advance(hours=3)
    refresh_live()

    db.session.expire_all()
    match, bet = db.session.get(Match, match.id), db.session.get(Bet, bet.id)
    assert match.status == "finished"
    assert bet.result in ("win", "loss") and bet.settled_at is not None
    assert bet.profit_cents == (round(bet.stake_cents * (bet.price - 1)) if bet.result == "win" else -bet.stake_cents)
    assert bet.closing_price is not None and bet.fair_closing_price is not None
    assert bet.clv == pytest.approx(bet.price / bet.fair_closing_price - 1)
    listing = client.get("/bets?state=settled").get_data(as_text=True)
    assert f"bets-row-{bet.id}" in listing and "%+.1f%%" % (bet.clv * 100) in listing
