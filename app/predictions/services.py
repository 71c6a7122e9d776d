"""Publishing, freezing and scoring predictions: the rules that keep the track record honest."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from app.extensions import db
from app.football.models import Match
from app.model import scoring
from app.odds.history import closing_boards
from app.predictions.models import Prediction
from app.storage import cache_keys
from app.storage.cache import cached

OUTCOMES = ("H", "D", "A")


class PublishRefused(RuntimeError):
    """A forecast for a match that has kicked off (or whose prediction is frozen) is never published."""


@dataclass(frozen=True)
class Forecast:
    """What the model says of one match, ready to publish."""

    match_id: int
    model_version: str
    data_time: datetime
    home_goals: float
    away_goals: float
    probabilities: tuple[float, float, float]
    markets: dict[str, Any]
    explanation: dict[str, Any]


def publish(forecast: Forecast, now: datetime) -> Prediction:
    """Store a forecast as the match's latest prediction, if the match has not kicked off."""
    match = db.session.get(Match, forecast.match_id)
    if match is None:
        raise PublishRefused(f"there is no match {forecast.match_id}")
    if match.kickoff_at <= now or match.status != "scheduled":
        raise PublishRefused(f"match {match.id} has kicked off: its prediction is frozen")
    p = forecast.probabilities
    if min(p) < 0 or abs(sum(p) - 1.0) > 1e-6:
        raise PublishRefused(f"impossible probabilities {p} for match {match.id}")
    prediction = Prediction(
        match_id=match.id,
        model_version=forecast.model_version,
        data_time=forecast.data_time,
        published_at=now,
        home_goals=forecast.home_goals,
        away_goals=forecast.away_goals,
        p_home=p[0],
        p_draw=p[1],
        p_away=p[2],
        markets=forecast.markets,
        explanation=forecast.explanation,
    )
    db.session.add(prediction)
    return prediction


@dataclass(frozen=True)
class Published:
    """A match's latest prediction as its page shows it: a plain copy, kept in the cache."""

    id: int
    match_id: int
    model_version: str
    published_at: datetime
    frozen_at: datetime | None
    home_goals: float
    away_goals: float
    probabilities: tuple[float, float, float]
    markets: dict[str, Any]
    explanation: dict[str, Any]


PUBLISHED_CACHE_SECONDS = 3600  # dropped sooner by cache_keys.changed(predictions=...) after a publish or a freeze


def latest_published(match_id: int, kept: Any = None) -> Published | None:
    """latest() for pages, cached: a match page reads no table for its prediction (or for having none).
    `kept`: the cache entry (cache_keys.prediction_key) when the caller has read it already."""

    def load() -> Published | None:
        p = latest(match_id)
        if p is None:
            return None
        return Published(
            p.id,
            p.match_id,
            p.model_version,
            p.published_at,
            p.frozen_at,
            p.home_goals,
            p.away_goals,
            p.probabilities,
            p.markets,
            p.explanation,
        )

    return cached(cache_keys.prediction_key(match_id), load, PUBLISHED_CACHE_SECONDS, kept=kept, keep_none=True)


def latest(match_id: int) -> Prediction | None:
    return db.session.scalars(
        select(Prediction)
        .where(Prediction.match_id == match_id)
        .order_by(Prediction.published_at.desc(), Prediction.id.desc())
        .limit(1)
    ).first()


def freeze_due(now: datetime) -> list[int]:
    """At kickoff, the match's latest prediction is frozen: the one the track record counts. Returns those
    matches' ids."""
    newest = select(Prediction.match_id, func.max(Prediction.id).label("id")).group_by(Prediction.match_id).subquery()
    due = db.session.scalars(
        select(Prediction)
        .join(newest, Prediction.id == newest.c.id)
        .join(Match, Match.id == Prediction.match_id)
        .where(Prediction.frozen_at.is_(None), Match.kickoff_at <= now)
    ).all()
    for prediction in due:
        prediction.frozen_at = now
    return [p.match_id for p in due]


def score_finished(now: datetime) -> int:
    """Score each frozen prediction whose match has finished (once: a score never changes), and beside it the
    closing market's margin-free view of the same match, the yardstick of the track record; keep the best closing
    prices too, at which the record stakes the model's value bets."""
    rows = db.session.execute(
        select(Prediction, Match)
        .join(Match, Match.id == Prediction.match_id)
        .where(
            Prediction.frozen_at.is_not(None),
            Prediction.scored_at.is_(None),
            Match.status == "finished",
            Match.home_score.is_not(None),
            Match.away_score.is_not(None),
        )
    ).all()
    boards = closing_boards([match.id for _, match in rows])
    for prediction, match in rows:
        home, away = match.home_score or 0, match.away_score or 0  # both set: the query asks for them
        outcome = 0 if home > away else 1 if home == away else 2
        p = prediction.probabilities
        prediction.outcome = OUTCOMES[outcome]
        prediction.rps = scoring.rps(p, outcome)
        prediction.log_loss = scoring.log_loss(p, outcome)
        prediction.brier = scoring.brier(p, outcome)
        board = boards.get(match.id)
        market = board.consensus if board is not None else None
        if market is not None:
            prediction.market_home, prediction.market_draw, prediction.market_away = market
            prediction.market_rps = scoring.rps(market, outcome)
            prediction.market_log_loss = scoring.log_loss(market, outcome)
            prediction.market_brier = scoring.brier(market, outcome)
        best = [price for price in board.best if price is not None] if board is not None else []
        if len(best) == 3:
            prediction.best_home, prediction.best_draw, prediction.best_away = best
        prediction.scored_at = now
    return len(rows)
