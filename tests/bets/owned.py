"""Whose bet a bet id is, for the authorisation walk (tests/owned_ids.py): user B must get 404 for user A's."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask

from app.bets.models import Bet
from app.extensions import db
from tests.conftest import NOW
from tests.factories import make_match
from tests.owned_ids import owned


@owned("bet_id")
def a_bet(app: Flask, user_id: int) -> int:
    match = make_match(NOW + timedelta(days=2), home="Owned Rovers", away="Private Albion")
    bet = Bet(
        user_id=user_id,
        match_id=match.id,
        market_kind="1x2",
        line=None,
        selection="home",
        bookmaker_id=None,
        bookmaker_name="Elsewhere",
        price=2.1,
        stake_cents=1000,
        placed_at=NOW,
        kickoff_at=match.kickoff_at,
    )
    db.session.add(bet)
    db.session.commit()
    return bet.id
