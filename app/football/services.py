"""Matches: the queries behind the pages, and the cached views they show."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import abort
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.football.ingest import FIXTURE_FIELDS
from app.football.models import Competition, Match, MatchDisplay, Season, Standing
from app.storage import cache_keys
from app.storage.cache import cached


def local_day_bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC instants where a viewer's local calendar day starts and ends."""
    start = datetime.combine(day, time.min, tzinfo=tz).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz).astimezone(UTC)
    return start, end


WITH_NAMES = (joinedload(Match.home_team), joinedload(Match.away_team), joinedload(Match.competition))


def matches_between(start: datetime, end: datetime, competition_id: int | None = None) -> list[Match]:
    """Matches kicking off in [start, end), with teams and competition loaded, by kickoff."""
    query = (
        select(Match)
        .options(*WITH_NAMES)
        .where(Match.kickoff_at >= start, Match.kickoff_at < end)
        .order_by(Match.kickoff_at, Match.id)
    )
    if competition_id is not None:
        query = query.where(Match.competition_id == competition_id)
    return list(db.session.scalars(query))


def live_matches(competition_id: int | None = None) -> list[Match]:
    """Every match in play now (whatever day it kicked off), by kickoff."""
    query = (
        select(Match)
        .options(*WITH_NAMES)
        .where(Match.status.in_(("live", "half_time")))
        .order_by(Match.kickoff_at, Match.id)
    )
    if competition_id is not None:
        query = query.where(Match.competition_id == competition_id)
    return list(db.session.scalars(query))


@dataclass(frozen=True, slots=True)
class MatchCard(MatchDisplay):
    """A match as its page shows it: plain data, safe to cache between requests."""

    id: int
    competition: Named
    home_team: Named
    away_team: Named
    kickoff_at: datetime
    status: str
    minute: int | None
    added_time: int | None
    home_score: int | None
    away_score: int | None
    ht_home_score: int | None
    ht_away_score: int | None
    round: str | None


MATCH_CARD_SECONDS = 30


def match_card_or_404(match_id: int) -> MatchCard:
    """The match a page or fragment names, or a 404 that says so."""
    card = match_card(match_id)
    if card is None:
        abort(404, "That match does not exist, or is no longer listed.")
    return card


def match_card(match_id: int, kept: MatchCard | None = None) -> MatchCard | None:
    """One match for its page; cached until ingest reports it changed. `kept`: its cache entry, if read already."""

    def load() -> MatchCard | None:
        match = db.session.get(
            Match,
            match_id,
            options=WITH_NAMES,
        )
        if match is None:
            return None  # not kept (no keep_none): any id a URL names would take a cache entry
        return MatchCard(
            id=match.id,
            competition=Named(
                match.competition.id,
                match.competition.name,
                match.competition.key,
                crest_key=match.competition.crest_key,
            ),
            home_team=Named(
                match.home_team.id,
                match.home_team.name,
                crest_key=match.home_team.crest_key,
                short_name=match.home_team.short_name,
            ),
            away_team=Named(
                match.away_team.id,
                match.away_team.name,
                crest_key=match.away_team.crest_key,
                short_name=match.away_team.short_name,
            ),
            **{f: getattr(match, f) for f in FIXTURE_FIELDS},
        )

    return cached(cache_keys.match_key(match_id), load, MATCH_CARD_SECONDS, kept=kept)


@dataclass(frozen=True, slots=True)
class Named:
    """A team or competition as a page names it."""

    id: int
    name: str
    key: str | None = None
    country: str | None = None
    crest_key: str | None = None  # its stored crest or badge (app/media), shown by templates/media/_crest.html
    short_name: str | None = None

    @property
    def short(self) -> str:
        """The name for where space is short (see Team.short)."""
        return self.short_name or self.name


def named_competition(c: Competition) -> Named:
    return Named(c.id, c.name, c.key, c.country, c.crest_key)


COMPETITIONS_SECONDS = 600


def competitions() -> list[Named]:
    """Every league in display order (they change a few times a season: cached)."""

    def load() -> list[Named]:
        rows = db.session.scalars(select(Competition).order_by(Competition.position, Competition.name))
        return [named_competition(c) for c in rows]

    return cached(cache_keys.COMPETITIONS_KEY, load, COMPETITIONS_SECONDS)


def current_season(competition_id: int, today: date) -> Season | None:
    """The season running today, else the latest one that started."""
    return db.session.scalar(
        select(Season)
        .where(Season.competition_id == competition_id, Season.starts_on <= today)
        .order_by(Season.starts_on.desc())
        .limit(1)
    )


def standings(season_id: int) -> list[Standing]:
    return list(
        db.session.scalars(
            select(Standing)
            .options(joinedload(Standing.team))
            .filter_by(season_id=season_id)
            .order_by(Standing.position)
        )
    )


def upcoming(competition_id: int, now: datetime, limit: int = 20) -> list[Match]:
    return list(
        db.session.scalars(
            select(Match)
            .options(joinedload(Match.home_team), joinedload(Match.away_team))
            .where(Match.competition_id == competition_id, Match.kickoff_at >= now, Match.status == "scheduled")
            .order_by(Match.kickoff_at, Match.id)
            .limit(limit)
        )
    )
