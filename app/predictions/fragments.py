"""The prediction card on a match page: the model's view, why, what changed, and where it sees value."""

from __future__ import annotations

from dataclasses import dataclass

from flask import render_template
from markupsafe import Markup

from app import clock
from app.matches.services import MatchCard
from app.odds import services as odds_services
from app.predictions import services
from app.predictions.models import Prediction

OUTCOMES = ("home", "draw", "away")


@dataclass(frozen=True)
class Value:
    """A price the model likes: edge = model probability x price - 1."""

    outcome: str
    bookmaker: str
    price: float
    probability: float
    edge: float


def value_bets(prediction: Prediction, match_id: int) -> tuple[list[Value], tuple[float, ...] | None]:
    """Every bookmaker's 1X2 price with a positive edge for the model, best first; and the market's fair view."""
    odds = odds_services.match_odds(match_id, clock.now())
    board = next((v.board for v in odds.markets if v.key == "1x2" and not v.board.empty), None)
    if board is None:
        return [], None
    out = []
    for row in board.rows:
        for outcome, quote in zip(board.outcomes, row.quotes, strict=True):
            if quote is None or outcome not in OUTCOMES:
                continue
            p = prediction.probabilities[OUTCOMES.index(outcome)]
            edge = p * quote.price - 1
            if edge > 0:
                out.append(Value(outcome, row.name, quote.price, p, edge))
    return sorted(out, key=lambda v: -v.edge), board.consensus


def card(match: MatchCard) -> Markup:
    prediction = services.latest(match.id)
    if prediction is None:
        return Markup("")
    values, consensus = value_bets(prediction, match.id)
    return Markup(render_template("predictions/_card.html", match=match, prediction=prediction,
                                  values=values[:6], consensus=consensus))
