"""Dixon-Coles (1997): Poisson goals with a low-score correction, fitted by weighted maximum likelihood.

    log λ (home goals) = μ + h + attack[home] + defence[away]
    log λa (away goals) = μ     + attack[away] + defence[home]
    P(x, y) = τ(x, y) · Pois(x; λ) · Pois(y; λa), with τ moving weight between 0-0, 1-0, 0-1, 1-1 by rho.

Each past match counts with weight exp(-ξ · days before the prediction date) (time decay). A ridge
penalty on attacks and defences pulls clubs with little data towards the average and makes the
parameters identifiable without a sum-to-zero constraint. The likelihood's gradient is analytic;
L-BFGS-B fits it. A fit that does not converge raises FitError: it is reported, never published.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import minimize
from scipy.special import gammaln

Array = NDArray[np.float64]
RHO_BOUNDS = (-0.25, 0.25)
MAX_GOALS = 12  # the score grid's edge: the mass beyond it is negligible (< 1e-6 at 4 expected goals)


class FitError(RuntimeError):
    """The optimiser did not converge, or the data cannot identify a model."""


@dataclass(frozen=True)
class Result:
    """One played match, as the fit sees it."""

    day: date
    home: str
    away: str
    home_goals: float  # whole goals; or a rate (the market's expected goals, shots turned into goals)
    away_goals: float


@dataclass(frozen=True)
class Fit:
    teams: tuple[str, ...]
    attack: Array
    defence: Array
    intercept: float
    home_advantage: float
    rho: float
    log_likelihood: float
    iterations: int
    matches: int
    weight: float
    newcomer: tuple[float, float] = (0.0, 0.0)  # (attack, defence) a club new to the league starts from

    def index(self, team: str) -> int:
        return self.teams.index(team)

    def rates(self, home: str, away: str) -> tuple[float, float]:
        """Expected goals (home, away); a club the fit has never seen starts from the newcomers' prior."""
        ah, dh = self.strength(home)
        aa, da = self.strength(away)
        return (float(np.exp(self.intercept + self.home_advantage + ah + da)), float(np.exp(self.intercept + aa + dh)))

    def strength(self, team: str) -> tuple[float, float]:
        """(attack, defence) of a club; the newcomers' prior (by default the average) for one never seen."""
        if team not in self.teams:
            return self.newcomer
        i = self.teams.index(team)
        return float(self.attack[i]), float(self.defence[i])

    def grid(self, home: str, away: str) -> Array:
        lam, nu = self.rates(home, away)
        return score_grid(lam, nu, self.rho)


def score_grid(lam: float, nu: float, rho: float, max_goals: int = MAX_GOALS) -> Array:
    """P(home scores i, away scores j) for i, j in 0..max_goals: non-negative, summing to 1."""
    if not (np.isfinite(lam) and np.isfinite(nu)) or lam <= 0 or nu <= 0:
        raise ValueError(f"expected goals must be positive and finite, got {lam!r} and {nu!r}")
    goals = np.arange(max_goals + 1)
    log_fact = gammaln(goals + 1.0)
    home = np.exp(goals * np.log(lam) - lam - log_fact)
    away = np.exp(goals * np.log(nu) - nu - log_fact)
    grid = np.outer(home, away)
    grid[0, 0] *= 1.0 - lam * nu * rho
    grid[0, 1] *= 1.0 + lam * rho
    grid[1, 0] *= 1.0 + nu * rho
    grid[1, 1] *= 1.0 - rho
    grid = np.clip(grid, 0.0, None)  # extreme rates can push a corrected cell below zero: never a negative probability
    return grid / grid.sum()


class _Data:
    """The matches as index and weight arrays, built once per fit."""

    def __init__(self, results: Sequence[Result], weights: Array, teams: Sequence[str]) -> None:
        position = {t: i for i, t in enumerate(teams)}
        self.n = len(teams)
        self.home = np.fromiter((position[r.home] for r in results), np.int64, len(results))
        self.away = np.fromiter((position[r.away] for r in results), np.int64, len(results))
        self.x = np.fromiter((r.home_goals for r in results), np.float64, len(results))
        self.y = np.fromiter((r.away_goals for r in results), np.float64, len(results))
        self.w = weights
        self.const = float(np.sum(weights * (gammaln(self.x + 1.0) + gammaln(self.y + 1.0))))
        self.is00 = (self.x == 0) & (self.y == 0)
        self.is01 = (self.x == 0) & (self.y == 1)
        self.is10 = (self.x == 1) & (self.y == 0)
        self.is11 = (self.x == 1) & (self.y == 1)


