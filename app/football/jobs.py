"""Periodic refreshes of competitions, fixtures, live scores and standings."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import and_, func, or_, select

from app import clock
from app.extensions import db
from app.football import details, ingest
from app.football.models import IN_PLAY, Competition, Match, Season
from app.jobs.job import attempt, job
from app.providers.base import Provider, ProviderError
from app.providers.catalog import COMPETITIONS
from app.providers.records import FixtureRecord
from app.refresh import freshness, planner, usage, watching
from app.refresh.providers import chain, serve

RESULTS_DAYS = 28
FIXTURES_DAYS = 21
POSITIONS = {key: position for key, (_, _, position) in COMPETITIONS.items()}


@job
def refresh_competitions(provider: str | None = None) -> dict[str, Any]:
    """Competitions and their current seasons."""
    source, records = serve("competitions", lambda p: p.competitions(), provider)
    written = ingest.upsert_competitions(records, POSITIONS)
    return {
        "provider": source.name,
        "records": len(records),
        "written": written,
        "changed_leagues": {r.key for r in records} if written else set(),
    }


@job
def refresh_fixtures(league: str, provider: str | None = None) -> dict[str, Any]:
    """One league's results for the last four weeks and fixtures for the next three."""
    today = clock.now().date()
    window = (today - timedelta(days=RESULTS_DAYS), today + timedelta(days=FIXTURES_DAYS))
    source, records = serve("fixtures", lambda p: p.fixtures(league, *window), provider)
    result = ingest.upsert_fixtures(source.name, source.authoritative, records)
    return _summary(source.name, len(records), result, changed_matches=result.changed_ids)


@job
def refresh_season_results(league: str, provider: str | None = None) -> dict[str, Any]:
    """The current season's results before the fixtures' four weeks: what the prediction model learns from.
    Old results do not change pages anyone has open: nothing is announced."""
    today = clock.now().date()
    starts_on = db.session.scalar(
        select(func.max(Season.starts_on))
        .join(Competition, Competition.id == Season.competition_id)
        .where(Competition.key == league, Season.starts_on <= today)
    )
    last = today - timedelta(days=RESULTS_DAYS + 1)
    if starts_on is None or last < starts_on:
        return {"skipped": f"no results of {league}'s season before the last {RESULTS_DAYS} days", "written": 0}
    source, records = serve("fixtures", _days_of(league, starts_on, last), provider)
    result = ingest.upsert_fixtures(source.name, source.authoritative, records)
    return _summary(source.name, len(records), result)


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
    due = or_(
        Match.status.in_(IN_PLAY),
        and_(Match.status == "scheduled", Match.kickoff_at <= now, Match.kickoff_at >= now - timedelta(days=1)),
    )
    rows = db.session.execute(
        select(Competition.key, func.min(Match.kickoff_at))
        .join(Match, Match.competition_id == Competition.id)
        .where(due)
        .group_by(Competition.key)
    )
    return [(key, first) for key, first in rows]


@job
def refresh_standings(league: str, provider: str | None = None) -> dict[str, Any]:
    """One league's table."""
    source, records = serve("standings", lambda p: p.standings(league), provider)
    result = ingest.upsert_standings(source.name, source.authoritative, records)
    return _summary(source.name, len(records), result, changed_leagues={league} if result.written else set())


def _summary(provider: str, records: int, result: ingest.IngestResult, **changes: Any) -> dict[str, Any]:
    return {
        "provider": provider,
        "records": records,
        "written": result.written,
        "unresolved": sorted(set(result.unresolved)),
        **changes,
    }


DETAILS_BEFORE, DETAILS_AFTER = timedelta(hours=1), timedelta(hours=3)  # line-ups come out an hour before
PAID_DETAILS_EVERY = timedelta(minutes=10)


@job
def refresh_details(match_id: int, provider: str | None = None) -> dict[str, Any]:
    """One match's line-ups, events, statistics and head-to-head, each from the first provider that has them."""
    match = db.session.get(Match, match_id)
    if match is None:
        raise ProviderError("all", "details", f"no match {match_id}")
    stored = details.of(match_id)
    written, errors, sources = 0, [], set()
    for kind, (capability, _) in details.KINDS.items():
        if kind == "h2h" and kind in stored:
            continue  # past meetings do not change while this one is played
        try:
            source, records = serve(capability, details.call_for(match, kind), provider)
        except ProviderError as exc:
            errors.append(str(exc))
            continue
        sources.add(source.name)
        written += details.store(match, kind, source.name, records)
    return {
        "provider": ",".join(sorted(sources)) or None,
        "written": written,
        "errors": errors,
        "changed_matches": {match_id} if written else set(),
    }


def refresh_due_details() -> dict[int, Any]:
    """Details of the matches about to start, in play or just finished; with a paid provider, watched ones only."""
    now = clock.now()
    ids = list(
        db.session.scalars(
            select(Match.id).where(
                or_(Match.status.in_(IN_PLAY), Match.kickoff_at.between(now - DETAILS_AFTER, now + DETAILS_BEFORE))
            )
        )
    )
    first = chain("events")
    if first and first[0].paid:
        looked_at = watching.watched(ids)
        ids = [i for i in ids if i in looked_at and _details_due(i, now)]
    return {match_id: attempt(refresh_details, match_id) for match_id in ids}


def _details_due(match_id: int, now: datetime) -> bool:
    last = freshness.last("refresh_details", str(match_id))
    return last is None or now - last >= PAID_DETAILS_EVERY


def live_pace(provider: str) -> timedelta | None:
    """How often a paid provider's live scores are worth polling now: paced so the day's calls last until the day's
    last match ends; None when no match is on."""
    now = clock.now()
    on = db.session.execute(
        select(func.max(Match.kickoff_at)).where(
            or_(
                Match.status.in_(IN_PLAY),
                and_(Match.status == "scheduled", Match.kickoff_at.between(now - timedelta(hours=3), now)),
            )
        )
    ).scalar()
    if on is None:
        return None
    last_kickoff = db.session.scalar(
        select(func.max(Match.kickoff_at)).where(Match.kickoff_at.between(now, now.replace(hour=23, minute=59)))
    )
    stored = usage.latest().get(provider)
    settings = current_app.config
    calls_left = stored.remaining if stored and stored.remaining is not None else settings["API_FOOTBALL_DAILY_CALLS"]
    return planner.live_interval(
        now, calls_left, settings["API_FOOTBALL_RESERVE"], max(on, last_kickoff or on) + timedelta(hours=2)
    )
