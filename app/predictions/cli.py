"""`flask predictions backtest`: the model walked forward over football-data.co.uk CSVs, against the market."""

from __future__ import annotations

import csv
import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import cast

import click
from flask.cli import AppGroup

from app import clock
from app.model import backtest, footballdata, scoring

METRICS = (("rps", "RPS"), ("log_loss", "log loss"), ("brier", "Brier"))
VALUE_EDGES = (0.0, 0.05)  # the edges over which the value bets are staked: any, and the clearer ones
PRICES: dict[backtest.Prices, str] = {
    "best": "the best price before the match",
    "closing": "the market's closing price",
}


def _table(report: backtest.Report, reference: backtest.Report, leagues: list[str]) -> list[dict[str, float | str]]:
    rows: list[dict[str, float | str]] = []
    for league in [*leagues, None]:
        ref = reference.summary(league)
        rows.append(
            {
                "league": league or "all",
                **report.summary(league),
                "reference_rps": ref["model_rps"],
                "reference_log_loss": ref["model_log_loss"],
                "reference_brier": ref["model_brier"],
                "reference_matches": ref["matches"],
            }
        )
    return rows


def _echo_table(rows: list[dict[str, float | str]]) -> None:
    click.echo(
        f"{'league':<7}{'matches':>8}"
        + "".join(f"  {label + ' model':>14}{'market':>8}{'diff':>9}{'± se':>8}" for _, label in METRICS)
        + f"  {'ECE H':>6}{'D':>6}{'A':>6}  {'ref. DC RPS':>11}"
    )
    for row in rows:
        line = f"{row['league']:<7}{int(row['matches']):>8}"
        for key, _ in METRICS:
            line += (
                f"  {row[f'model_{key}']:>14.4f}{row[f'market_{key}']:>8.4f}"
                f"{row[f'diff_{key}']:>+9.4f}{row[f'se_{key}']:>8.4f}"
            )
        line += f"  {row['ece_home']:>6.3f}{row['ece_draw']:>6.3f}{row['ece_away']:>6.3f}"
        line += f"  {row['reference_rps']:>11.4f}"
        click.echo(line)


def _calibration(forecasts: list[tuple[float, float, float]], outcomes: list[int]) -> dict[str, object]:
    """Each outcome's reliability bins and calibration error, for the model page's diagrams."""
    return {
        label: {"ece": ece, "bins": [asdict(b) for b in bins]}
        for label, (bins, ece) in scoring.calibration(forecasts, outcomes).items()
    }


def _write_csv(path: Path, report: backtest.Report) -> None:
    with path.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(
            [
                "league",
                "season",
                "date",
                "home",
                "away",
                "home_goals",
                "away_goals",
                "model_home",
                "model_draw",
                "model_away",
                "market_home",
                "market_draw",
                "market_away",
            ]
        )
        for f in report.forecasts:
            g = f.game
            writer.writerow(
                [
                    g.league,
                    g.season,
                    g.day.isoformat(),
                    g.home,
                    g.away,
                    g.home_goals,
                    g.away_goals,
                    *(f"{p:.5f}" for p in f.model),
                    *(f"{p:.5f}" for p in f.market),
                ]
            )


def _value_bets(report: backtest.Report) -> list[dict[str, float | str]]:
    """Level stakes on the model's value bets at the best and at the closing prices, as the match page shows them."""
    out: list[dict[str, float | str]] = []
    for prices in PRICES:
        for edge in VALUE_EDGES:
            staked = report.level_stakes(prices, edge)
            out.append(
                {
                    "prices": prices,
                    "min_edge": edge,
                    "bets": staked.bets,
                    "matches": staked.matches,
                    "roi": staked.roi,
                    "se": staked.se,
                }
            )
    return out


predictions = AppGroup("predictions", help="The prediction model.")