def negative_log_likelihood(
    params: Array,
    data: _Data,
    ridge: float,
    centre: Array | None = None,
) -> tuple[float, Array]:
    """The weighted negative log-likelihood plus the ridge penalty, and its gradient.

    params = [attack (n), defence (n), intercept, home advantage, rho]; the ridge pulls attacks and defences
    towards `centre` (2n values; zero, the average, when None)."""
    n = data.n
    attack, defence = params[:n], params[n : 2 * n]
    mu, h, rho = params[2 * n], params[2 * n + 1], params[2 * n + 2]
    log_lam = mu + h + attack[data.home] + defence[data.away]
    log_nu = mu + attack[data.away] + defence[data.home]
    lam, nu = np.exp(log_lam), np.exp(log_nu)

    tau = np.ones_like(lam)
    tau[data.is00] = 1.0 - lam[data.is00] * nu[data.is00] * rho
    tau[data.is01] = 1.0 + lam[data.is01] * rho
    tau[data.is10] = 1.0 + nu[data.is10] * rho
    tau[data.is11] = 1.0 - rho
    tau = np.maximum(tau, 1e-12)

    w = data.w
    ll = np.sum(w * (np.log(tau) + data.x * log_lam - lam + data.y * log_nu - nu)) - data.const
    shrunk = params[: 2 * n] if centre is None else params[: 2 * n] - centre
    penalty = 0.5 * ridge * float(shrunk @ shrunk)

    # d log τ / d log λ, d log λa and drho, cell by cell.
    dtau_lam = np.zeros_like(lam)
    dtau_nu = np.zeros_like(lam)
    dtau_rho = np.zeros_like(lam)
    m = data.is00
    dtau_lam[m] = -lam[m] * nu[m] * rho / tau[m]
    dtau_nu[m] = dtau_lam[m]
    dtau_rho[m] = -lam[m] * nu[m] / tau[m]
    m = data.is01
    dtau_lam[m] = lam[m] * rho / tau[m]
    dtau_rho[m] = lam[m] / tau[m]
    m = data.is10
    dtau_nu[m] = nu[m] * rho / tau[m]
    dtau_rho[m] = nu[m] / tau[m]
    m = data.is11
    dtau_rho[m] = -1.0 / tau[m]

    g_lam = w * (data.x - lam + dtau_lam)  # d ll / d log λ per match
    g_nu = w * (data.y - nu + dtau_nu)
    grad = np.zeros_like(params)
    np.add.at(grad, data.home, g_lam)  # attack of the home side
    np.add.at(grad, data.away, g_nu)  # attack of the away side
    np.add.at(grad, n + data.away, g_lam)  # defence of the away side
    np.add.at(grad, n + data.home, g_nu)  # defence of the home side
    grad[2 * n] = g_lam.sum() + g_nu.sum()
    grad[2 * n + 1] = g_lam.sum()
    grad[2 * n + 2] = np.sum(w * dtau_rho)
    grad[: 2 * n] -= ridge * shrunk
    return float(-(ll - penalty)), -grad


def decay_weights(days: Sequence[date], today: date, xi: float) -> Array:
    ages = np.fromiter(((today - d).days for d in days), np.float64, len(days))
    if np.any(ages < 0):
        raise ValueError("a match after the prediction date cannot be used to fit")
    return np.exp(-xi * ages)


def fit(
    results: Sequence[Result],
    today: date,
    xi: float = 0.0018,
    ridge: float = 1.0,
    start: Fit | None = None,
    tolerance: float = 1e-6,
    max_iterations: int = 2000,
    newcomers: Collection[str] = (),
    newcomer: tuple[float, float] = (0.0, 0.0),
) -> Fit:
    """Fit on the matches before `today`, each weighted by its age. `start` (an earlier fit) speeds it up.

    The ridge pulls `newcomers` (clubs new to the league, such as the promoted) towards the `newcomer` prior
    rather than towards the average, and a club the fit never saw starts there too."""
    if not results:
        raise FitError("no matches to fit")
    weights = decay_weights([r.day for r in results], today, xi)
    teams = tuple(sorted({r.home for r in results} | {r.away for r in results}))
    data = _Data(results, weights, teams)
    n = len(teams)
    x0 = np.zeros(2 * n + 3)
    x0[2 * n] = np.log(max(float(np.average(data.x + data.y, weights=weights)) / 2, 0.1))
    x0[2 * n + 1] = 0.25
    if start is not None:
        for i, team in enumerate(teams):
            if team in start.teams:
                j = start.teams.index(team)
                x0[i], x0[n + i] = start.attack[j], start.defence[j]
        x0[2 * n :] = (start.intercept, start.home_advantage, start.rho)
    centre = np.zeros(2 * n)
    for i, team in enumerate(teams):
        if team in newcomers:
            centre[i], centre[n + i] = newcomer
            if start is None or team not in start.teams:
                x0[i], x0[n + i] = newcomer
    bounds = [(None, None)] * (2 * n + 2) + [RHO_BOUNDS]
    scale = float(weights.sum())
    solution = minimize(
        lambda p: _scaled(p, data, ridge, scale, centre),
        x0,
        jac=True,
        method="L-BFGS-B",
        bounds=bounds,
        options={"maxiter": max_iterations, "gtol": tolerance},
    )
    params = solution.x
    gradient = np.array(solution.jac, dtype=float) if solution.jac is not None else np.full_like(params, np.inf)
    # rho may rest on a bound, its gradient pointing outwards: that is an optimum, not a failure.
    low, high = RHO_BOUNDS
    if (params[-1] <= low + 1e-9 and gradient[-1] > 0) or (params[-1] >= high - 1e-9 and gradient[-1] < 0):
        gradient[-1] = 0.0
    gradient_norm = float(np.max(np.abs(gradient)))
    if not solution.success or not np.all(np.isfinite(params)) or gradient_norm > 1e-3:
        raise FitError(f"the fit did not converge: {solution.message} (largest gradient {gradient_norm:.2g})")
    return Fit(
        teams=teams,
        attack=params[:n].copy(),
        defence=params[n : 2 * n].copy(),
        intercept=float(params[2 * n]),
        home_advantage=float(params[2 * n + 1]),
        rho=float(params[2 * n + 2]),
        log_likelihood=-float(solution.fun) * scale,
        iterations=int(solution.nit),
        matches=len(results),
        weight=scale,
        newcomer=newcomer,
    )


def _scaled(params: Array, data: _Data, ridge: float, scale: float, centre: Array) -> tuple[float, Array]:
    """The objective per unit of weight: the optimiser's tolerances then mean the same for any data size."""
    value, grad = negative_log_likelihood(params, data, ridge, centre)
    return value / scale, grad / scale
