"""`make bench` (model part): one league's fit against the 0.1 s target and the five-league walk-forward
against 2 minutes, each beside a baseline in the same run.

Fits on one league's matches before one day (default: the Premier League before 2018-12-01, from
../shared/data/football-data), each the median of --repeats:
  * goals, two seasons (the ~800 weighted matches the issue names), cold start: `dixon_coles.fit`;
  * the same, warm-started from the fit a week earlier, as the walk-forward refits;
  * the published blend (goals and market-implied fits, three years), cold: what the hourly job runs per league;
  * baseline: the same likelihood and optimiser with the gradient taken by finite differences, i.e. what the
    analytic gradient saves;
  * baseline: penaltyblog's DixonColesGoalModel (the open-source model the issue measures against) on the
    same matches and weights, in a virtual environment of its own (.venv-penaltyblog, made on first
    use; `--no-penaltyblog` skips it). Its 1X2 on that day's fixtures is set beside the backtest's stand-in
    for it (`backtest.reference()`), so the stand-in is checked against the real thing.
Then the walk-forward, `backtest.run`, five leagues over 2014-15 to 2018-19: the published model beside the
reference Dixon-Coles, each timed whole (CSV reading and implied rates are timed apart).

It reports and never asserts timings; it exits non-zero only when something fails to run. Results go to
bench/out/model.json.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from scipy.optimize import minimize

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `python bench/model.py` puts bench/, not the repository, on the path
    sys.path.insert(0, str(ROOT))

from app.model import backtest, blend, footballdata, scoring  # noqa: E402
from app.model import dixon_coles as dc  # noqa: E402

OUT = ROOT / "bench" / "out"
PENALTYBLOG = "penaltyblog==1.13.1"
PENALTYBLOG_VENV = ROOT / ".venv-penaltyblog"
TARGET_FIT_SECONDS = 0.1
TARGET_WALK_SECONDS = 120.0
LEAGUES = ["E0", "SP1", "I1", "D1", "F1"]
TWO_SEASONS = timedelta(days=730)


class BenchError(RuntimeError):
    """Something the bench needs did not run."""


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "football-data")
    parser.add_argument("--league", default="E0")
    parser.add_argument("--day", type=date.fromisoformat, default=date(2018, 12, 1))
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--seasons", default="2014-15:2018-19", help="the walk-forward's predicted seasons")
    parser.add_argument("--no-penaltyblog", action="store_true", help="skip the penaltyblog baseline")
    parser.add_argument("--no-walk", action="store_true", help="skip the five-league walk-forward")
    return parser.parse_args(argv)


def log(text: str) -> None:
    print(text, flush=True)


def median_seconds(run: Callable[[], object], repeats: int) -> tuple[float, object]:
    """The median wall time of `repeats` runs, after one unmeasured warm-up, and the last run's result."""
    result = run()
    seconds = []
    for _ in range(repeats):
        started = time.perf_counter()
        result = run()
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds), result


def goal_results(games: Sequence[backtest.Game], day: date, since: timedelta) -> list[dc.Result]:
    return [dc.Result(g.day, g.home, g.away, g.home_goals, g.away_goals) for g in games if day - since <= g.day < day]


def finite_difference_fit(results: Sequence[dc.Result], day: date, xi: float, ridge: float) -> dc.Fit:
    """The same objective and optimiser as `dc.fit`, the gradient left to scipy's finite differences."""
    weights = dc.decay_weights([r.day for r in results], day, xi)
    teams = tuple(sorted({r.home for r in results} | {r.away for r in results}))
    data = dc._Data(results, weights, teams)
    n = len(teams)
    x0 = np.zeros(2 * n + 3)
    x0[2 * n] = np.log(float(np.average(data.x + data.y, weights=weights)) / 2)
    x0[2 * n + 1] = 0.25
    scale = float(weights.sum())
    solution = minimize(
        lambda p: dc.negative_log_likelihood(p, data, ridge)[0] / scale,
        x0,
        method="L-BFGS-B",
        bounds=[(None, None)] * (2 * n + 2) + [dc.RHO_BOUNDS],
        options={"maxiter": 2000, "gtol": 1e-6},
    )
    if not solution.success:
        raise BenchError(f"the finite-difference fit did not converge: {solution.message}")
    p = solution.x
    return dc.Fit(
        teams,
        p[:n].copy(),
        p[n : 2 * n].copy(),
        float(p[2 * n]),
        float(p[2 * n + 1]),
        float(p[2 * n + 2]),
        -float(solution.fun) * scale,
        int(solution.nit),
        len(results),
        scale,
    )


