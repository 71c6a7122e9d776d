"""Walk-forward backtest: for each match day, fit only on what was played before it, then predict it.

The market is the yardstick: its closing 1X2 prices with the margin removed (Shin's method,
as the odds board uses), scored on the same matches as the model.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import groupby

import numpy as np

from app.model import dixon_coles as dc
from app.model import footballdata, scoring
from app.odds.maths import remove_margin

HISTORY = timedelta(days=3 * 365)  # older matches weigh under a seventh at ξ = 0.0018: left out


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
    odds: tuple[float, float, float] | None = None

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
        outcomes = [f.game.outcome for f in chosen]
        model = scoring.scores([f.model for f in chosen], outcomes)
        market = scoring.scores([f.market for f in chosen], outcomes)
        out: dict[str, float] = {"matches": len(chosen)}
        for name, metric in (("rps", scoring.rps), ("log_loss", scoring.log_loss), ("brier", scoring.brier)):
            diff, se = scoring.paired_difference([metric(f.model, f.game.outcome) for f in chosen],
                                                 [metric(f.market, f.game.outcome) for f in chosen])
            out |= {f"model_{name}": getattr(model, name), f"market_{name}": getattr(market, name),
                    f"diff_{name}": diff, f"se_{name}": se}
        for i, label in enumerate(("home", "draw", "away")):
            _, ece = scoring.reliability([f.model[i] for f in chosen], [o == i for o in outcomes])
            out[f"ece_{label}"] = ece
        return out


def season_of(day: date) -> str:
    """The football season a date falls in: July to June."""
    start = day.year if day.month >= 7 else day.year - 1
    return f"{start}-{(start + 1) % 100:02d}"


def games(rows: Iterable[footballdata.MatchRow]) -> list[Game]:
    return [Game(r.division, season_of(r.date), r.date, r.home, r.away, r.home_goals, r.away_goals,
                 (r.odds.home, r.odds.draw, r.odds.away) if r.odds else None) for r in rows]


Predictor = Callable[[Sequence[Game], date, Sequence[Game]], list[tuple[float, float, float]]]


def market_probabilities(odds: tuple[float, float, float]) -> tuple[float, float, float]:
    home, draw, away = remove_margin(list(odds), "shin")
    return home, draw, away


def dixon_coles_predictor(xi: float = 0.0018, ridge: float = 1.0) -> Predictor:
    """The plain model: one Dixon-Coles fit per league and match day, warm-started from the last."""
    last: dict[str, dc.Fit] = {}

    def predict(history: Sequence[Game], day: date, games: Sequence[Game]) -> list[tuple[float, float, float]]:
        league = games[0].league
        fit = dc.fit([dc.Result(g.day, g.home, g.away, g.home_goals, g.away_goals) for g in history], day,
                     xi=xi, ridge=ridge, start=last.get(league))
        last[league] = fit
        out = []
        for g in games:
            grid = fit.grid(g.home, g.away)
            home, draw = float(np.tril(grid, -1).sum()), float(np.trace(grid))
            out.append((home, draw, 1.0 - home - draw))
        return out

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
