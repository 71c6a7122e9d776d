"""The walk-forward backtest: it never looks ahead, scores model and market alike, and the
market's implied expected goals reproduce the market's own probabilities."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest

from app.model import backtest, implied
from app.model.dixon_coles import score_grid
from tests.model.test_dixon_coles import synthetic


@pytest.mark.parametrize(("lam", "nu"), [(1.5, 1.1), (0.6, 2.2), (3.1, 0.3), (1.0, 1.0)])
def test_implied_rates_reproduce_the_probabilities_they_come_from(lam, nu):
    grid = score_grid(lam, nu, 0.0)
    found = implied.rates(np.array([np.tril(grid, -1).sum()]), np.array([np.triu(grid, 1).sum()]))
    assert found[0][0] == pytest.approx(lam, rel=1e-4) and found[1][0] == pytest.approx(nu, rel=1e-4)


def league(seed: int = 5) -> list[backtest.Game]:
    """A synthetic league over two seasons, with fair-ish prices from the true strengths."""
    _, _, _, results = synthetic(teams=10, rounds=8, seed=seed)
    games = []
    for r in results:
        season = "2017-18" if r.day < results[len(results) // 2].day else "2018-19"
        games.append(
            backtest.Game(
                "X1",
                season,
                r.day,
                r.home,
                r.away,
                int(r.home_goals),
                int(r.away_goals),
                (2.2, 3.4, 3.5),
                (r.home_goals + 2, r.away_goals + 2),
                (1.4, 1.1),
            )
        )
    return games


def test_every_prediction_sees_only_matches_played_before_its_day():
    games = league()
    seen = []

    def spy(history, day, targets):
        assert all(g.day < day for g in history)
        assert all(t.day == day for t in targets)
        seen.append(day)
        return [(0.45, 0.27, 0.28)] * len(targets)

    report = backtest.run(games, {"2018-19"}, spy)
    assert seen == sorted(seen) and len(seen) == report.fits
    assert {f.game.season for f in report.forecasts} == {"2018-19"}
    assert len(report.forecasts) == sum(g.season == "2018-19" for g in games)


def test_the_blend_scores_model_and_market_on_the_same_matches():
    report = backtest.run(league(), {"2018-19"}, backtest.blend_predictor(0.5, 0.3, 0.2))
    summary = report.summary()
    assert summary["matches"] == len(report.forecasts) > 0
    assert report.failed_fits == []
    for f in report.forecasts:
        assert sum(f.model) == pytest.approx(1.0) and min(f.model) >= 0
        assert sum(f.market) == pytest.approx(1.0)
    assert summary["diff_rps"] == pytest.approx(summary["model_rps"] - summary["market_rps"])
    assert summary["se_rps"] > 0


def test_impossible_probabilities_are_reported_not_scored():
    games = league()
    report = backtest.run(games, {"2018-19"}, lambda h, d, t: [(float("nan"), 0.5, 0.5)] * len(t))
    assert report.forecasts == [] and report.failed_fits


def test_seasons_run_july_to_june():
    assert backtest.season_of(date(2018, 8, 10)) == "2018-19"
    assert backtest.season_of(date(2019, 5, 12)) == "2018-19"
    assert backtest.season_of(date(2019, 7, 1) - timedelta(days=1)) == "2018-19"


def test_value_bets_are_staked_at_the_best_or_at_the_closing_prices():
    game = backtest.Game(
        "X1", "2018-19", date(2019, 3, 2), "A", "B", 2, 1, odds=(1.9, 3.4, 4.2), best_odds=(2.2, 3.6, 4.6)
    )
    report = backtest.Report([backtest.Forecast(game, (0.5, 0.27, 0.23), (0.5, 0.28, 0.22))])
    best, closing = report.level_stakes("best"), report.level_stakes("closing")
    assert (best.bets, best.profit) == (2, pytest.approx((2.2 - 1) - 1))  # home 0.5 x 2.2 and away 0.23 x 4.6 pay
    assert (closing.bets, closing.profit) == (0, 0.0)  # 0.5 x 1.9, 0.27 x 3.4 and 0.23 x 4.2 do not
