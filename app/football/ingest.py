"""Matches ingest: provider records to canonical competitions, teams, fixtures and standings.

Idempotent upserts: a record that matches what is stored writes nothing. No commit here;
the job commits once per batch.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TypeVar

from sqlalchemy import select

from app import clock
from app.extensions import db
from app.football.models import Competition, Crested, Match, MatchAlias, Season, Standing, Team
from app.football.registry import TeamResolver
from app.providers.catalog import COMPETITIONS, season_of
from app.providers.records import CompetitionRecord, FixtureRecord, StandingRecord, TeamRef
from app.storage.columns import utcnow

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

    def merge(self, other: IngestResult) -> None:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.unresolved += other.unresolved
        self.changed_ids |= other.changed_ids


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
        offer_crest(comp, rec.crest_url)
        db.session.flush()
        written += _ensure_season(comp, rec.season, rec.season_start, rec.season_end)[1]
    return written


def offer_crest(item: Crested, url: str | None) -> None:
    """A provider's image URL for a club or league: kept when there is none yet, or when the one kept has failed to
    fetch (another provider may serve it); once an image is stored it is never fetched again. Not a change any page
    shows: it counts as nothing written."""
    if url and item.crest_key is None and url != item.crest_url and (item.crest_url is None or item.crest_failures):
        item.crest_url, item.crest_error = url, None


def offer_team_crests(refs: Iterable[tuple[int | None, TeamRef]]) -> None:
    """offer_crest for the resolved teams of a batch, loading only those still without a stored image."""
    urls = {team_id: ref.crest_url for team_id, ref in refs if team_id is not None and ref.crest_url}
    for chunk in chunked(urls):
        for team in db.session.scalars(select(Team).where(Team.id.in_(chunk), Team.crest_key.is_(None))):
            offer_crest(team, urls[team.id])


def _ensure_season(comp: Competition, name: str, start: date, end: date) -> tuple[Season, int]:
    season = db.session.scalar(select(Season).filter_by(competition_id=comp.id, name=name))
    if season is None:
        season = Season(competition_id=comp.id, name=name, starts_on=start, ends_on=end)
        db.session.add(season)
        db.session.flush()
        return season, 1
    return season, 0


FIXTURE_FIELDS = (
    "kickoff_at",
    "status",
    "minute",
    "added_time",
    "home_score",
    "away_score",
    "ht_home_score",
    "ht_away_score",
    "round",
)


MATCH_WINDOW = timedelta(days=3)  # the same pairing twice within this is the same match, moved


def upsert_fixtures(provider: str, authoritative: bool, records: Sequence[FixtureRecord]) -> IngestResult:
    """Write fixtures idempotently: unchanged records write nothing, unknown teams are queued."""
    result = IngestResult()
    resolver = TeamResolver(provider, authoritative)
    seasons = Seasons()
    existing = _matches_by_alias(provider, [r.external_id for r in records])
    crests: list[tuple[int | None, TeamRef]] = []
    for rec in records:
        home = resolver.resolve(rec.home, rec.competition_key)
        away = resolver.resolve(rec.away, rec.competition_key)
        crests += ((home, rec.home), (away, rec.away))
        season = seasons.find(rec.competition_key, rec.season, rec.kickoff_at.date())
        if home is None or away is None or season is None:
            result.unresolved.append(_describe_unresolved(rec, home, away, season))
            continue
        values = {f: getattr(rec, f) for f in FIXTURE_FIELDS} | {"status": rec.status.value}
        match = existing.get(rec.external_id) or _same_match(home, away, rec.kickoff_at, provider, rec.external_id)
        if not authoritative:
            # A second source fills in and moves the match on; it does not blank what the first one said.
            values = {f: v for f, v in values.items() if v is not None}
        if match is None:
            match = _create_match(season, home, away, values, provider, rec.external_id)
            result.created += 1
            result.changed_ids.add(match.id)
        elif _apply(match, values):
            match.updated_at = utcnow()
            result.updated += 1
            result.changed_ids.add(match.id)
        else:
            result.unchanged += 1
    offer_team_crests(crests)
    return result


def _same_match(home: int, away: int, kickoff: datetime, provider: str, external_id: str) -> Match | None:
    """The match another provider already gave us for this pairing and time; aliased to this provider too."""
    match = db.session.scalar(
        select(Match)
        .where(
            Match.home_team_id == home,
            Match.away_team_id == away,
            Match.kickoff_at.between(kickoff - MATCH_WINDOW, kickoff + MATCH_WINDOW),
        )
        .order_by(Match.id)
        .limit(1)
    )
    if match is not None:
        db.session.add(MatchAlias(match_id=match.id, provider=provider, external_id=external_id))
    return match


def _create_match(season: Season, home: int, away: int, values: dict, provider: str, external_id: str) -> Match:
    match = Match(
        competition_id=season.competition_id, season_id=season.id, home_team_id=home, away_team_id=away, **values
    )
    db.session.add(match)
    db.session.flush()
    db.session.add(MatchAlias(match_id=match.id, provider=provider, external_id=external_id))
    return match


def _describe_unresolved(rec: FixtureRecord, home: int | None, away: int | None, season: Season | None) -> str:
    if season is None:
        return f"season {rec.competition_key} {rec.season}"
    return rec.home.name if home is None else rec.away.name


class Seasons:
    """Finds a record's season by its label, else by the date it falls in (providers label seasons differently)."""

    def __init__(self) -> None:
        rows = db.session.execute(select(Competition.key, Season).join(Season.competition))
        self._by_competition: dict[str, list[Season]] = {}
        for comp_key, season in rows:
            self._by_competition.setdefault(comp_key, []).append(season)

    def find(self, competition_key: str, label: str, day: date) -> Season | None:
        seasons = self._by_competition.get(competition_key, [])
        by_label = next((s for s in seasons if s.name == label), None)
        found = by_label or next((s for s in seasons if s.starts_on <= day <= s.ends_on), None)
        if found is None and competition_key in COMPETITIONS:
            # No provider told us of this season (a source without competitions): ours by the calendar.
            found = _calendar_season(competition_key, day)
            self._by_competition.setdefault(competition_key, []).append(found)
        return found


