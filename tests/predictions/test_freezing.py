"""A published prediction is frozen at kickoff and can never change; after the match it is scored once."""

from __future__ import annotations

import math
from datetime import timedelta

import pytest

from app.extensions import db
from app.model import scoring
from app.model.prices import remove_margin
from app.odds.models import ClosingPrice
from app.predictions import services
from app.predictions.models import FrozenPredictionError, Prediction
from tests.factories import book, make_match, match_result


def forecast(match_id: int, now, p=(0.5, 0.3, 0.2)) -> services.Forecast:
    return services.Forecast(
        match_id, "test-1", now - timedelta(hours=1), 1.6, 1.0, p, {"over": {"2.5": 0.51}}, {"drivers": []}
    )


@pytest.fixture
def match(app, clock):
    m = make_match(clock() + timedelta(hours=2))
    db.session.commit()
    return m


def test_the_latest_prediction_before_kickoff_is_the_one_frozen(app, clock, match):
    services.publish(forecast(match.id, clock()), clock())
    clock.advance(minutes=30)
    newer = services.publish(forecast(match.id, clock(), (0.45, 0.3, 0.25)), clock())
    db.session.commit()
    assert services.freeze_due(clock()) == []  # not yet: the match has not started
    clock.advance(hours=2)
    assert services.freeze_due(clock()) == [match.id]
    db.session.commit()
    assert db.session.get(Prediction, newer.id).frozen_at == clock()
    assert services.freeze_due(clock()) == []  # once


def test_a_frozen_prediction_cannot_be_changed_or_deleted(app, clock, match):
    prediction = services.publish(forecast(match.id, clock()), clock())
    db.session.commit()
    clock.advance(hours=3)
    services.freeze_due(clock())
    db.session.commit()
    prediction.p_home = 0.9
    with pytest.raises(FrozenPredictionError):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(Prediction, prediction.id))
    with pytest.raises(FrozenPredictionError):
        db.session.flush()
    db.session.rollback()


def test_nothing_is_published_after_kickoff_and_impossible_forecasts_never(app, clock, match):
    with pytest.raises(services.PublishRefused):
        services.publish(forecast(match.id, clock(), (0.7, 0.4, -0.1)), clock())
    clock.advance(hours=2)
    with pytest.raises(services.PublishRefused):
        services.publish(forecast(match.id, clock()), clock())
    with pytest.raises(services.PublishRefused):
        services.publish(forecast(2**31 - 1, clock()), clock())


def test_a_finished_match_scores_its_frozen_prediction_once(app, clock, match):
    prediction = services.publish(forecast(match.id, clock()), clock())
    db.session.commit()
    clock.advance(hours=3)
    services.freeze_due(clock())
    match.status, match.home_score, match.away_score = "finished", 2, 1
    db.session.commit()
    assert services.score_finished(clock()) == 1
    db.session.commit()
    scored = db.session.get(Prediction, prediction.id)
    assert scored.outcome == "H"
    assert scored.rps == pytest.approx(((0.5 - 1) ** 2 + (0.8 - 1) ** 2) / 2)
    assert services.score_finished(clock()) == 0
    scored.rps = 0.0  # a score is written once
    with pytest.raises(FrozenPredictionError):
        db.session.flush()
    db.session.rollback()


def close(match, bookmaker: str, prices: dict[str, float], when) -> None:
    for outcome, price in prices.items():
        db.session.add(
            ClosingPrice(
                match_id=match.id,
                market_id=match_result().id,
                bookmaker_id=book(bookmaker).id,
                outcome=outcome,
                price=price,
                observed_at=when,
                captured_at=when,
            )
        )


def test_the_closing_market_is_scored_beside_the_prediction(app, clock, match):
    prediction = services.publish(forecast(match.id, clock()), clock())
    db.session.commit()
    clock.advance(hours=3)
    services.freeze_due(clock())
    close(match, "sharp", {"home": 1.80, "draw": 3.70, "away": 5.20}, clock())
    close(match, "soft", {"home": 1.75, "draw": 3.60, "away": 5.00}, clock())
    close(match, "partial", {"home": 2.50}, clock())  # not a complete book: not in the consensus
    match.status, match.home_score, match.away_score = "finished", 0, 0
    db.session.commit()
    services.score_finished(clock())
    db.session.commit()
    scored = db.session.get(Prediction, prediction.id)
    fair = [remove_margin(p, "shin") for p in ([1.80, 3.70, 5.20], [1.75, 3.60, 5.00])]
    expected = [(a + b) / 2 for a, b in zip(*fair, strict=True)]
    expected = [p / sum(expected) for p in expected]
    assert scored.market == pytest.approx(expected)
    assert scored.outcome == "D"
    assert scored.market_rps == pytest.approx(scoring.rps(expected, 1))
    assert scored.market_log_loss == pytest.approx(-math.log(expected[1]))
    assert scored.market_brier == pytest.approx(scoring.brier(expected, 1))
    assert scored.rps != scored.market_rps
    assert scored.best == (2.50, 3.70, 5.20)  # each outcome's best closing price, a lone one included


def test_without_a_closing_line_the_prediction_is_scored_alone(app, clock, match):
    prediction = services.publish(forecast(match.id, clock()), clock())
    db.session.commit()
    clock.advance(hours=3)
    services.freeze_due(clock())
    match.status, match.home_score, match.away_score = "finished", 0, 3
    db.session.commit()
    assert services.score_finished(clock()) == 1
    db.session.commit()
    scored = db.session.get(Prediction, prediction.id)
    assert scored.outcome == "A" and scored.rps is not None
    assert scored.market is None and scored.market_rps is None and scored.best is None
