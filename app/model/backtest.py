"""Walk-forward backtest: for each match day, fit only on what was played before it, then predict it.

The market is the yardstick: its closing 1X2 prices with the margin removed (Shin's method,
as the odds board uses), scored on the same matches as the model.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from itertools import groupby
from typing import Literal, TypedDict

import numpy as np

from app.model import blend, footballdata, implied, scoring
from app.model import dixon_coles as dc
from app.model.prices import remove_margin


# Chosen on 2013-14 (fitted from 2012-13 on), never on the seasons the backtest reports.
# The newcomers' prior (attack, defence on the log scale): a promoted club starts ~30% below the average
# attack and ~28% above the average concession, instead of at the average.
class Choice(TypedDict):
    """The model's hyper-parameters: the blend's weights, time decay, ridge and the newcomers' prior."""

    goals: float
    market: float
    shots: float
    xi: float
    ridge: float
    newcomer: tuple[float, float]


CHOSEN: Choice = {"goals": 0.2, "market": 0.8, "shots": 0.0, "xi": 0.004, "ridge": 1.0, "newcomer": (-0.35, 0.25)}
VERSION = "blend-2"  # the name published predictions carry for CHOSEN: a new choice is a new version
HISTORY = timedelta(days=3 * 365)  # older matches weigh under a seventh at ξ = 0.0018: left out
Prices = Literal["best", "closing"]  # the best price before the match, or the market's closing price


@dataclass(frozen=True)
class Game:
    """A played match of the backtest: its result and, when known, the market's closing prices."""

    league: str
    season: str
    day: date
    home: str
    away: str
    home_goals: int
    away_goals: int
    odds: tuple[float, float, float] | None = None  # the market's closing prices (see footballdata.ODDS_PREFERENCE)
    shots_on_target: tuple[int, int] | None = None
    implied: tuple[float, float] | None = None  # the expected goals the closing prices implied
    best_odds: tuple[float, float, float] | None = None  # each outcome's best price among bookmakers before the match

    @property
    def outcome(self) -> int:
        return 0 if self.home_goals > self.away_goals else 1 if self.home_goals == self.away_goals else 2


@dataclass(frozen=True)
class Forecast:
    game: Game
    model: tuple[float, float, float]
    market: tuple[float, float, float]


@dataclass
class Report:
    forecasts: list[Forecast] = field(default_factory=list)
    failed_fits: list[str] = field(default_factory=list)
    fits: int = 0
    fit_seconds: float = 0.0
    seconds: float = 0.0

    def summary(self, league: str | None = None) -> dict[str, float]:
        chosen = [f for f in self.forecasts if league is None or f.game.league == league]
        return scoring.compare([f.model for f in chosen], [f.market for f in chosen], [f.game.outcome for f in chosen])

    def level_stakes(self, prices: Prices, min_edge: float = 0.0) -> scoring.Staking:
        """Level stakes on the model's value at the market's closing prices ("closing") or at the best price
        before the match ("best"), as the match page suggests them."""
        return scoring.level_stakes(
            [f.model for f in self.forecasts],
            [f.game.odds if prices == "closing" else f.game.best_odds for f in self.forecasts],
            [f.game.outcome for f in self.forecasts],
            min_edge,
        )


def season_of(day: date) -> str:
    """The football season a date falls in: July to June."""
    start = day.year if day.month >= 7 else day.year - 1
    return f"{start}-{(start + 1) % 100:02d}"


def games(rows: Iterable[footballdata.MatchRow]) -> list[Game]:
    """Backtest games from CSV rows, with the expected goals each match's closing prices implied."""
    out = []
    for r in rows:
        sot = None
        if r.home_shots_on_target is not None and r.away_shots_on_target is not None:
            sot = (r.home_shots_on_target, r.away_shots_on_target)
        out.append(
            Game(
                r.division,
                season_of(r.date),
                r.date,
                r.home,
                r.away,
                r.home_goals,
                r.away_goals,
                (r.odds.home, r.odds.draw, r.odds.away) if r.odds else None,
                sot,
                best_odds=(r.best_odds.home, r.best_odds.draw, r.best_odds.away) if r.best_odds else None,
            )
        )
    priced = [(i, g.odds) for i, g in enumerate(out) if g.odds is not None]
    for (i, _), rates in zip(priced, implied.from_prices([o for _, o in priced]), strict=True):
        out[i] = replace(out[i], implied=rates)
    return out


