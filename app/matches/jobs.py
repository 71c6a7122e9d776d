"""Periodic refreshes of competitions, fixtures, live scores and standings."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select

from app import clock
from app.extensions import db
from app.jobs import job, serve
from app.matches import ingest
from app.matches.catalog import COMPETITIONS
from app.matches.models import IN_PLAY, Competition, Match
from app.providers.base import Provider
from app.providers.records import FixtureRecord

RESULTS_DAYS = 28
FIXTURES_DAYS = 21
POSITIONS = {key: position for key, (_, _, position) in COMPETITIONS.items()}


@job
def refresh_competitions(provider: str | None = None) -> dict[str, Any]:
    """Competitions and their current seasons."""
    source, records = serve("competitions", lambda p: p.competitions(), provider)
    written = ingest.upsert_competitions(records, POSITIONS)
    return {"provider": source.name, "records": len(records), "written": written,
            "changed_leagues": {r.key for r in records} if written else set()}


@job
def refresh_fixtures(league: str, provider: str | None = None) -> dict[str, Any]:
    """One league's results for the last four weeks and fixtures for the next three."""
    today = clock.now().date()
    window = (today - timedelta(days=RESULTS_DAYS), today + timedelta(days=FIXTURES_DAYS))
    source, records = serve("fixtures", lambda p: p.fixtures(league, *window), provider)
    result = ingest.upsert_fixtures(source.name, source.authoritative, records)
    return _summary(source.name, len(records), result, changed_matches=result.changed_ids)


@job
def refresh_live(provider: str | None = None) -> dict[str, Any]:
    """Scores of matches in play, and of matches we hold as in play or due that the provider no longer lists."""
    source, live = serve("live", lambda p: p.live(), provider)
    result = ingest.upsert_fixtures(source.name, source.authoritative, live)
    seen = {r.external_id for r in live}
    for league, first_kickoff in _leagues_to_reread(clock.now()):
        # A match that has just finished is no longer "live" at the provider: re-read its days.
        reader, records = serve("fixtures", _days_of(league, first_kickoff.date(), clock.now().date()), provider)
        fresh = [r for r in records if r.external_id not in seen]
        result.merge(ingest.upsert_fixtures(reader.name, reader.authoritative, fresh))
    return _summary(source.name, len(live), result, changed_matches=result.changed_ids)


def _days_of(league: str, first: date, last: date) -> Callable[[Provider], list[FixtureRecord]]:
    return lambda p: p.fixtures(league, first, last)


def _leagues_to_reread(now: datetime) -> list[tuple[str, datetime]]:
    """Leagues with matches we hold as in play, or as scheduled though due to have started."""
    due = or_(Match.status.in_(IN_PLAY),
              and_(Match.status == "scheduled", Match.kickoff_at <= now, Match.kickoff_at >= now - timedelta(days=1)))
    rows = db.session.execute(
        select(Competition.key, func.min(Match.kickoff_at))
        .join(Match, Match.competition_id == Competition.id).where(due).group_by(Competition.key)
    )
    return [(key, first) for key, first in rows]


@job
def refresh_standings(league: str, provider: str | None = None) -> dict[str, Any]:
    """One league's table."""
    source, records = serve("standings", lambda p: p.standings(league), provider)
    result = ingest.upsert_standings(source.name, source.authoritative, records)
    return _summary(source.name, len(records), result, changed_leagues={league} if result.written else set())


def _summary(provider: str, records: int, result: ingest.IngestResult, **changes: Any) -> dict[str, Any]:
    return {"provider": provider, "records": records, "written": result.written,
            "unresolved": sorted(set(result.unresolved)), **changes}
