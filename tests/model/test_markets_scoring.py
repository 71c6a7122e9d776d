"""Markets priced from a score grid, and the forecast scores the track record and backtest use."""

from __future__ import annotations

import math

import pytest

from app.model import markets, scoring
from app.model.dixon_coles import score_grid


@pytest.fixture
def priced():
    return markets.price(score_grid(1.6, 1.1, -0.08))


def test_one_x_two_totals_and_btts_are_consistent(priced):
    assert priced.home + priced.draw + priced.away == pytest.approx(1.0)
    assert priced.home > priced.away  # the stronger scorer wins more often
    overs = [priced.over[line] for line in markets.TOTAL_LINES]
    assert overs == sorted(overs, reverse=True) and all(0 < p < 1 for p in overs)
    assert priced.expected_goals[0] == pytest.approx(1.6, abs=0.05)
    assert 0 < priced.btts < 1


def test_asian_handicaps_follow_their_definition(priced):
    lines = {h.line: h for h in priced.handicaps}
    level = lines[0.0]
    assert level.home_win == pytest.approx(priced.home) and level.push == pytest.approx(priced.draw)
    assert lines[-0.5].home_win == pytest.approx(priced.home) and lines[-0.5].push == 0
    quarter = lines[-0.25]  # half on 0.0, half on -0.5
    assert quarter.home_win == pytest.approx((lines[0.0].home_win + lines[-0.5].home_win) / 2)
    assert quarter.push == pytest.approx(level.push / 2)
    for h in priced.handicaps:
        assert h.home_win + h.push + h.home_loss == pytest.approx(1.0)
        assert h.home_fair_price is None or h.home_fair_price > 1.0


def test_the_most_likely_scores_come_first(priced):
    probabilities = [p for _, _, p in priced.likely_scores]
    assert probabilities == sorted(probabilities, reverse=True)
    assert priced.likely_scores[0][:2] in ((1, 0), (1, 1), (1, 2), (0, 0), (2, 1), (0, 1))


def test_a_broken_grid_is_refused():
    with pytest.raises(ValueError):
        markets.price(score_grid(1.0, 1.0, 0.0) * 2)


def test_rps_log_loss_and_brier_on_known_cases():
    assert scoring.rps((1, 0, 0), 0) == 0
    assert scoring.rps((0, 0, 1), 0) == 1
    assert scoring.rps((0.5, 0.25, 0.25), 1) == pytest.approx(((0.5 - 0) ** 2 + (0.75 - 1) ** 2) / 2)
    assert scoring.log_loss((0.5, 0.3, 0.2), 2) == pytest.approx(-math.log(0.2))
    assert scoring.brier((0.5, 0.3, 0.2), 0) == pytest.approx(0.25 + 0.09 + 0.04)
    assert scoring.log_loss((1.0, 0.0, 0.0), 1) < 40  # a sure miss is bounded, not infinite


def test_paired_difference_and_its_standard_error():
    mean, se = scoring.paired_difference([0.2, 0.3, 0.25, 0.22], [0.21, 0.28, 0.26, 0.2])
    assert mean == pytest.approx(0.005)
    assert se > 0
    assert math.isnan(scoring.paired_difference([0.1], [0.2])[1])


def test_reliability_of_a_calibrated_and_of_an_overconfident_forecast():
    forecasts = [0.1] * 100 + [0.7] * 100
    happened = [i < 10 for i in range(100)] + [i < 70 for i in range(100)]
    _, ece = scoring.reliability(forecasts, happened)
    assert ece == pytest.approx(0.0)
    _, worse = scoring.reliability([0.9] * 100, [i < 50 for i in range(100)])
    assert worse == pytest.approx(0.4)


def test_value_bets_stake_one_unit_on_every_outcome_with_an_edge():
    forecasts = [(0.5, 0.3, 0.2), (0.4, 0.3, 0.3), (0.3, 0.3, 0.4), (0.6, 0.25, 0.15)]
    prices = [
        (2.5, 3.0, 6.0),  # edges +0.25, -0.10, +0.20: home and away backed; home wins
        None,  # no price known: no bet
        (2.0, 3.0, 2.0),  # no edge anywhere: no bet
        (1.8, 3.5, 5.0),
    ]  # edges +0.08, -0.125, -0.25: home backed; the away side wins
    outcomes = [0, 1, 2, 2]
    result = scoring.level_stakes(forecasts, prices, outcomes)
    assert (result.bets, result.matches) == (3, 2)
    assert result.profit == pytest.approx((2.5 - 1) + (0 - 1) + (0 - 1))  # +0.5 on the first match, -1 on the last
    assert result.roi == pytest.approx(-0.5 / 3)
    per_match = [0.5, -1.0]  # the first match's two bets count as one outcome for the error
    assert result.se == pytest.approx(math.sqrt(sum((x + 0.25) ** 2 for x in per_match)) * math.sqrt(2) / 3)

    higher = scoring.level_stakes(forecasts, prices, outcomes, min_edge=0.22)  # only the first match's home bet
    assert (higher.bets, higher.matches, higher.profit) == (1, 1, pytest.approx(1.5))
    assert math.isnan(higher.se)


def test_no_value_no_bets():
    result = scoring.level_stakes([(0.4, 0.3, 0.3)], [(2.0, 3.0, 3.0)], [0])
    assert (result.bets, result.profit) == (0, 0.0)
    assert math.isnan(result.roi) and math.isnan(result.se)
