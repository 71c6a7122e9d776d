"""A match with a known prediction and known prices, so the value on its card can be worked out by hand."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from app.extensions import db
from app.football.models import Match
from app.odds.models import CurrentPrice
from app.predictions import services
from tests.factories import book, make_match, market

PROBABILITIES = (0.5, 0.3, 0.2)  # home win by 1+ 0.5, draw 0.3, away win 0.2
MARKETS = {
    "over": {"0.5": 0.92, "1.5": 0.70, "2.5": 0.45, "3.5": 0.25, "4.5": 0.10},
    "btts": 0.5,
    # Home -0.25: half on 0 (a draw refunds), half on -0.5 (a draw loses), stake-averaged.
    "handicaps": [
        {"line": -0.25, "win": 0.5, "push": 0.15, "loss": 0.35},
        {"line": 0.0, "win": 0.5, "push": 0.3, "loss": 0.2},
    ],
    "likely_scores": [[1, 0, 0.12], [1, 1, 0.11], [0, 0, 0.09]],
}
# (market key, bookmaker key, outcome, price). Value for the model, worked out by hand:
#   ah:-0.25 home at 1.95 with Booka: 0.5 x 0.95 - 0.35 = +0.125 (a draw loses half the stake)
#   1x2 home at 2.20 with Booka:      0.5 x 2.20 - 1    = +0.10
#   ou:2.5 over at 2.40 with Booka:    0.45 x 2.40 - 1   = +0.08
# and none elsewhere (away at 5.00 is a fair price: 0.2 x 5 - 1 = 0).
PRICES = [
    ("1x2", "booka", "home", 2.20),
    ("1x2", "booka", "draw", 3.20),
    ("1x2", "booka", "away", 4.50),
    ("1x2", "bookb", "home", 1.90),
    ("1x2", "bookb", "draw", 3.30),
    ("1x2", "bookb", "away", 5.00),
    ("ou:2.5", "booka", "over", 2.40),
    ("ou:2.5", "booka", "under", 1.60),
    ("ou:2.5", "bookb", "over", 2.00),
    ("ou:2.5", "bookb", "under", 1.80),
    ("ah:-0.25", "booka", "home", 1.95),
    ("ah:-0.25", "booka", "away", 1.85),
]


@pytest.fixture
def priced_match(app, clock) -> Match:
    """'Home Town' v 'Away City' in two hours: PROBABILITIES and MARKETS published, PRICES on the board."""
    match = make_match(clock() + timedelta(hours=2))
    services.publish(
        services.Forecast(
            match.id,
            "test-1",
            clock() - timedelta(hours=1),
            1.6,
            1.0,
            PROBABILITIES,
            MARKETS,
            {"drivers": [{"words": "Home advantage"}], "changes": []},
        ),
        clock(),
    )
    for key, book_key, outcome, price in PRICES:
        db.session.add(
            CurrentPrice(
                match_id=match.id,
                market_id=market(key).id,
                bookmaker_id=book(book_key).id,
                outcome=outcome,
                price=price,
                observed_at=clock(),
            )
        )
    db.session.commit()
    return match


def value_rows(html: str, match_id: int) -> dict[str, list[str]]:
    """The card's value table as {bet: [bookmaker, price, model, market, edge(, stake)]}, tags stripped."""
    found = re.search(rf'<table class="values stack" id="prediction-values-{match_id}">(.*?)</table>', html, re.S)
    if found is None:
        return {}
    rows = {}
    for tr in re.findall(r"<tbody>(.*?)</tbody>", found.group(1), re.S)[0].split("</tr>")[:-1]:
        label = re.sub(r"<[^>]+>", "", re.search(r'<th scope="row">(.*?)</th>', tr, re.S).group(1)).strip()
        rows[label] = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)]
    return rows