def _calendar_season(competition_key: str, day: date) -> Season:
    comp = db.session.scalar(select(Competition).filter_by(key=competition_key))
    if comp is None:
        name, country, position = COMPETITIONS[competition_key]
        comp = Competition(key=competition_key, name=name, country=country, position=position)
        db.session.add(comp)
        db.session.flush()
    label, starts, ends = season_of(day)
    return _ensure_season(comp, label, starts, ends)[0]


def _apply(obj: object, values: dict[str, object]) -> bool:
    """Set attributes that differ; True when anything changed."""
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def chunked(items: Iterable[T], size: int = 500) -> Iterator[list[T]]:
    """Slices small enough for an IN (...) list on any database."""
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


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
            select(MatchAlias.external_id, MatchAlias.match_id).where(
                MatchAlias.provider == provider, MatchAlias.external_id.in_(chunk)
            )
        )
        found.update({ext: mid for ext, mid in rows})
    return found


def upsert_standings(provider: str, authoritative: bool, records: Sequence[StandingRecord]) -> IngestResult:
    """Replace-in-place a league table; unchanged rows write nothing."""
    result = IngestResult()
    resolver = TeamResolver(provider, authoritative)
    today = clock.now().date()  # a table is the current season's, whatever the provider calls it
    seasons = Seasons()
    season_of = {(r.competition_key, r.season): seasons.find(r.competition_key, r.season, today) for r in records}
    season_ids = {s.id for s in season_of.values() if s is not None}
    current = {
        (row.season_id, row.team_id): row
        for row in db.session.scalars(select(Standing).where(Standing.season_id.in_(season_ids)))
    }
    crests: list[tuple[int | None, TeamRef]] = []
    for rec in records:
        team_id = resolver.resolve(rec.team, rec.competition_key)
        crests.append((team_id, rec.team))
        season = season_of[(rec.competition_key, rec.season)]
        if team_id is None or season is None:
            result.unresolved.append(rec.team.name if season else f"season {rec.season}")
            continue
        values = {
            f: getattr(rec, f)
            for f in ("position", "played", "won", "drawn", "lost", "goals_for", "goals_against", "points", "form")
        }
        existing = current.get((season.id, team_id))
        if existing is None:
            db.session.add(Standing(season_id=season.id, team_id=team_id, **values))
            result.created += 1
        elif _apply(existing, values):
            existing.updated_at = utcnow()
            result.updated += 1
        else:
            result.unchanged += 1
    offer_team_crests(crests)
    return result
