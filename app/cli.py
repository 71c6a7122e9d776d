"""`flask seed` and `flask refresh`: fill the database exactly as the scheduler would."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any

import click
from flask import Flask
from flask.cli import AppGroup

from app.jobs import configured, reading
from app.matches import jobs as match_jobs
from app.odds import jobs as odds_jobs
from app.providers.base import ProviderError
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
    for summary in match_jobs.refresh_due_details().values():
        run(summary)
    return totals


Job = Callable[..., dict[str, Any]]
LEAGUE_JOBS: dict[str, Job] = {"fixtures": match_jobs.refresh_fixtures, "odds": odds_jobs.refresh_odds,
               "standings": match_jobs.refresh_standings}
GLOBAL_JOBS: dict[str, Job] = {"competitions": match_jobs.refresh_competitions, "live": match_jobs.refresh_live}


def refresh(capability: str, leagues: list[str], provider: str | None) -> dict[str, Any]:
    """Run one capability's refresh exactly as the scheduler would; one summary over all leagues."""
    before = _requests_sent()
    summary: dict[str, Any] = {"capability": capability, "provider": None, "records": 0, "written": 0,
                               "unresolved": [], "errors": []}
    runs: list[tuple[Job, tuple[str, ...]]] = [(GLOBAL_JOBS[capability], ())] if capability in GLOBAL_JOBS else [
        (LEAGUE_JOBS[capability], (league,)) for league in leagues]
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
    summary["requests"] = _requests_sent() - before
    summary["quota"] = {name: _usage(p) for name, p in configured().items() if _usage(p)}
    return summary


def _requests_sent() -> int:
    return sum(getattr(getattr(p, "http", None), "requests_sent", 0) for p in configured().values())


def _usage(provider: Any) -> dict[str, Any] | None:
    usage = reading(provider)
    if usage is None:
        return None
    return {"remaining": usage.remaining, "used": usage.used, "limit": usage.limit, "last_cost": usage.last_cost}


def status() -> list[dict[str, Any]]:
    """Each configured provider: what it serves, its circuit and its quota."""
    rows = []
    for name, provider in configured().items():
        breaker = getattr(getattr(provider, "http", None), "breaker", None)
        rows.append({"provider": name, "capabilities": sorted(getattr(provider, "capabilities", ())),
                     "authoritative": provider.authoritative,
                     "circuit": breaker.state() if breaker is not None else "none",
                     "quota": _usage(provider)})
    return rows


def init_app(app: Flask) -> None:
    @app.cli.command("seed")
    @click.option("--history-hours", type=click.IntRange(0, 24 * 14), default=None,
                  help="Hours of past prices to replay from the demo world (default SEED_HISTORY_HOURS).")
    def seed(history_hours: int | None) -> None:
        """Load the world into the database; running it twice writes nothing new."""
        hours = app.config["SEED_HISTORY_HOURS"] if history_hours is None else history_hours
        click.echo(json.dumps(seed_all(hours)))

    @app.cli.command("refresh")
    @click.argument("capability", type=click.Choice(sorted([*LEAGUE_JOBS, *GLOBAL_JOBS])))
    @click.option("--league", type=click.Choice(LEAGUES), help="One league (default: all five).")
    @click.option("--provider", help="Only this provider, no fallback (e.g. api-football).")
    def refresh_command(capability: str, league: str | None, provider: str | None) -> None:
        """Run one refresh exactly as the scheduler would; prints a one-line JSON summary."""
        summary = refresh(capability, [league] if league else list(LEAGUES), provider)
        click.echo(json.dumps(summary, default=str))
        if summary["errors"] and not summary["provider"]:
            sys.exit(1)

    providers = AppGroup("providers", help="The data providers.")

    @providers.command("status")
    def providers_status() -> None:
        """Each provider's circuit state and quota, one JSON line each."""
        for row in status():
            click.echo(json.dumps(row, default=str))

    app.cli.add_command(providers)
