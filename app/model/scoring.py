"""How good a forecast of home/draw/away was: RPS, log loss, Brier, calibration, a paired difference, and what
betting on its value would have returned."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

Probabilities = Sequence[float]  # home, draw, away
OUTCOMES = ("home", "draw", "away")


def rps(p: Probabilities, outcome: int) -> float:
    """Ranked probability score (lower is better): outcome 0 home, 1 draw, 2 away."""
    observed = [1.0 if i >= outcome else 0.0 for i in range(3)]  # cumulative: P(result <= i)
    cum = np.cumsum(p)
    return float(sum((cum[i] - observed[i]) ** 2 for i in range(2)) / 2)


def log_loss(p: Probabilities, outcome: int) -> float:
    return -math.log(max(p[outcome], 1e-15))


def brier(p: Probabilities, outcome: int) -> float:
    return float(sum((p[i] - (1.0 if i == outcome else 0.0)) ** 2 for i in range(3)))


@dataclass(frozen=True)
class Scores:
    matches: int
    rps: float
    log_loss: float
    brier: float


def scores(forecasts: Sequence[Probabilities], outcomes: Sequence[int]) -> Scores:
    n = len(outcomes)
    if n == 0:
        return Scores(0, math.nan, math.nan, math.nan)
    return Scores(
        n,
        float(np.mean([rps(p, o) for p, o in zip(forecasts, outcomes, strict=True)])),
        float(np.mean([log_loss(p, o) for p, o in zip(forecasts, outcomes, strict=True)])),
        float(np.mean([brier(p, o) for p, o in zip(forecasts, outcomes, strict=True)])),
    )


def paired_difference(a: Sequence[float], b: Sequence[float]) -> tuple[float, float]:
    """Mean of a - b and its standard error, match by match (both forecasts scored on the same matches)."""
    diff = np.asarray(a, dtype=float) - np.asarray(b, dtype=float)
    if diff.size < 2:
        return float(diff.mean()) if diff.size else math.nan, math.nan
    return float(diff.mean()), float(diff.std(ddof=1) / math.sqrt(diff.size))


@dataclass(frozen=True)
class Bin:
    low: float
    high: float
    count: int
    mean_forecast: float
    observed: float


def reliability(forecast: Sequence[float], happened: Sequence[bool], bins: int = 10) -> tuple[list[Bin], float]:
    """A reliability diagram's bins for one outcome, and its expected calibration error
    (each bin's |forecast - observed| weighted by its share of the matches)."""
    p = np.asarray(forecast, dtype=float)
    y = np.asarray(happened, dtype=float)
    edges = np.linspace(0.0, 1.0, bins + 1)
    index = np.clip(np.digitize(p, edges[1:-1]), 0, bins - 1)
    out, ece = [], 0.0
    for b in range(bins):
        mask = index == b
        if not mask.any():
            continue
        mean_p, observed = float(p[mask].mean()), float(y[mask].mean())
        out.append(Bin(float(edges[b]), float(edges[b + 1]), int(mask.sum()), mean_p, observed))
        ece += mask.sum() / p.size * abs(mean_p - observed)
    return out, float(ece)


def compare(
    model: Sequence[Probabilities],
    market: Sequence[Probabilities],
    outcomes: Sequence[int],
) -> dict[str, float]:
    """Two forecasts of the same matches side by side: each one's scores, and model - market per metric with its
    standard error; plus the model's calibration error per outcome."""
    ours, theirs = scores(model, outcomes), scores(market, outcomes)
    out: dict[str, float] = {"matches": len(outcomes)}
    for name, metric in (("rps", rps), ("log_loss", log_loss), ("brier", brier)):
        diff, se = paired_difference(
            [metric(p, o) for p, o in zip(model, outcomes, strict=True)],
            [metric(p, o) for p, o in zip(market, outcomes, strict=True)],
        )
        out |= {
            f"model_{name}": getattr(ours, name),
            f"market_{name}": getattr(theirs, name),
            f"diff_{name}": diff,
            f"se_{name}": se,
        }
    for label, (_, ece) in calibration(model, outcomes).items():
        out[f"ece_{label}"] = ece
    return out


def calibration(
    forecasts: Sequence[Probabilities],
    outcomes: Sequence[int],
    bins: int = 10,
) -> dict[str, tuple[list[Bin], float]]:
    """The reliability bins and calibration error of each outcome: home, draw, away."""
    return {
        label: reliability([p[i] for p in forecasts], [o == i for o in outcomes], bins)
        for i, label in enumerate(OUTCOMES)
    }


@dataclass(frozen=True)
class Staking:
    """One unit staked on every outcome a forecast saw value in (probability x price - 1 > min_edge): the result."""

    min_edge: float
    bets: int
    matches: int
    profit: float  # units won less units staked
    se: float  # standard error of the return per unit staked, each match's bets taken together (they are linked)

    @property
    def roi(self) -> float:
        """Profit per unit staked; NaN with no bet."""
        return self.profit / self.bets if self.bets else math.nan


def beyond_luck(mean: float, se: float) -> int:
    """-1 or 1 when `mean` is more than two standard errors below or above zero; 0 when luck could explain it."""
    return -1 if mean + 2 * se < 0 else 1 if mean - 2 * se > 0 else 0


def level_stakes(
    forecasts: Sequence[Probabilities],
    prices: Sequence[Sequence[float] | None],
    outcomes: Sequence[int],
    min_edge: float = 0.0,
) -> Staking:
    """Level stakes on every outcome whose edge at `prices` (decimal, home/draw/away; None: none known) exceeds
    `min_edge`: the honest test of whether a forecast's value bets would have paid."""
    per_match: list[float] = []
    bets = 0
    for p, price, outcome in zip(forecasts, prices, outcomes, strict=True):
        if price is None:
            continue
        chosen = [i for i in range(3) if p[i] * price[i] - 1 > min_edge]
        if chosen:
            bets += len(chosen)
            per_match.append(sum((price[i] if i == outcome else 0.0) - 1.0 for i in chosen))
    n = len(per_match)
    se = float(np.std(per_match, ddof=1) * math.sqrt(n) / bets) if n > 1 else math.nan
    return Staking(min_edge, bets, n, float(sum(per_match)), se)
