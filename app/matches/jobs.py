"""Periodic refreshes of competitions, fixtures, live scores and standings."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select

from app import clock
from app.extensions import db
from app.jobs import job, provider_for
from app.matches import ingest
from app.matches.models import IN_PLAY, Competition, Match

RESULTS_DAYS = 28
FIXTURES_DAYS = 21
POSITIONS = {"epl": 1, "laliga": 2, "seriea": 3, "bundesliga": 4, "ligue1": 5}


@job
def refresh_competitions() -> dict[str, Any]:
    """Competitions and their current seasons."""
    provider = provider_for("competitions")
    records = provider.competitions()
    written = ingest.upsert_competitions(records, POSITIONS)
    return {"provider": provider.name, "records": len(records), "written": written,
            "changed_leagues": {r.key for r in records} if written else set()}


@job
def refresh_fixtures(league: str) -> dict[str, Any]:
    """One league's results for the last four weeks and fixtures for the next three."""
    provider = provider_for("fixtures")
    today = clock.now().date()
    records = provider.fixtures(league, today - timedelta(days=RESULTS_DAYS), today + timedelta(days=FIXTURES_DAYS))
    result = ingest.upsert_fixtures(provider.name, provider.authoritative, records)
    return _summary(provider.name, len(records), result, changed_matches=result.changed_ids)


@job
def refresh_live() -> dict[str, Any]:
    """Scores of matches in play, and of matches we hold as in play or due that the provider no longer lists."""
    provider = provider_for("live")
    records = {r.external_id: r for r in provider.live()}
    fixtures = provider_for("fixtures")
    for league, first_kickoff in _leagues_to_reread(clock.now()):
        # A match that has just finished is no longer "live" at the provider: re-read its days.
        for rec in fixtures.fixtures(league, first_kickoff.date(), clock.now().date()):
            records.setdefault(rec.external_id, rec)
    result = ingest.upsert_fixtures(provider.name, provider.authoritative, list(records.values()))
    return _summary(provider.name, len(records), result, changed_matches=result.changed_ids)


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
def refresh_standings(league: str) -> dict[str, Any]:
    """One league's table."""
    provider = provider_for("standings")
    records = provider.standings(league)
    result = ingest.upsert_standings(provider.name, provider.authoritative, records)
    return _summary(provider.name, len(records), result, changed_leagues={league} if result.written else set())


def _summary(provider: str, records: int, result: ingest.IngestResult, **changes: Any) -> dict[str, Any]:
    return {"provider": provider, "records": records, "written": result.written,
            "unresolved": sorted(set(result.unresolved)), **changes}
