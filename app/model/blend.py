"""The model BetScore publishes: one Dixon-Coles structure fitted three ways and blended.

Fits on goals, on the goals past closing prices implied (app/model/implied.py) and on shots on
target turned into goals; expected goals are their weighted geometric mean, and the low-score
correction comes from the goals fit. Each term of log λ (league level, home advantage, attack,
defence) is blended the same way, so a prediction can say what drives it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol

import numpy as np

from app.model import dixon_coles as dc

KINDS = ("goals", "market", "shots")
# A club whose every match in the history is this recent is new to the league this season (promoted, as a rule).
NEWCOMER_DAYS = 250


class Played(Protocol):
    @property
    def day(self) -> date: ...
    @property
    def home(self) -> str: ...
    @property
    def away(self) -> str: ...
    @property
    def home_goals(self) -> int: ...
    @property
    def away_goals(self) -> int: ...
    @property
    def implied(self) -> tuple[float, float] | None: ...
    @property
    def shots_on_target(self) -> tuple[int, int] | None: ...


@dataclass(frozen=True)
class Terms:
    """log λ = level + home_advantage + attack(home) + defence(away); log λa = level + attack(away) + defence(home)."""

    level: float
    home_advantage: float
    home_attack: float
    home_defence: float
    away_attack: float
    away_defence: float
    home_known: bool
    away_known: bool
    home_newcomer: bool = False
    away_newcomer: bool = False

    @property
    def rates(self) -> tuple[float, float]:
        return (
            float(np.exp(self.level + self.home_advantage + self.home_attack + self.away_defence)),
            float(np.exp(self.level + self.away_attack + self.home_defence)),
        )


@dataclass(frozen=True)
class Blend:
    fits: dict[str, dc.Fit]
    weights: dict[str, float]
    newcomers: frozenset[str] = frozenset()

    @property
    def rho(self) -> float:
        return self.fits["goals"].rho

    def terms(self, home: str, away: str) -> Terms:
        total = sum(self.weights[k] for k in self.fits)

        def mean(value: dict[str, float]) -> float:
            return sum(self.weights[k] * value[k] for k in self.fits) / total

        return Terms(
            level=mean({k: f.intercept for k, f in self.fits.items()}),
            home_advantage=mean({k: f.home_advantage for k, f in self.fits.items()}),
            home_attack=mean({k: f.strength(home)[0] for k, f in self.fits.items()}),
            home_defence=mean({k: f.strength(home)[1] for k, f in self.fits.items()}),
            away_attack=mean({k: f.strength(away)[0] for k, f in self.fits.items()}),
            away_defence=mean({k: f.strength(away)[1] for k, f in self.fits.items()}),
            home_known=home in self.fits["goals"].teams,
            away_known=away in self.fits["goals"].teams,
            home_newcomer=home in self.newcomers or home not in self.fits["goals"].teams,
            away_newcomer=away in self.newcomers or away not in self.fits["goals"].teams,
        )

    def rates(self, home: str, away: str) -> tuple[float, float]:
        return self.terms(home, away).rates

    def grid(self, home: str, away: str) -> np.ndarray:
        lam, nu = self.rates(home, away)
        return dc.score_grid(lam, nu, self.rho)


def newcomers(history: Sequence[Played], day: date) -> frozenset[str]:
    """Clubs new to the league this season: all their matches in the history are from the last NEWCOMER_DAYS,
    while the history itself reaches a season further back (at the start of the data every club looks new)."""
    first: dict[str, date] = {}
    for g in history:
        for team in (g.home, g.away):
            first[team] = min(first.get(team, g.day), g.day)
    recent = day - timedelta(days=NEWCOMER_DAYS)
    if not first or min(first.values()) > recent - timedelta(days=NEWCOMER_DAYS):
        return frozenset()
    return frozenset(team for team, since in first.items() if since > recent)


def fit_blend(
    history: Sequence[Played],
    day: date,
    goals: float = 1.0,
    market: float = 0.0,
    shots: float = 0.0,
    xi: float = 0.0018,
    ridge: float = 1.0,
    starts: dict[str, dc.Fit] | None = None,
    newcomer: tuple[float, float] = (0.0, 0.0),
) -> Blend:
    """Fit each kind with a positive weight on `history` (all before `day`); `starts` warm-starts them.
    Clubs new to the league are pulled towards the `newcomer` prior (attack, defence), not the average."""
    starts = starts or {}
    results: dict[str, list[dc.Result]] = {
        "goals": [dc.Result(g.day, g.home, g.away, g.home_goals, g.away_goals) for g in history]
    }
    if market:
        results["market"] = [dc.Result(g.day, g.home, g.away, *g.implied) for g in history if g.implied]
    if shots:
        with_shots = [(g, g.shots_on_target) for g in history if g.shots_on_target]
        per_shot = sum(g.home_goals + g.away_goals for g, _ in with_shots) / max(
            1, sum(h + a for _, (h, a) in with_shots)
        )  # goals per shot on target in this league
        results["shots"] = [dc.Result(g.day, g.home, g.away, h * per_shot, a * per_shot) for g, (h, a) in with_shots]
    new = newcomers(history, day) if newcomer != (0.0, 0.0) else frozenset()
    fits = {
        kind: dc.fit(rows, day, xi=xi, ridge=ridge, start=starts.get(kind), newcomers=new, newcomer=newcomer)
        for kind, rows in results.items()
        if rows
    }
    return Blend(fits, {"goals": goals, "market": market, "shots": shots}, new)