@predictions.command("backtest")
@click.option(
    "--data",
    "root",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    required=True,
    help="football-data.co.uk CSVs as <DIV>/<yyyy-yy>.csv (or <DIV>/<yyyy>.csv).",
)
@click.option("--leagues", default="E0,SP1,I1,D1,F1", show_default=True, help="Divisions, comma-separated.")
@click.option(
    "--seasons",
    default="2014-15:2018-19",
    show_default=True,
    help="The seasons to predict, FIRST:LAST; earlier seasons in --data are history only.",
)
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path), help="Write the summary here.")
@click.option(
    "--csv",
    "csv_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write every forecast here, with the market's.",
)
def backtest_command(root: Path, leagues: str, seasons: str, json_path: Path | None, csv_path: Path | None) -> None:
    """Walk forward: for each match day, fit on what was played before it, predict it, and score the
    model and the margin-free closing market (Pinnacle closing, else Pinnacle, else the average)."""
    divisions = [d.strip() for d in leagues.split(",") if d.strip()]
    try:
        wanted = footballdata.season_range(seasons)
        on_disk = footballdata.seasons_on_disk(root, divisions, wanted[-1])
        read = footballdata.read_dir(root, divisions, on_disk or wanted)
    except (footballdata.FootballDataError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    missing = sorted(set(wanted) - {backtest.season_of(r.date) for r in read.rows})
    if missing:
        raise click.ClickException(f"no matches for season(s) {', '.join(missing)} in {root}")
    for problem in read.skipped:
        click.echo(f"skipped {problem}", err=True)
    games = backtest.games(read.rows)
    report = backtest.run(games, set(wanted), backtest.blend_predictor(**backtest.CHOSEN))
    for failure in report.failed_fits:
        click.echo(f"not predicted: {failure}", err=True)
    # The open-source Dixon-Coles on the same matches: what the model must beat league by league.
    reference = backtest.run(games, set(wanted), backtest.reference())
    rows = _table(report, reference, divisions)
    _echo_table(rows)
    beaten = [r["league"] for r in rows[:-1] if float(r["model_rps"]) < float(r["reference_rps"])]
    click.echo(
        f"better than the reference Dixon-Coles (RPS) in {len(beaten)} of {len(divisions)} leagues: "
        f"{', '.join(map(str, beaten)) or 'none'}"
    )
    value_bets = _value_bets(report)
    for v in value_bets:
        at = PRICES[cast(backtest.Prices, v["prices"])]
        click.echo(
            f"value bets (edge over {float(v['min_edge']):.0%}) at {at}: "
            f"{v['bets']} on {v['matches']} matches, {float(v['roi']):+.1%} ± {float(v['se']):.1%} "
            "a unit staked"
        )
    per_day = report.fit_seconds / report.fits * 1000 if report.fits else 0.0
    click.echo(
        f"{report.fits} match days fitted in {report.fit_seconds:.1f} s ({per_day:.1f} ms each, "
        f"goals and market fits); walk-forward {report.seconds:.1f} s; {len(read.skipped)} rows skipped, "
        f"{len(report.failed_fits)} days not predicted. Model: {backtest.CHOSEN}"
    )
    if json_path:
        outcomes = [f.game.outcome for f in report.forecasts]
        json_path.write_text(
            json.dumps(
                {
                    "generated_at": clock.now().isoformat(timespec="seconds"),
                    "model_version": backtest.VERSION,
                    "model": backtest.CHOSEN,
                    "seasons": wanted,
                    "leagues": divisions,
                    "summary": rows,
                    "calibration": {
                        "model": _calibration([f.model for f in report.forecasts], outcomes),
                        "market": _calibration([f.market for f in report.forecasts], outcomes),
                    },
                    "value_bets": value_bets,
                    "fits": report.fits,
                    "fit_seconds": report.fit_seconds,
                    "seconds": report.seconds,
                    "skipped_rows": [str(p) for p in read.skipped],
                    "failed_fits": report.failed_fits,
                },
                indent=2,
            )
        )
    if csv_path:
        _write_csv(csv_path, report)
    if not report.forecasts:
        sys.exit(1)
