"""A published prediction is frozen at kickoff and can never change; after the match it is scored once."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.extensions import db
from app.predictions import services
from app.predictions.models import FrozenPredictionError, Prediction
from tests.factories import make_match


def forecast(match_id: int, now, p=(0.5, 0.3, 0.2)) -> services.Forecast:
    return services.Forecast(match_id, "test-1", now - timedelta(hours=1), 1.6, 1.0, p,
                             {"over": {"2.5": 0.51}}, {"drivers": []})


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
    assert services.freeze_due(clock()) == 0  # not yet: the match has not started
    clock.advance(hours=2)
    assert services.freeze_due(clock()) == 1
    db.session.commit()
    assert db.session.get(Prediction, newer.id).frozen_at == clock()
    assert services.freeze_due(clock()) == 0  # once


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
