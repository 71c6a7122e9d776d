"""`flask seed` and `flask refresh`: fill the database exactly as the scheduler would."""

from __future__ import annotations

import json

import click
from flask import Flask

from app.matches import jobs as match_jobs
from app.odds import jobs as odds_jobs
from app.schedule import LEAGUES


def seed_all(history_hours: int) -> dict[str, int]:
    """Competitions, fixtures, standings, past prices (demo replay) and current prices."""
    totals = {"written": 0, "jobs": 0}

    def run(summary: dict) -> None:
        totals["written"] += int(summary.get("written", 0))
        totals["jobs"] += 1

    run(match_jobs.refresh_competitions())
    for league in LEAGUES:
        run(match_jobs.refresh_fixtures(league))
        run(match_jobs.refresh_standings(league))
        if history_hours:
            run(odds_jobs.backfill_odds(league, history_hours))
        run(odds_jobs.refresh_odds(league))
    run(match_jobs.refresh_live())
    return totals


def init_app(app: Flask) -> None:
    @app.cli.command("seed")
    @click.option("--history-hours", type=click.IntRange(0, 24 * 14), default=None,
                  help="Hours of past prices to replay from the demo world (default SEED_HISTORY_HOURS).")
    def seed(history_hours: int | None) -> None:
        """Load the world into the database; running it twice writes nothing new."""
        hours = app.config["SEED_HISTORY_HOURS"] if history_hours is None else history_hours
        click.echo(json.dumps(seed_all(hours)))
