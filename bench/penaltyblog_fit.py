"""The open-source yardstick, fitted on request: penaltyblog's DixonColesGoalModel, one job per line of stdin.

Runs under a Python that has penaltyblog (bench/model.py makes one in .venv-penaltyblog); it imports
nothing of BetScore. Each line in is a JSON job: {"matches": [[home, away, home_goals, away_goals, weight], ...],
"fixtures": [[home, away], ...], "repeats": N (default 1)}. Each line out answers it: {"version", "seconds" (of
each fit), "predictions" (each fixture's home, draw and away from the last fit; a club it never saw counts as
average)}, or {"error": why} when penaltyblog's optimiser gives up or its grid has a negative cell.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

import numpy as np
import penaltyblog as pb
from penaltyblog.models.football_probability_grid import FootballProbabilityGrid
from penaltyblog.models.probabilities import compute_dixon_coles_probabilities

MAX_GOALS = 15  # penaltyblog's predict() default


def one_x_two(model: Any, home: str, away: str) -> list[float]:
    """penaltyblog's predict(), except that a club the fit never saw (newly promoted, as a rule) counts as an
    average club, as the backtest's stand-in rates it, instead of raising."""
    n, params, teams = model.n_teams, model._params, list(model.teams)

    def strength(team: str) -> tuple[float, float]:
        if team in teams:
            i = teams.index(team)
            return float(params[i]), float(params[n + i])
        return float(np.mean(params[:n])), float(np.mean(params[n : 2 * n]))

    (home_attack, home_defence), (away_attack, away_defence) = strength(home), strength(away)
    grid = np.empty(MAX_GOALS * MAX_GOALS, dtype=np.float64)
    lam, nu = np.empty(1, dtype=np.float64), np.empty(1, dtype=np.float64)
    compute_dixon_coles_probabilities(
        home_attack,
        away_attack,
        home_defence,
        away_defence,
        float(params[-2]),
        float(params[-1]),
        MAX_GOALS,
        grid,
        lam,
        nu,
    )
    grid.shape = (MAX_GOALS, MAX_GOALS)
    return [float(p) for p in FootballProbabilityGrid(grid, float(lam[0]), float(nu[0]), normalize=True).home_draw_away]


def answer(job: dict[str, Any]) -> dict[str, Any]:
    home, away, home_goals, away_goals, weights = zip(*job["matches"], strict=True)
    seconds = []
    model = None
    for _ in range(int(job.get("repeats", 1))):
        started = time.perf_counter()
        model = pb.models.DixonColesGoalModel(
            np.array(home_goals, dtype=np.int64),
            np.array(away_goals, dtype=np.int64),
            np.array(home),
            np.array(away),
            np.array(weights, dtype=float),
        )
        try:
            model.fit()
        except ValueError as exc:  # "Optimization failed with message: ..."
            return {"error": str(exc)}
        seconds.append(time.perf_counter() - started)
    assert model is not None
    try:
        predictions = [one_x_two(model, h, a) for h, a in job["fixtures"]]
    except ValueError as exc:  # a grid with negative cells: penaltyblog refuses it
        return {"error": str(exc)}
    return {"version": pb.__version__, "seconds": seconds, "predictions": predictions}


def main() -> int:
    for line in sys.stdin:
        sys.stdout.write(json.dumps(answer(json.loads(line))) + "\n")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
