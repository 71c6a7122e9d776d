"""The canonical registry: a provider's team refs resolved to BetScore's teams.

A ref resolves by its alias (provider + external id), else by the normalised name among the
competition's teams (their names and every alias name). What still does not resolve is queued
for an admin (UnresolvedTeam) and skipped: a name never silently becomes a duplicate team. Only
the authoritative provider (the one that seeds the world) creates teams.
"""

from __future__ import annotations

import difflib
from collections import defaultdict

from sqlalchemy import select

from app.extensions import db
from app.football.models import Competition, Match, Team, TeamAlias, UnresolvedTeam
from app.football.names import key
from app.providers.records import TeamRef
from app.storage.columns import utcnow


class TeamResolver:
    """Resolves one provider's refs within one ingest, loading what it needs once."""

    def __init__(self, provider: str, authoritative: bool) -> None:
        self.provider = provider
        self.authoritative = authoritative
        rows = db.session.execute(select(TeamAlias.external_id, TeamAlias.team_id).filter_by(provider=provider))
        self._by_external: dict[str, int] = {ext: team_id for ext, team_id in rows}
        self._by_key: dict[str | None, dict[str, set[int]]] | None = None
        self.created = 0
        self.queued: list[str] = []

    def resolve(self, ref: TeamRef, competition_key: str | None = None) -> int | None:
        """Our team id for the ref, or None when it is queued for review."""
        team_id = self._by_external.get(ref.external_id)
        if team_id is not None:
            return team_id
        if self.authoritative:
            return self._create(ref)
        team_id = self._by_name(ref.name, competition_key)
        if team_id is None:
            self._queue(ref, competition_key)
            return None
        self._link(ref, team_id)
        return team_id

    def _by_name(self, name: str, competition_key: str | None) -> int | None:
        """The one team whose name or alias has this key (in the competition when known); None if 0 or 2+."""
        index = self._index()
        pool = index.get(competition_key) if competition_key in index else index[None]
        found = (pool or {}).get(key(name), set())
        return next(iter(found)) if len(found) == 1 else None

    def _index(self) -> dict[str | None, dict[str, set[int]]]:
        if self._by_key is None:
            self._by_key = name_index()
        return self._by_key

    def _create(self, ref: TeamRef) -> int:
        team = Team(name=ref.name, short_name=ref.short_name, country=ref.country)
        db.session.add(team)
        db.session.flush()
        self._link(ref, team.id)
        self.created += 1
        return team.id

    def _link(self, ref: TeamRef, team_id: int) -> None:
        db.session.add(TeamAlias(team_id=team_id, provider=self.provider, external_id=ref.external_id, name=ref.name))
        team = db.session.get(Team, team_id)
        if team is not None and team.short_name is None and ref.short_name:
            team.short_name = ref.short_name  # a team first met without one (API-Football) takes this provider's
        self._by_external[ref.external_id] = team_id

    def _queue(self, ref: TeamRef, competition_key: str | None) -> None:
        self.queued.append(ref.name)
        row = db.session.scalar(select(UnresolvedTeam).filter_by(provider=self.provider, external_id=ref.external_id))
        if row is None:
            db.session.add(
                UnresolvedTeam(
                    provider=self.provider, external_id=ref.external_id, name=ref.name, competition_key=competition_key
                )
            )
        elif row.resolved_at is None:
            row.seen_count += 1
            row.last_seen = utcnow()


def name_index() -> dict[str | None, dict[str, set[int]]]:
    """Name key -> team ids, per competition the teams play in, and over all teams (None)."""
    names: dict[int, set[str]] = defaultdict(set)
    for team_id, name in db.session.execute(select(Team.id, Team.name)):
        names[team_id].add(key(name))
    for team_id, name in db.session.execute(select(TeamAlias.team_id, TeamAlias.name)):
        names[team_id].add(key(name))
    index: dict[str | None, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    for team_id, keys in names.items():
        for k in keys:
            index[None][k].add(team_id)
    plays_in = db.session.execute(
        select(Competition.key, Match.home_team_id)
        .join(Match, Match.competition_id == Competition.id)
        .union(select(Competition.key, Match.away_team_id).join(Match, Match.competition_id == Competition.id))
    )
    for comp_key, team_id in plays_in:
        for k in names.get(team_id, ()):
            index[comp_key][k].add(team_id)
    return index


def suggestions(name: str, limit: int = 3) -> list[tuple[Team, float]]:
    """The closest canonical teams to a name, best first, with a 0-1 similarity."""
    target = key(name)
    scored = [
        (team, difflib.SequenceMatcher(None, target, key(team.name)).ratio())
        for team in db.session.scalars(select(Team))
    ]
    return sorted((s for s in scored if s[1] >= 0.5), key=lambda s: -s[1])[:limit]


def link(unresolved: UnresolvedTeam, team: Team) -> None:
    """An admin's decision: this provider's name is that team, now and for every later ingest."""
    db.session.add(
        TeamAlias(
            team_id=team.id, provider=unresolved.provider, external_id=unresolved.external_id, name=unresolved.name
        )
    )
    unresolved.team_id, unresolved.resolved_at = team.id, utcnow()


def create(unresolved: UnresolvedTeam) -> Team:
    """An admin's decision: this is a club we do not have yet."""
    team = Team(name=unresolved.name)
    db.session.add(team)
    db.session.flush()
    link(unresolved, team)
    return team
