"""A match's line-ups, events, statistics and head-to-head: stored as plain data, shown on its page."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from datetime import date, datetime
from enum import Enum
from typing import Any

from sqlalchemy import select

from app.extensions import db
from app.football.models import Match, MatchAlias, MatchDetail, TeamAlias
from app.providers.base import Provider, ProviderError
from app.storage.columns import utcnow

# kind -> (capability, the call that asks a provider for it by the match's or the two teams' ids of its own)
KINDS: dict[str, tuple[str, Callable[[Provider, Sequence[str]], Sequence[Any]]]] = {
    "lineups": ("lineups", lambda p, ids: p.lineups(ids[0])),
    "events": ("events", lambda p, ids: p.events(ids[0])),
    "stats": ("stats", lambda p, ids: p.statistics(ids[0])),
    "h2h": ("head_to_head", lambda p, ids: p.head_to_head(ids[0], ids[1])),
}


def plain(value: Any) -> Any:
    """Records as JSON-ready data: dataclasses to dicts, enums to their values, instants to ISO text."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


def call_for(match: Match, kind: str) -> Callable[[Provider], Sequence[Any]]:
    """How to ask any provider for this match's details: by its own ids for the match or the teams."""
    capability, ask = KINDS[kind]

    def call(provider: Provider) -> Sequence[Any]:
        if kind == "h2h":
            return ask(provider, _team_ids(provider.name, (match.home_team_id, match.away_team_id)))
        external = db.session.scalar(
            select(MatchAlias.external_id).filter_by(match_id=match.id, provider=provider.name)
        )
        if external is None:
            raise ProviderError(provider.name, capability, "no id of this provider for the match")
        return ask(provider, (external,))

    return call


def _team_ids(provider: str, team_ids: tuple[int, int]) -> tuple[str, str]:
    rows = db.session.execute(
        select(TeamAlias.team_id, TeamAlias.external_id).where(
            TeamAlias.provider == provider, TeamAlias.team_id.in_(team_ids)
        )
    )
    found = {team_id: external for team_id, external in rows}
    if len(found) < 2:
        raise ProviderError(provider, "head_to_head", "no id of this provider for one of the teams")
    return found[team_ids[0]], found[team_ids[1]]


def store(match: Match, kind: str, provider: str, records: Sequence[Any]) -> bool:
    """Keep what the provider gave, each record marked home or away; True when anything changed."""
    sides = _sides(provider, match)
    payload = [
        plain(r) | {"side": sides.get(str(getattr(getattr(r, "team", None), "external_id", "")), "")} for r in records
    ]
    row = db.session.get(MatchDetail, (match.id, kind))
    if row is not None and row.payload == payload:
        return False
    if row is None:
        db.session.add(MatchDetail(match_id=match.id, kind=kind, provider=provider, payload=payload))
    else:
        row.provider, row.payload, row.fetched_at = provider, payload, utcnow()
    return True


def _sides(provider: str, match: Match) -> dict[str, str]:
    rows = db.session.execute(
        select(TeamAlias.external_id, TeamAlias.team_id).where(
            TeamAlias.provider == provider, TeamAlias.team_id.in_((match.home_team_id, match.away_team_id))
        )
    )
    return {ext: "home" if team_id == match.home_team_id else "away" for ext, team_id in rows}


def of(match_id: int) -> dict[str, list[dict[str, Any]]]:
    """The stored details of a match, by kind."""
    rows = db.session.scalars(select(MatchDetail).filter_by(match_id=match_id))
    return {row.kind: row.payload for row in rows}