Predictor = Callable[[Sequence[Game], date, Sequence[Game]], list[tuple[float, float, float]]]


def market_probabilities(odds: tuple[float, float, float]) -> tuple[float, float, float]:
    home, draw, away = remove_margin(list(odds), "shin")
    return home, draw, away


def one_x_two(grid: np.ndarray) -> tuple[float, float, float]:
    """Home, draw and away from a score grid (rows: home goals)."""
    home, draw = float(np.tril(grid, -1).sum()), float(np.trace(grid))
    return home, draw, 1.0 - home - draw


def dixon_coles_predictor(xi: float = 0.0018, ridge: float = 1.0, history_days: int | None = None) -> Predictor:
    """The plain model: one Dixon-Coles fit per league and match day, warm-started from the last.

    `reference()` configures it as the open-source standard the issue measures against."""
    last: dict[str, dc.Fit] = {}

    def predict(history: Sequence[Game], day: date, games: Sequence[Game]) -> list[tuple[float, float, float]]:
        league = games[0].league
        since = day - timedelta(days=history_days) if history_days else date.min
        fit = dc.fit(
            [dc.Result(g.day, g.home, g.away, g.home_goals, g.away_goals) for g in history if g.day >= since],
            day,
            xi=xi,
            ridge=ridge,
            start=last.get(league),
        )
        last[league] = fit
        return [one_x_two(fit.grid(g.home, g.away)) for g in games]

    return predict


def reference() -> Predictor:
    """The open-source yardstick (penaltyblog's Dixon-Coles as the issue describes it): goals only, two
    seasons of data, time decay 0.0018 a day, refitted every match day; a ridge too faint to shrink
    anything stands in for its sum-to-zero constraint."""
    return dixon_coles_predictor(xi=0.0018, ridge=1e-4, history_days=730)


def blend_predictor(
    goals: float = 1.0,
    market: float = 0.0,
    shots: float = 0.0,
    xi: float = 0.0018,
    ridge: float = 1.0,
    newcomer: tuple[float, float] = (0.0, 0.0),
) -> Predictor:
    """The published model (app/model/blend.py), refitted every match day, warm-started per league."""
    last: dict[str, dict[str, dc.Fit]] = {}

    def predict(history: Sequence[Game], day: date, games: Sequence[Game]) -> list[tuple[float, float, float]]:
        league = games[0].league
        fitted = blend.fit_blend(
            history, day, goals, market, shots, xi, ridge, starts=last.get(league), newcomer=newcomer
        )
        last[league] = fitted.fits
        return [one_x_two(fitted.grid(g.home, g.away)) for g in games]

    return predict


def run(games: Iterable[Game], seasons: set[str], predictor: Predictor) -> Report:
    """Walk forward through each league's match days of `seasons`, fitting on everything before each day."""
    report = Report()
    started = time.perf_counter()
    by_league: dict[str, list[Game]] = defaultdict(list)
    for g in games:
        by_league[g.league].append(g)
    for league in sorted(by_league):
        played = sorted(by_league[league], key=lambda g: (g.day, g.home))
        first = 0
        for day, group in groupby(played, key=lambda g: g.day):
            todays = list(group)
            while played[first].day < day - HISTORY:
                first += 1
            history = [g for g in played[first:] if g.day < day]
            targets = [g for g in todays if g.season in seasons and g.odds is not None]
            if not targets or len(history) < 50:
                continue
            fit_started = time.perf_counter()
            try:
                predictions = predictor(history, day, targets)
            except dc.FitError as exc:
                report.failed_fits.append(f"{league} {day}: {exc}")
                continue
            report.fit_seconds += time.perf_counter() - fit_started
            report.fits += 1
            for game, model in zip(targets, predictions, strict=True):
                if any(not math.isfinite(p) or p < 0 for p in model):
                    report.failed_fits.append(f"{league} {day}: {game.home}-{game.away} has impossible probabilities")
                    continue
                report.forecasts.append(Forecast(game, model, market_probabilities(game.odds)))  # type: ignore[arg-type]
    report.seconds = time.perf_counter() - started
    return report
