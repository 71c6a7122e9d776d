"""The prediction card on a match page: the model's view, why, what changed, and where it sees value."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from flask import current_app, render_template
from markupsafe import Markup

from app.football.services import MatchCard
from app.odds import services as odds_services
from app.odds.board import MarketBoard, PriceRow, build_board
from app.odds.models import Market
from app.predictions import record, services, staking, value
from app.predictions.models import Prediction
from app.providers.records import OUTCOMES
from app.storage import cache_keys
from app.storage.cache import cached_variant
from app.web import viewer

MAX_VALUES = 8  # lines of "where the model sees value": the best few, not every price
# A side with fewer matches than this in the model's data is rated mostly by its prior: the prediction is shown
# as rough, and no value or stake is suggested from it.
MIN_TEAM_MATCHES = 10


def evidence(prediction: Prediction | services.Published) -> tuple[int, int] | None:
    """How many matches of each side the fit saw (None for predictions published before this was kept)."""
    seen = prediction.explanation.get("evidence")
    return (int(seen["home"]), int(seen["away"])) if isinstance(seen, dict) else None


def value_bets(
    prediction: Prediction | services.Published,
    match_id: int,
    fraction: float | None = None,
) -> tuple[list[value.PricedBet], dict[value.MarketId, MarketBoard]]:
    """Every bookmaker's price with a positive edge on the markets the model prices, best first (a stake
    on each when `fraction` of Kelly is given); and the boards of the match's prices on those markets."""
    bets = value.model_bets(prediction.probabilities, prediction.markets)
    keys = {Market.key_for(kind, line): (kind, line) for kind, line in bets}
    rows: dict[value.MarketId, list[PriceRow]] = defaultdict(list)
    for row in odds_services.prices_for(match_id, keys):
        rows[keys[row[0]]].append(row[1:])  # less the market key
    boards = {
        market: build_board(Market.key_for(*market), OUTCOMES[market[0]], found) for market, found in rows.items()
    }
    return value.value_bets(value.assess(bets, boards, fraction)), boards


def value_record() -> tuple[str, dict[str, Any] | None]:
    """What level stakes on the model's value bets returned at the best prices in the backtest (any edge), and the
    report's time, which names it ('' with no report)."""
    report = record.backtest_report(current_app.config["BACKTEST_REPORT"])
    if report is None:
        return "", None
    found = [v for v in report["value_bets"] if v["prices"] == "best" and v["min_edge"] == 0 and v["bets"]]
    return report["generated_at"], found[0] if found else None


def card_context(
    match: MatchCard,
    cached: Any = None,
    cached_bodies: dict[Any, str] | None = None,
) -> dict[str, Any]:
    """What templates/predictions/_card.html shows of a match, beside `match` itself: the match page includes
    the card in its own render (`cached`, `cached_bodies`: the cache entries of the prediction and of the card's
    bodies, read with the page's), the fragment route renders it alone."""
    prediction = services.latest_published(match.id, cached)
    if prediction is None:  # a place for the first prediction to arrive in, live
        return {"prediction": None}
    return {"prediction": prediction, "body": _body(match, prediction, cached_bodies)}


def _body(match: MatchCard, prediction: services.Published, kept: dict[Any, str] | None) -> Markup:
    """Everything on the card but its heading, rendered once per prediction, staking choice, odds format, stage
    of the match and backtest report, and kept until ingest reports a price of the match changed (cache_keys.changed
    drops the entry): the page shows it on every view, and working out the value reads every price of the match."""
    kelly, odds_format = staking.kelly(), viewer.odds_format()
    # Value is a pre-match view: in play, the prices move with the score and the model's do not.
    before_kickoff = match.status == "scheduled" and prediction.frozen_at is None
    report, backtest = value_record()
    variant = (prediction.id, kelly, odds_format, before_kickoff, report)
    html = cached_variant(
        cache_keys.card_key(match.id),
        variant,
        lambda: render_template(
            "predictions/_card_body.html",
            match=match,
            **_body_context(match, prediction, kelly, before_kickoff, backtest),
        ),
        odds_services.ODDS_CACHE_SECONDS,
        kept=kept,
    )
    return Markup(html)


def _body_context(
    match: MatchCard, prediction: services.Published, kelly: str, before_kickoff: bool, backtest: dict[str, Any] | None
) -> dict[str, Any]:
    values, boards = value_bets(prediction, match.id, value.KELLY_FRACTIONS.get(kelly))
    seen = evidence(prediction)
    rough = seen is not None and min(seen) < MIN_TEAM_MATCHES
    shown = value.best_per_outcome(values)[:MAX_VALUES] if before_kickoff and not rough else []
    home, away = match.home_team.name, match.away_team.name

    def consensus(market: value.MarketId) -> tuple[float, ...] | None:
        return boards[market].consensus if market in boards else None

    return {
        "prediction": prediction,
        "values": [(value.label(v.market, v.outcome, home, away), v) for v in shown],
        "consensus": consensus(("1x2", None)),
        "over_consensus": consensus(("ou", 2.5)),
        "btts_consensus": consensus(("btts", None)),
        "staking": kelly,
        "max_stake": value.MAX_STAKE,
        "rough": seen if rough else None,
        "min_team_matches": MIN_TEAM_MATCHES,
        "value_record": backtest if shown else None,
        "results_only": "market" not in prediction.explanation.get("fits", ["market"]),
    }


def card(match: MatchCard) -> Markup:
    return Markup(render_template("predictions/_card.html", match=match, **card_context(match)))
