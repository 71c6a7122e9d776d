"""`flask seed`, `refresh`, `providers` and `jobs`, and the one place every command of the app is registered."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from app import clock
from app.accounts import cli as accounts_cli
from app.admin.backup_cli import backup
from app.football import jobs as match_jobs
from app.jobs import queues, runs
from app.jobs.schedule import LEAGUES, PERIODIC, find
from app.media import jobs as media_jobs
from app.odds import jobs as odds_jobs
from app.predictions import cli as predictions_cli
from app.providers.base import Provider, ProviderError
from app.refresh.providers import configured, requests_sent
from app.storage.database import migrated


def seed_all(history_hours: int) -> dict[str, int]:
    """Competitions, fixtures and the season's results, standings, past prices (demo replay), current prices, and
    crests and badges."""
    totals = {"written": 0, "jobs": 0}

    def run(summary: dict) -> None:
        totals["written"] += int(summary.get("written", 0))
        totals["jobs"] += 1

    run(match_jobs.refresh_competitions())
    for league in LEAGUES:
        run(match_jobs.refresh_fixtures(league))
        run(match_jobs.refresh_season_results(league))
        run(match_jobs.refresh_standings(league))
        if history_hours:
            run(odds_jobs.backfill_odds(league, history_hours))
        run(odds_jobs.refresh_odds(league))
    run(match_jobs.refresh_live())
    for summary in match_jobs.refresh_due_details().values():
        run(summary)
    run(media_jobs.refresh_crests())
    return totals


Job = Callable[..., dict[str, Any]]
LEAGUE_JOBS: dict[str, Job] = {
    "fixtures": match_jobs.refresh_fixtures,
    "odds": odds_jobs.refresh_odds,
    "standings": match_jobs.refresh_standings,
}
GLOBAL_JOBS: dict[str, Job] = {"competitions": match_jobs.refresh_competitions, "live": match_jobs.refresh_live}


def refresh_capability(capability: str, leagues: list[str], provider: str | None) -> dict[str, Any]:
    """Run one capability's refresh exactly as the scheduler would; one summary over all leagues."""
    before = requests_sent()
    summary: dict[str, Any] = {
        "capability": capability,
        "provider": None,
        "records": 0,
        "written": 0,
        "unresolved": [],
        "errors": [],
    }
    runs: list[tuple[Job, tuple[str, ...]]] = (
        [(GLOBAL_JOBS[capability], ())]
        if capability in GLOBAL_JOBS
        else [(LEAGUE_JOBS[capability], (league,)) for league in leagues]
    )
    for func, args in runs:
        try:
            result = func(*args, provider=provider)
        except ProviderError as exc:
            if str(exc) not in summary["errors"]:
                summary["errors"].append(str(exc))
            continue
        summary["provider"] = result.get("provider")
        summary["records"] += result.get("records", 0)
        summary["written"] += result.get("written", 0)
        summary["unresolved"] += result.get("unresolved", [])
    summary["unresolved"] = sorted(set(summary["unresolved"]))
    summary["requests"] = requests_sent() - before
    summary["quota"] = {name: _usage(p) for name, p in configured().items() if _usage(p)}
    return summary


def _usage(provider: Provider) -> dict[str, Any] | None:
    usage = provider.usage()
    if usage is None:
        return None
    return {"remaining": usage.remaining, "used": usage.used, "limit": usage.limit, "last_cost": usage.last_cost}


def status() -> list[dict[str, Any]]:
    """Each configured provider: what it serves, its circuit and its quota."""
    rows = []
    for name, provider in configured().items():
        rows.append(
            {
                "provider": name,
                "capabilities": sorted(provider.capabilities),
                "authoritative": provider.authoritative,
                "circuit": provider.circuit(),
                "quota": _usage(provider),
            }
        )
    return rows


@click.command("seed")
@click.option(
    "--history-hours",
    type=click.IntRange(0, 24 * 14),
    default=None,
    help="Hours of past prices to replay from the demo world (default SEED_HISTORY_HOURS).",
)
@with_appcontext
@migrated
def seed(history_hours: int | None) -> None:
    """Load the world into the database; running it twice writes nothing new."""
    hours = current_app.config["SEED_HISTORY_HOURS"] if history_hours is None else history_hours
    click.echo(json.dumps(seed_all(hours)))


@click.command("refresh")
@click.argument("capability", type=click.Choice(sorted([*LEAGUE_JOBS, *GLOBAL_JOBS])))
@click.option("--league", type=click.Choice(LEAGUES), help="One league (default: all five).")
@click.option("--provider", help="Only this provider, no fallback (e.g. api-football).")
@with_appcontext
@migrated
def refresh(capability: str, league: str | None, provider: str | None) -> None:
    """Run one refresh exactly as the scheduler would; prints a one-line JSON summary."""
    summary = refresh_capability(capability, [league] if league else list(LEAGUES), provider)
    click.echo(json.dumps(summary, default=str))
    if summary["errors"] and not summary["provider"]:
        sys.exit(1)


providers = AppGroup("providers", help="The data providers.")


@providers.command("status")
def providers_status() -> None:
    """Each provider's circuit state and quota, one JSON line each."""
    for row in status():
        click.echo(json.dumps(row, default=str))


jobs = AppGroup("jobs", help="The periodic jobs (app/jobs/schedule.py).")


@jobs.command("schedule")
@migrated
def jobs_schedule() -> None:
    """Every declared job: its cadence, queue, timeout and next run (from Redis when it holds the schedule)."""
    now = clock.now()
    due = runs.next_runs(now)
    held = queues.scheduled_times()
    width = max(len(p.id) for p in PERIODIC)
    click.echo(f"{'job':<{width}}  {'cadence':<22} {'queue':<8} {'timeout':>8}  next run (UTC)")
    for p in PERIODIC:
        source = "scheduler" if p.id in held else "estimated" if current_app.config["REDIS_URL"] else "embedded"
        click.echo(
            f"{p.id:<{width}}  {p.cadence:<22} {p.queue:<8} {int(p.timeout.total_seconds()):>7}s  "
            f"{due[p.id]:%Y-%m-%d %H:%M:%S} ({source})"
        )


@jobs.command("run")
@click.argument("periodic_id", type=click.Choice([p.id for p in PERIODIC]))
@migrated
def jobs_run(periodic_id: str) -> None:
    """Run one declared job now, in this process, as the schedule would; prints its summary."""
    try:
        summary = runs.run_scheduled(find(periodic_id))
    except Exception as exc:
        click.echo(json.dumps({"job": periodic_id, "error": str(exc)}))
        sys.exit(1)
    click.echo(json.dumps(summary, default=str))


def init_app(app: Flask) -> None:
    """Every `flask` command of the app, registered in this one place."""
    for command in (seed, refresh, providers, jobs, predictions_cli.predictions, accounts_cli.users, backup):
        app.cli.add_command(command)
