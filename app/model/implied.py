"""The expected goals a market's 1X2 prices imply: what the market thought of a past match.

A past match's closing prices (margin removed) give P(home) and P(away); the Poisson rates
(λ home, λa away) that reproduce both are found by Newton's method, for all matches at once.
Fitted like goals, these rates teach the model each club's strength as the market saw it:
far less noisy than the goals themselves.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy.special import gammaln

from app.model.prices import remove_margin

Array = NDArray[np.float64]
GOALS = np.arange(16)
_LOG_FACT = gammaln(GOALS + 1.0)


def _outcome_probabilities(u: Array, v: Array) -> tuple[Array, Array]:
    """P(home win), P(away win) for log-rates u (home) and v (away), elementwise."""
    home = np.exp(GOALS[None, :] * u[:, None] - np.exp(u)[:, None] - _LOG_FACT[None, :])
    away = np.exp(GOALS[None, :] * v[:, None] - np.exp(v)[:, None] - _LOG_FACT[None, :])
    cdf_away = np.cumsum(away, axis=1)  # P(away <= k)
    cdf_home = np.cumsum(home, axis=1)
    p_home = np.sum(home[:, 1:] * cdf_away[:, :-1], axis=1)  # home scores k, away fewer
    p_away = np.sum(away[:, 1:] * cdf_home[:, :-1], axis=1)
    return p_home, p_away


def rates(p_home: Array, p_away: Array, iterations: int = 30) -> tuple[Array, Array]:
    """The (λ, λa) per match whose Poisson 1X2 has these home and away probabilities."""
    p_home, p_away = np.asarray(p_home, dtype=float), np.asarray(p_away, dtype=float)
    u = np.full(p_home.shape, np.log(1.4))
    v = np.full(p_home.shape, np.log(1.1))
    step = 1e-5
    for _ in range(iterations):
        h, a = _outcome_probabilities(u, v)
        fh, fa = h - p_home, a - p_away
        hu, au = _outcome_probabilities(u + step, v)
        hv, av = _outcome_probabilities(u, v + step)
        j11, j12 = (hu - h) / step, (hv - h) / step
        j21, j22 = (au - a) / step, (av - a) / step
        det = j11 * j22 - j12 * j21
        du = (fh * j22 - fa * j12) / det
        dv = (fa * j11 - fh * j21) / det
        u, v = u - np.clip(du, -1, 1), v - np.clip(dv, -1, 1)
        u, v = np.clip(u, np.log(0.05), np.log(8)), np.clip(v, np.log(0.05), np.log(8))
    return np.exp(u), np.exp(v)


def from_prices(odds: list[tuple[float, float, float]]) -> list[tuple[float, float]]:
    """The (λ, λa) each match's 1X2 prices imply, margin removed the way the odds board removes it."""
    if not odds:
        return []
    fair = np.array([remove_margin(list(o), "shin") for o in odds])
    lam, nu = rates(fair[:, 0], fair[:, 2])
    return [(float(a), float(b)) for a, b in zip(lam, nu, strict=True)]
