"""The hourly refit on the demo world's results: forecasts published for the week, frozen and scored in turn."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.football.models import Match
from app.live import topics
from app.predictions import jobs, services
from app.predictions.models import Prediction
from tests.conftest import controls


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(Prediction)) or 0


def test_a_refit_publishes_every_upcoming_match_of_the_week_with_its_explanation(app, clock):
    summary = jobs.refresh_predictions("epl")
    assert summary["written"] == summary["upcoming"] > 0, summary
    assert summary["fitted_on"] >= jobs.MIN_MATCHES
    prediction = db.session.scalars(select(Prediction).order_by(Prediction.id)).first()
    assert prediction.model_version == jobs.VERSION
    assert sum(prediction.probabilities) == pytest.approx(1.0) and min(prediction.probabilities) > 0
    assert prediction.home_goals > 0 and prediction.away_goals > 0
    assert set(prediction.markets) == {"over", "btts", "handicaps", "likely_scores"}
    words = [d["words"] for d in prediction.explanation["drivers"]]
    assert any("Home advantage" in w for w in words) and any("attack" in w for w in words)
    assert prediction.explanation["changes"] == ["First prediction for this match."]
    match = db.session.get(Match, prediction.match_id)
    finished = (
        select(func.count())
        .select_from(Match)
        .where(Match.status == "finished", Match.home_score.is_not(None), Match.kickoff_at < clock())
    )
    for side, team in (("home", match.home_team_id), ("away", match.away_team_id)):
        played = db.session.scalar(finished.where((Match.home_team_id == team) | (Match.away_team_id == team)))
        assert prediction.explanation["evidence"][side] == played > 0
    assert prediction.explanation["evidence"]["market"] == 0  # the seeded world has no closing lines yet
    assert prediction.explanation["fits"] == ["goals"]
    assert match.kickoff_at > clock() and match.status == "scheduled"


def test_a_second_refit_with_nothing_new_publishes_nothing(app, clock):
    jobs.refresh_predictions("epl")
    before = count()
    assert jobs.refresh_predictions("epl")["written"] == 0
    assert count() == before


def test_settling_freezes_at_kickoff_and_scores_after_the_whistle(app, clock):
    jobs.refresh_predictions("epl")
    first = db.session.scalars(
        select(Prediction).join(Match, Match.id == Prediction.match_id).order_by(Match.kickoff_at)
    ).first()
    match = db.session.get(Match, first.match_id)
    clock.now = match.kickoff_at + timedelta(minutes=1)
    assert jobs.settle_predictions()["frozen"] >= 1
    assert db.session.get(Prediction, first.id).frozen_at is not None
    with pytest.raises(services.PublishRefused):  # and nothing new for it from now on
        services.publish(services.Forecast(match.id, "x", clock(), 1, 1, (0.4, 0.3, 0.3), {}, {}), clock())
    match.status, match.home_score, match.away_score = "finished", 1, 1
    db.session.commit()
    assert jobs.settle_predictions()["scored"] >= 1
    assert db.session.get(Prediction, first.id).outcome == "D"


def test_a_league_without_enough_results_is_skipped_and_says_why(app):
    summary = jobs.refresh_predictions("nosuchleague")
    assert summary["written"] == 0 and "no league" in summary["skipped"]


def test_open_match_pages_are_told_to_fetch_a_new_prediction_and_the_frozen_one(app, clock, listen):
    match = db.session.scalars(select(Match).where(Match.status == "scheduled").order_by(Match.kickoff_at)).first()
    page = listen([topics.match(match.id)])
    summary = jobs.refresh_predictions(match.competition.key)
    assert {"refetch": [f"prediction-{match.id}"]} in controls(page.drain())
    assert "refetch" not in summary  # relayed after the commit, not left in the run log
    jobs.refresh_predictions(match.competition.key)  # nothing new: nothing to fetch
    assert controls(page.drain()) == []
    clock.now = match.kickoff_at + timedelta(minutes=1)
    assert jobs.settle_predictions()["frozen"] >= 1
    assert {"refetch": [f"prediction-{match.id}"]} in controls(page.drain())
