"""Matches ingest: provider records to canonical competitions, teams, fixtures and standings.

Idempotent upserts: a record that matches what is stored writes nothing. No commit here;
the job commits once per batch.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TypeVar

from sqlalchemy import select

from app.dbtypes import utcnow
from app.extensions import db
from app.matches.models import Competition, Match, MatchAlias, Season, Standing, Team, TeamAlias
from app.providers.records import CompetitionRecord, FixtureRecord, StandingRecord, TeamRef

T = TypeVar("T")


@dataclass
class IngestResult:
    """What one ingest wrote: the numbers a refresh reports."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    unresolved: list[str] = field(default_factory=list)
    changed_ids: set[int] = field(default_factory=set)

    @property
    def written(self) -> int:
        return self.created + self.updated


def upsert_competitions(records: Iterable[CompetitionRecord], position_of: dict[str, int]) -> int:
    """Create or update competitions and their seasons; returns rows written."""
    written = 0
    for rec in records:
        comp = db.session.scalar(select(Competition).filter_by(key=rec.key))
        if comp is None:
            comp = Competition(key=rec.key, name=rec.name, country=rec.country)
            db.session.add(comp)
            written += 1
        wanted = (rec.name, rec.country, position_of.get(rec.key, 99))
        if (comp.name, comp.country, comp.position) != wanted:
            comp.name, comp.country, comp.position = wanted
            written += 1
        db.session.flush()
        written += _ensure_season(comp, rec.season, rec.season_start, rec.season_end)[1]
    return written


def _ensure_season(comp: Competition, name: str, start: date, end: date) -> tuple[Season, int]:
    season = db.session.scalar(select(Season).filter_by(competition_id=comp.id, name=name))
    if season is None:
        season = Season(competition_id=comp.id, name=name, starts_on=start, ends_on=end)
        db.session.add(season)
        db.session.flush()
        return season, 1
    return season, 0


class TeamRegistry:
    """Resolves one provider's team refs to canonical teams, loading its aliases once."""

    def __init__(self, provider: str, authoritative: bool) -> None:
        self.provider = provider
        self.authoritative = authoritative
        rows = db.session.execute(
            select(TeamAlias.external_id, TeamAlias.team_id).filter_by(provider=provider)
        )
        self._by_external = {ext: team_id for ext, team_id in rows}
        self.created = 0

    def resolve(self, ref: TeamRef) -> int | None:
        """The team id for a ref; an authoritative provider creates unknown teams, others get None."""
        team_id = self._by_external.get(ref.external_id)
        if team_id is not None or not self.authoritative:
            return team_id
        team = Team(name=ref.name, short_name=ref.short_name, country=ref.country)
        db.session.add(team)
        db.session.flush()
        db.session.add(
            TeamAlias(team_id=team.id, provider=self.provider, external_id=ref.external_id, name=ref.name)
        )
        self._by_external[ref.external_id] = team.id
        self.created += 1
        return team.id


FIXTURE_FIELDS = (
    "kickoff_at", "status", "minute", "added_time", "home_score", "away_score",
    "ht_home_score", "ht_away_score", "round",
)


def upsert_fixtures(provider: str, authoritative: bool, records: Sequence[FixtureRecord]) -> IngestResult:
    """Write fixtures idempotently: unchanged records write nothing."""
    result = IngestResult()
    registry = TeamRegistry(provider, authoritative)
    seasons = _seasons_by_key()
    existing = _matches_by_alias(provider, [r.external_id for r in records])
    for rec in records:
        home, away = registry.resolve(rec.home), registry.resolve(rec.away)
        season = seasons.get((rec.competition_key, rec.season))
        if home is None or away is None or season is None:
            result.unresolved.append(_describe_unresolved(rec, home, away, season))
            continue
        values = {f: getattr(rec, f) for f in FIXTURE_FIELDS}
        values["status"] = rec.status.value
        match = existing.get(rec.external_id)
        if match is None:
            match = Match(competition_id=season.competition_id, season_id=season.id,
                          home_team_id=home, away_team_id=away, **values)
            db.session.add(match)
            db.session.flush()
            db.session.add(MatchAlias(match_id=match.id, provider=provider, external_id=rec.external_id))
            result.created += 1
            result.changed_ids.add(match.id)
        elif _apply(match, values):
            match.updated_at = utcnow()
            result.updated += 1
            result.changed_ids.add(match.id)
        else:
            result.unchanged += 1
    return result


def _describe_unresolved(rec: FixtureRecord, home: int | None, away: int | None, season: Season | None) -> str:
    if season is None:
        return f"season {rec.competition_key} {rec.season}"
    return rec.home.name if home is None else rec.away.name


def _apply(obj: object, values: dict[str, object]) -> bool:
    """Set attributes that differ; True when anything changed."""
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def _seasons_by_key() -> dict[tuple[str, str], Season]:
    rows = db.session.execute(select(Competition.key, Season).join(Season.competition))
    return {(key, season.name): season for key, season in rows}


def chunked(items: Iterable[T], size: int = 500) -> Iterator[list[T]]:
    """Slices small enough for an IN (...) list on any database."""
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _matches_by_alias(provider: str, external_ids: list[str]) -> dict[str, Match]:
    found: dict[str, Match] = {}
    for chunk in chunked(external_ids):
        rows = db.session.execute(
            select(MatchAlias.external_id, Match)
            .join(Match, Match.id == MatchAlias.match_id)
            .where(MatchAlias.provider == provider, MatchAlias.external_id.in_(chunk))
        )
        found.update({ext: match for ext, match in rows})
    return found


def match_ids_by_alias(provider: str, external_ids: Iterable[str]) -> dict[str, int]:
    """Our match ids for a provider's fixture ids (unknown ids are left out)."""
    found: dict[str, int] = {}
    for chunk in chunked(set(external_ids)):
        rows = db.session.execute(
            select(MatchAlias.external_id, MatchAlias.match_id)
            .where(MatchAlias.provider == provider, MatchAlias.external_id.in_(chunk))
        )
        found.update({ext: mid for ext, mid in rows})
    return found


def upsert_standings(provider: str, authoritative: bool, records: Sequence[StandingRecord]) -> IngestResult:
    """Replace-in-place a league table; unchanged rows write nothing."""
    result = IngestResult()
    registry = TeamRegistry(provider, authoritative)
    seasons = _seasons_by_key()
    season_ids = {seasons[k].id for k in {(r.competition_key, r.season) for r in records} if k in seasons}
    current = {
        (row.season_id, row.team_id): row
        for row in db.session.scalars(select(Standing).where(Standing.season_id.in_(season_ids)))
    }
    for rec in records:
        team_id = registry.resolve(rec.team)
        season = seasons.get((rec.competition_key, rec.season))
        if team_id is None or season is None:
            result.unresolved.append(rec.team.name if season else f"season {rec.season}")
            continue
        values = {f: getattr(rec, f) for f in (
            "position", "played", "won", "drawn", "lost", "goals_for", "goals_against", "points", "form")}
        existing = current.get((season.id, team_id))
        if existing is None:
            db.session.add(Standing(season_id=season.id, team_id=team_id, **values))
            result.created += 1
        elif _apply(existing, values):
            existing.updated_at = utcnow()
            result.updated += 1
        else:
            result.unchanged += 1
    return result
