"""A priced match two hours away, a signed-in bettor, and the actions a bettor takes: open the form, record a bet."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.bets.models import Bet
from app.extensions import db
from app.football.models import Match
from app.odds.models import ClosingPrice, CurrentPrice
from tests.conftest import csrf_token_from
from tests.factories import book, make_match, market

PASSWORD = "correct horse battery"
# (market key, bookmaker key, outcome, price) on the board of the test match.
PRICES = [
    ("1x2", "booka", "home", 2.20),
    ("1x2", "booka", "draw", 3.30),
    ("1x2", "booka", "away", 3.60),
    ("1x2", "bookb", "home", 2.10),
    ("1x2", "bookb", "draw", 3.40),
    ("1x2", "bookb", "away", 3.70),
    ("ou:2.5", "booka", "over", 1.95),
    ("ou:2.5", "booka", "under", 1.90),
    ("ah:-0.25", "booka", "home", 1.95),
    ("ah:-0.25", "booka", "away", 1.93),
]


def put_prices(match: Match, prices, model, **extra) -> None:
    for key, book_key, outcome, price in prices:
        db.session.add(
            model(
                match_id=match.id,
                market_id=market(key).id,
                bookmaker_id=book(book_key).id,
                outcome=outcome,
                price=price,
                observed_at=match.kickoff_at - timedelta(hours=1),
                **extra,
            )
        )
    db.session.commit()


@pytest.fixture
def priced_match(app, clock) -> Match:
    match = make_match(clock() + timedelta(hours=2))
    put_prices(match, PRICES, CurrentPrice)
    return match


def close_at(match: Match, prices, clock) -> None:
    """Closing prices for the match, as the capture at kickoff writes them."""
    put_prices(match, prices, ClosingPrice, captured_at=clock())


@pytest.fixture
def bettor(make_user, auth):
    user = make_user("bettor@example.com", PASSWORD)
    auth.login("bettor@example.com", PASSWORD)
    return user


class Bets:
    """What a signed-in bettor does with the tracker."""

    def __init__(self, client) -> None:
        self.client = client

    def token(self) -> str:
        return csrf_token_from(self.client.get("/bets").get_data(as_text=True))

    def record(self, match_id: int, headers=None, **fields):
        form = {"match_id": str(match_id), "csrf_token": self.token(), **fields}
        return self.client.post("/bets", data=form, headers=headers or {})

    def mine(self, user_id: int) -> list[Bet]:
        return list(db.session.scalars(select(Bet).where(Bet.user_id == user_id).order_by(Bet.id)))


@pytest.fixture
def bets(client) -> Bets:
    return Bets(client)


ONE_HOME = {"market": "1x2", "line": "", "selection": "home", "bookmaker": "booka", "price": "2.20", "stake": "10"}