def penaltyblog_python() -> Path:
    """A Python with penaltyblog, in a virtual environment of the bench's own (made once)."""
    python = PENALTYBLOG_VENV / "bin" / "python"
    imports = python.exists() and subprocess.run([str(python), "-c", "import penaltyblog"]).returncode == 0
    if imports:
        return python
    log(f"installing {PENALTYBLOG} into {PENALTYBLOG_VENV.relative_to(ROOT)} (once)")
    steps = [
        [sys.executable, "-m", "venv", str(PENALTYBLOG_VENV)],
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", PENALTYBLOG],
    ]
    for step in steps:
        done = subprocess.run(step, capture_output=True, text=True)
        if done.returncode != 0:
            raise BenchError(f"{' '.join(step)} failed (use --no-penaltyblog to skip): {done.stderr[-2000:]}")
    return python


class Penaltyblog:
    """penaltyblog in a process of its own (its own virtual environment), fitting one job at a time."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [str(penaltyblog_python()), str(ROOT / "bench" / "penaltyblog_fit.py")],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def __enter__(self) -> Penaltyblog:
        return self

    def __exit__(self, *exc: object) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)

    def fit(
        self, results: Sequence[dc.Result], weights: np.ndarray, fixtures: Sequence[tuple[str, str]], repeats: int = 1
    ) -> dict[str, Any]:
        """The seconds of each of `repeats` fits and the fixtures' 1X2, or {"error": why}."""
        assert self.process.stdin is not None and self.process.stdout is not None
        job = {
            "matches": [
                [r.home, r.away, int(r.home_goals), int(r.away_goals), float(w)]
                for r, w in zip(results, weights, strict=True)
            ],
            "fixtures": list(fixtures),
            "repeats": repeats,
        }
        self.process.stdin.write(json.dumps(job) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise BenchError(f"penaltyblog's process ended (exit code {self.process.wait()})")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def predictor(self) -> backtest.Predictor:
        """The open-source model as the issue describes it: two seasons, decay 0.0018 a day, refitted each day."""

        def predict(
            history: Sequence[backtest.Game],
            day: date,
            games: Sequence[backtest.Game],
        ) -> list[tuple[float, float, float]]:
            results = goal_results(history, day, TWO_SEASONS)
            answer = self.fit(
                results, dc.decay_weights([r.day for r in results], day, 0.0018), [(g.home, g.away) for g in games]
            )
            if "error" in answer:
                raise dc.FitError(answer["error"])
            return [(p[0], p[1], p[2]) for p in answer["predictions"]]

        return predict


def fits(args: argparse.Namespace, games: list[backtest.Game], penaltyblog: Penaltyblog | None) -> dict[str, Any]:
    day = args.day
    two_seasons = goal_results(games, day, TWO_SEASONS)
    if len(two_seasons) < 100:
        raise BenchError(f"only {len(two_seasons)} {args.league} matches in the two seasons before {day}")
    history = [g for g in games if day - backtest.HISTORY <= g.day < day]
    fixtures = [(g.home, g.away) for g in games if day <= g.day < day + timedelta(days=4)]
    teams = {r.home for r in two_seasons} | {r.away for r in two_seasons}
    fixtures = [(h, a) for h, a in fixtures if h in teams and a in teams]
    weights = dc.decay_weights([r.day for r in two_seasons], day, 0.0018)
    log(
        f"{args.league} before {day}: {len(two_seasons)} matches in two seasons (weight {weights.sum():.0f} at "
        f"xi 0.0018), {len(history)} in the model's three years; {len(fixtures)} fixtures in the next 4 days"
    )

    rows: dict[str, Any] = {}
    cold, fit = median_seconds(lambda: dc.fit(two_seasons, day), args.repeats)
    rows["goals fit, cold"] = cold
    week_before = day - timedelta(days=7)
    start = dc.fit(goal_results(games, week_before, TWO_SEASONS), week_before)
    rows["goals fit, warm-started"], _ = median_seconds(lambda: dc.fit(two_seasons, day, start=start), args.repeats)
    rows["published blend, cold"], _ = median_seconds(
        lambda: blend.fit_blend(history, day, **backtest.CHOSEN), args.repeats
    )
    fd_seconds, fd_fit = median_seconds(
        lambda: finite_difference_fit(two_seasons, day, 0.0018, 1.0), max(3, args.repeats // 5)
    )
    rows["baseline: finite-difference gradient"] = fd_seconds
    assert isinstance(fit, dc.Fit) and isinstance(fd_fit, dc.Fit)
    analytic = [backtest.one_x_two(fit.grid(h, a)) for h, a in fixtures]
    numeric = [backtest.one_x_two(fd_fit.grid(h, a)) for h, a in fixtures]
    checks = {"finite_difference_max_abs_diff": float(np.max(np.abs(np.subtract(analytic, numeric))))}

    if penaltyblog is not None:
        pb = penaltyblog.fit(two_seasons, weights, fixtures, args.repeats + 1)
        if "error" in pb:
            raise BenchError(f"penaltyblog's fit failed: {pb['error']}")
        rows[f"baseline: penaltyblog {pb['version']}"] = statistics.median(pb["seconds"][1:])  # after a warm-up
        stand_in = dc.fit(two_seasons, day, xi=0.0018, ridge=1e-4)  # backtest.reference()'s configuration
        ours = [backtest.one_x_two(stand_in.grid(h, a)) for h, a in fixtures]
        checks["reference_vs_penaltyblog_max_abs_diff"] = float(np.max(np.abs(np.subtract(ours, pb["predictions"]))))

    cold_fit = rows["goals fit, cold"]
    log(f"\n{'fit (median of ' + str(args.repeats) + ')':<44}{'ms':>9}{'vs cold fit':>13}")
    for name, seconds in rows.items():
        log(f"{name:<44}{seconds * 1000:>9.1f}{seconds / cold_fit:>12.2f}x")
    log(
        f"target: one league's fit under {TARGET_FIT_SECONDS * 1000:.0f} ms: cold goals fit "
        f"{'meets it' if cold_fit < TARGET_FIT_SECONDS else 'MISSES it'}, published blend "
        f"{'meets it' if rows['published blend, cold'] < TARGET_FIT_SECONDS else 'MISSES it'}"
    )
    for name, value in checks.items():
        log(f"{name.replace('_', ' ')} (1X2 over {len(fixtures)} fixtures): {value:.5f}")
    return {
        "league": args.league,
        "day": day.isoformat(),
        "matches": len(two_seasons),
        "weight": float(weights.sum()),
        "history_matches": len(history),
        "seconds": rows,
        "checks": checks,
    }


def walk_forward(args: argparse.Namespace, penaltyblog: Penaltyblog | None) -> dict[str, Any]:
    seasons = footballdata.season_range(args.seasons)
    started = time.perf_counter()
    read = footballdata.read_dir(args.data, LEAGUES, footballdata.seasons_on_disk(args.data, LEAGUES, seasons[-1]))
    games = backtest.games(read.rows)
    reading = time.perf_counter() - started
    wanted = set(seasons)
    log(
        f"\nwalk-forward, {', '.join(LEAGUES)}, {seasons[0]} to {seasons[-1]} "
        f"({len(games)} matches read with implied rates in {reading:.1f} s)"
    )
    model = backtest.run(games, wanted, backtest.blend_predictor(**backtest.CHOSEN))
    reference = backtest.run(games, wanted, backtest.reference())
    reports = {"model": model, "reference": reference}
    if penaltyblog is not None:
        reports["penaltyblog"] = backtest.run(games, wanted, penaltyblog.predictor())
    log(f"{'':<34}{'seconds':>9}{'fits':>7}{'failed':>8}{'ms a fit':>10}{'matches':>9}{'RPS':>9}{'vs model':>10}")
    names = {
        "model": "published model",
        "reference": "baseline: reference DC (stand-in)",
        "penaltyblog": "baseline: penaltyblog's DC",
    }
    for key, report in reports.items():
        summary = report.summary()
        # the paired difference on the matches both predicted: a failed fit drops a day from one side only
        log(
            f"{names[key]:<34}{report.seconds:>9.1f}{report.fits:>7}{len(report.failed_fits):>8}"
            f"{report.fit_seconds / max(report.fits, 1) * 1000:>10.1f}{len(report.forecasts):>9}"
            f"{summary['model_rps']:>9.4f}{paired_rps(model, report):>+10.4f}"
        )
    log(
        "RPS per league: "
        + "; ".join(
            f"{league} " + " / ".join(f"{r.summary(league)['model_rps']:.4f}" for r in reports.values())
            for league in LEAGUES
        )
        + f" ({' / '.join(reports)})"
    )
    total = reading + model.seconds
    log(
        f"model / reference: {model.seconds / reference.seconds:.2f}x; the model's walk-forward with reading "
        f"{total:.1f} s: {'meets' if total < TARGET_WALK_SECONDS else 'MISSES'} the "
        f"{TARGET_WALK_SECONDS:.0f} s target"
    )
    return {
        "read_seconds": reading,
        "matches": len(model.forecasts),
        **{
            name: {
                "seconds": r.seconds,
                "fits": r.fits,
                "fit_seconds": r.fit_seconds,
                "failed": r.failed_fits,
                "matches": len(r.forecasts),
                "rps": r.summary()["model_rps"],
                "rps_by_league": {league: r.summary(league)["model_rps"] for league in LEAGUES},
                "rps_minus_model_on_shared_matches": paired_rps(model, r),
            }
            for name, r in reports.items()
        },
    }


def paired_rps(model: backtest.Report, other: backtest.Report) -> float:
    """Mean RPS of `other` minus the model's, over the matches both predicted."""
    mine = {(f.game.league, f.game.day, f.game.home): f for f in model.forecasts}
    pairs = [(mine[key], f) for f in other.forecasts if (key := (f.game.league, f.game.day, f.game.home)) in mine]
    if not pairs:
        return float("nan")
    return float(
        np.mean([scoring.rps(o.model, o.game.outcome) - scoring.rps(m.model, m.game.outcome) for m, o in pairs])
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    try:
        seasons = [backtest.season_of(args.day - timedelta(days=365 * k)) for k in (3, 2, 1, 0)]
        read = footballdata.read_dir(args.data, [args.league], seasons)
        with contextlib.ExitStack() as stack:
            penaltyblog = None if args.no_penaltyblog else stack.enter_context(Penaltyblog())
            results: dict[str, Any] = {
                "date": time.strftime("%Y-%m-%d %H:%M:%S"),
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "numpy": np.__version__,
                "fits": fits(args, backtest.games(read.rows), penaltyblog),
            }
            if not args.no_walk:
                results["walk_forward"] = walk_forward(args, penaltyblog)
    except (BenchError, footballdata.FootballDataError, dc.FitError) as exc:
        print(f"\nbench-model FAILED: {exc}", file=sys.stderr)
        return 1
    (OUT / "model.json").write_text(json.dumps(results, indent=2))
    log(f"\nwrote {(OUT / 'model.json').relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
