"""Periodic price refreshes, closing-line capture, and the demo world's replay of past prices."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import and_, or_, select

from app import clock
from app.extensions import db
from app.football import ingest
from app.football.models import IN_PLAY, Competition, Match
from app.jobs.job import attempt, job
from app.odds import history, services
from app.providers.catalog import LEAGUES
from app.refresh import freshness, planner, usage, watching
from app.refresh.providers import chain, serve

PLAN_HORIZON = timedelta(days=7)  # beyond this a match's prices are not worth a credit yet
# Hours before now at which the seed replays the demo world: denser close to now, like the
# bookmakers' own cadence, so a fresh install already has movement to chart.
BACKFILL_HOURS = (48, 42, 36, 30, 24, 20, 16, 12, 9, 6, 4, 3, 2, 1.5, 1, 0.5, 0.25)


@job
def refresh_odds(league: str, provider: str | None = None, markets: tuple[str, ...] | None = None) -> dict[str, Any]:
    """Every bookmaker's current prices for one league's upcoming and live matches."""
    source, batch = serve("odds", lambda p: p.odds(league, markets), provider)
    # The batch's own fixtures first: they are how its event ids become our matches.
    fixtures = ingest.upsert_fixtures(source.name, source.authoritative, batch.fixtures)
    result = services.upsert_odds(source.name, batch)
    return {
        "provider": source.name,
        "records": len(batch.prices),
        "written": result.written + fixtures.written,
        "unchanged": result.unchanged,
        "rejected": (batch.problems + result.rejected)[:20],
        "unresolved": sorted(set(fixtures.unresolved)),
        "unknown_fixtures": len(result.unknown_fixtures),
        "changed_matches": result.changed_match_ids | fixtures.changed_ids,
    }


@job
def capture_closing_lines() -> dict[str, Any]:
    """Freeze the last pre-kickoff prices of matches that just kicked off, for closing-line value."""
    result = history.capture_closing(clock.now())
    return {"matches": result.matches, "written": result.written, "changed_matches": result.match_ids}


def refresh_planned_odds() -> dict[str, Any]:
    """The leagues worth a paid request now, as the planner decides; every league when prices are free."""
    provider = chain("odds")[0]
    if not provider.paid:
        return {league: attempt(refresh_odds, league) for league in LEAGUES}
    # A monthly plan (The Odds API's credits), or a daily one (API-Football: the same calls as everything else).
    budget = _monthly_budget(provider.name) if provider.quota == "monthly" else _daily_calls_budget(provider.name)
    plan = planner.plan_odds(clock.now(), _upcoming(), _last_refreshes(), budget, provider.odds_cost)
    outcome: dict[str, Any] = {"level": plan.level_name}
    for r in plan.refreshes:
        outcome[r.league] = attempt(refresh_odds, r.league, markets=r.markets) | {"reason": r.reason}
    return outcome


def _upcoming() -> list[planner.Fixture]:
    now = clock.now()
    rows = db.session.execute(
        select(Match.id, Competition.key, Match.kickoff_at, Match.status)
        .join(Competition, Match.competition_id == Competition.id)
        .where(
            or_(
                Match.status.in_(IN_PLAY),
                and_(Match.status == "scheduled", Match.kickoff_at.between(now, now + PLAN_HORIZON)),
            )
        )
    ).all()
    looked_at = watching.watched(row[0] for row in rows)
    return [
        planner.Fixture(league, kickoff, live=status in IN_PLAY, watchers=int(match_id in looked_at))
        for match_id, league, kickoff, status in rows
    ]


def _last_refreshes() -> dict[str, datetime]:
    found = {league: freshness.last("refresh_odds", league) for league in LEAGUES}
    return {league: when for league, when in found.items() if when is not None}


def _monthly_budget(provider: str) -> planner.Budget:
    """The Odds API's credits as its headers last said (the plan's allowance until it has answered once)."""
    now = clock.now()
    month_end = (now.replace(day=1) + timedelta(days=32)).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    reading = usage.latest().get(provider)
    remaining = (
        reading.remaining
        if reading and reading.remaining is not None
        else current_app.config["ODDS_API_MONTHLY_CREDITS"]
    )
    return planner.Budget(
        remaining,
        reading.resets_at if reading and reading.resets_at else month_end,
        reserve=current_app.config["ODDS_API_CLOSING_RESERVE"],
    )


def _daily_calls_budget(provider: str) -> planner.Budget:
    """A daily-call plan (API-Football) as its headers last said; resets at 00:00 UTC."""
    now, settings = clock.now(), current_app.config
    reading = usage.latest().get(provider)
    remaining = reading.remaining if reading and reading.remaining is not None else settings["API_FOOTBALL_DAILY_CALLS"]
    midnight = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return planner.Budget(remaining, midnight, reserve=settings["API_FOOTBALL_RESERVE"])


@job
def backfill_odds(league: str, hours: float) -> dict[str, Any]:
    """Replay the demo world's prices of the past `hours`, oldest first (demo only: real providers
    cannot be asked about the past)."""
    replaying = chain("odds_history")
    if not replaying:
        return {"provider": chain("odds")[0].name, "written": 0, "skipped": "only the demo world replays"}
    provider = replaying[0]
    now = clock.now()
    # Only matches never priced: replaying the past over prices already held would rewrite history.
    priced = services.priced_fixtures(provider.name)
    written, changed = 0, set()
    for offset in (h for h in BACKFILL_HOURS if h <= hours):
        then = now - timedelta(hours=offset)
        past = provider.past_odds(league, then)
        past.prices[:] = [p for p in past.prices if p.fixture_external_id not in priced]
        result = services.upsert_odds(provider.name, past)
        written += result.written
        changed |= result.changed_match_ids
    return {"provider": provider.name, "written": written, "changed_matches": changed}
