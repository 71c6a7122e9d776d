"""Every market a score grid prices: 1X2, totals, both teams to score, Asian handicaps, likely scores."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]
TOTAL_LINES = (0.5, 1.5, 2.5, 3.5, 4.5)
HANDICAP_LINES = (
    -2.5,
    -2.0,
    -1.75,
    -1.5,
    -1.25,
    -1.0,
    -0.75,
    -0.5,
    -0.25,
    0.0,
    0.25,
    0.5,
    0.75,
    1.0,
    1.25,
    1.5,
    1.75,
    2.0,
    2.5,
)


@dataclass(frozen=True)
class Handicap:
    """The home side's Asian handicap line: win, push and loss probabilities and the fair price
    (quarter lines split the stake over the two neighbouring lines)."""

    line: float
    home_win: float
    push: float
    home_loss: float

    @property
    def home_fair_price(self) -> float | None:
        """The decimal price at which a home bet breaks even, pushes refunded; None when it cannot win."""
        return (self.home_win + self.home_loss) / self.home_win if self.home_win > 0 else None

    @property
    def away_fair_price(self) -> float | None:
        return (self.home_win + self.home_loss) / self.home_loss if self.home_loss > 0 else None


@dataclass(frozen=True)
class Markets:
    expected_goals: tuple[float, float]
    home: float
    draw: float
    away: float
    over: dict[float, float]  # P(total goals > line), per line
    btts: float
    handicaps: tuple[Handicap, ...]
    likely_scores: tuple[tuple[int, int, float], ...]

    @property
    def outcomes(self) -> tuple[float, float, float]:
        return self.home, self.draw, self.away


def _margin_distribution(grid: Array) -> dict[int, float]:
    """P(home goals - away goals = d)."""
    size = grid.shape[0]
    return {d: float(np.trace(grid, offset=-d)) for d in range(-(size - 1), size)}


def _handicap(margins: dict[int, float], line: float) -> Handicap:
    if (line * 4) % 2:  # a quarter line: half the stake on each neighbour
        low, high = _handicap(margins, line - 0.25), _handicap(margins, line + 0.25)
        return Handicap(
            line, (low.home_win + high.home_win) / 2, (low.push + high.push) / 2, (low.home_loss + high.home_loss) / 2
        )
    win = sum(p for d, p in margins.items() if d + line > 0)
    push = sum(p for d, p in margins.items() if d + line == 0)
    return Handicap(line, win, push, max(0.0, 1.0 - win - push))


def price(grid: Array, top: int = 5) -> Markets:
    """Every market of one match from its score grid (rows: home goals, columns: away goals)."""
    if grid.ndim != 2 or grid.shape[0] != grid.shape[1] or grid.min() < 0 or abs(grid.sum() - 1.0) > 1e-9:
        raise ValueError("a score grid is square, non-negative and sums to one")
    goals = np.arange(grid.shape[0])
    totals = goals[:, None] + goals[None, :]
    margins = _margin_distribution(grid)
    order = np.argsort(grid, axis=None)[::-1][:top]
    return Markets(
        expected_goals=(float(grid.sum(axis=1) @ goals), float(grid.sum(axis=0) @ goals)),
        home=float(np.tril(grid, -1).sum()),
        draw=float(np.trace(grid)),
        away=float(np.triu(grid, 1).sum()),
        over={line: float(grid[totals > line].sum()) for line in TOTAL_LINES},
        btts=float(grid[1:, 1:].sum()),
        handicaps=tuple(_handicap(margins, line) for line in HANDICAP_LINES),
        likely_scores=tuple((int(i // grid.shape[1]), int(i % grid.shape[1]), float(grid.flat[i])) for i in order),
    )
