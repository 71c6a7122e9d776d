"""The goal model's maths: its gradient, its probabilities, and that it finds what generated the data."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest
from scipy.optimize import approx_fprime

from app.model import dixon_coles as dc

TODAY = date(2019, 5, 1)


def synthetic(teams: int = 12, rounds: int = 6, seed: int = 3, rho: float = -0.1):
    """A league played `rounds` times over from known strengths, goals drawn from Dixon-Coles itself."""
    rng = np.random.default_rng(seed)
    names = [f"Club {i:02d}" for i in range(teams)]
    attack = rng.normal(0, 0.3, teams)
    defence = rng.normal(0, 0.3, teams)
    attack -= attack.mean()
    defence -= defence.mean()
    intercept, home = 0.2, 0.3
    results = []
    day = TODAY - timedelta(days=rounds * teams * 2)
    for _ in range(rounds):
        for i in range(teams):
            for j in range(teams):
                if i == j:
                    continue
                lam = np.exp(intercept + home + attack[i] + defence[j])
                nu = np.exp(intercept + attack[j] + defence[i])
                grid = dc.score_grid(lam, nu, rho)
                cell = rng.choice(grid.size, p=grid.ravel())
                x, y = divmod(int(cell), grid.shape[1])
                results.append(dc.Result(day, names[i], names[j], x, y))
            day += timedelta(days=1)
    return names, attack, defence, results


def test_the_gradient_matches_finite_differences():
    names, _, _, results = synthetic(teams=6, rounds=2)
    weights = dc.decay_weights([r.day for r in results], TODAY, 0.0018)
    data = dc._Data(results, weights, names)
    rng = np.random.default_rng(1)
    for _ in range(3):  # at several points, rho of either sign, 0-0 / 1-0 / 0-1 / 1-1 cells all present
        params = np.concatenate([rng.normal(0, 0.3, 12), [0.1, 0.25, rng.uniform(-0.2, 0.2)]])
        for centre in (None, rng.normal(0, 0.3, 12)):  # the ridge towards the average, or towards priors
            value, grad = dc.negative_log_likelihood(params, data, 0.7, centre)
            numeric = approx_fprime(params, lambda p, c=centre: dc.negative_log_likelihood(p, data, 0.7, c)[0], 1e-6)
            assert np.allclose(grad, numeric, rtol=1e-4, atol=1e-3), np.max(np.abs(grad - numeric))
            assert np.isfinite(value)


def test_a_fit_recovers_the_strengths_that_generated_the_data():
    names, attack, defence, results = synthetic(teams=12, rounds=30)
    fit = dc.fit(results, TODAY, xi=0.0, ridge=0.01)
    assert np.corrcoef(fit.attack, attack)[0, 1] > 0.9
    assert np.corrcoef(fit.defence, defence)[0, 1] > 0.9
    assert fit.home_advantage == pytest.approx(0.3, abs=0.06)
    assert fit.rho == pytest.approx(-0.1, abs=0.06)
    assert fit.rates(names[0], names[1])[0] > 0


@pytest.mark.parametrize(
    ("lam", "nu", "rho"),
    [(0.01, 0.01, 0.25), (9.0, 8.0, 0.25), (9.0, 8.0, -0.25), (1e-6, 12.0, -0.25), (1.4, 1.1, 0.0)],
)
def test_probabilities_are_never_negative_and_sum_to_one(lam, nu, rho):
    grid = dc.score_grid(lam, nu, rho)
    assert grid.min() >= 0.0
    assert grid.sum() == pytest.approx(1.0, abs=1e-12)


@pytest.mark.parametrize("bad", [0.0, -1.0, float("nan"), float("inf")])
def test_impossible_rates_are_refused(bad):
    with pytest.raises(ValueError):
        dc.score_grid(bad, 1.0, 0.0)


def test_a_fit_that_cannot_converge_is_reported_not_returned():
    _, _, _, results = synthetic(teams=6, rounds=2)
    with pytest.raises(dc.FitError):
        dc.fit(results, TODAY, max_iterations=2)  # stopped long before it converges
    with pytest.raises(dc.FitError):
        dc.fit([], TODAY)


def test_a_match_after_the_prediction_date_cannot_be_fitted():
    _, _, _, results = synthetic(teams=4, rounds=1)
    with pytest.raises(ValueError):
        dc.fit(results, results[0].day - timedelta(days=1))


def test_an_unseen_club_counts_as_average_and_a_warm_start_gives_the_same_fit():
    names, _, _, results = synthetic(teams=10, rounds=4)
    cold = dc.fit(results, TODAY)
    warm = dc.fit(results, TODAY, start=cold)
    assert np.allclose(cold.attack, warm.attack, atol=1e-3)
    lam, nu = cold.rates("Newly Promoted", names[0])
    assert lam > 0 and nu > 0


def test_a_newcomer_is_pulled_towards_its_prior_and_an_unseen_club_starts_there():
    names, _, _, results = synthetic(teams=10, rounds=4)
    promoted = names[3]
    # the promoted club has played twice: too little to rate it alone
    few = [r for r in results if promoted not in (r.home, r.away)] + [
        r for r in results if promoted in (r.home, r.away)
    ][:2]
    prior = (-0.4, 0.3)
    plain = dc.fit(few, TODAY, ridge=1.0)
    pulled = dc.fit(few, TODAY, ridge=1.0, newcomers={promoted}, newcomer=prior)
    a0, d0 = plain.strength(promoted)
    a1, d1 = pulled.strength(promoted)
    assert a1 < a0 and d1 > d0  # weaker than the plain fit's near-average guess
    # two matches of evidence keep part of the shift: less than the whole prior, more than nothing
    assert 0.05 < a0 - a1 < -prior[0] and 0.05 < d1 - d0 < prior[1]
    others = [n for n in names if n != promoted]
    assert np.allclose([plain.strength(n) for n in others], [pulled.strength(n) for n in others], atol=0.05)
    assert pulled.strength("Never Seen") == prior and plain.strength("Never Seen") == (0.0, 0.0)


def test_newcomers_are_the_clubs_new_to_the_league_this_season():
    from app.model.backtest import Game
    from app.model.blend import newcomers

    def game(days_ago: int, home: str, away: str) -> Game:
        return Game("E0", "x", TODAY - timedelta(days=days_ago), home, away, 1, 0)

    history = [
        game(600, "Old", "Older"),
        game(300, "Old", "Older"),
        game(100, "Promoted", "Old"),
        game(50, "Older", "Promoted"),
    ]
    assert newcomers(history, TODAY) == {"Promoted"}
    # with only this season's data every club looks new: nobody is called a newcomer
    assert newcomers([game(100, "A", "B"), game(50, "B", "C")], TODAY) == frozenset()
