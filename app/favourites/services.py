"""Follows: who follows what, the matches that makes theirs, and a user's data for download and deletion."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, case, delete, false, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.sql.elements import ColumnElement

from app.extensions import db
from app.favourites.models import KINDS, Follow
from app.football.models import IN_PLAY, Competition, Match, Team
from app.football.services import WITH_NAMES

MY_MATCHES_LIMIT = 200  # a followed league's fortnight is well under it; the page stays small whatever is followed


def target_name(kind: str, target_id: int) -> str | None:
    """What a follow of this kind and id names, as a page shows it; None when there is no such thing."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; one of: {', '.join(KINDS)}")
    if kind == "match":
        match = db.session.get(Match, target_id, options=WITH_NAMES)
        return f"{match.home_team.name} v {match.away_team.name}" if match else None
    if kind == "team":
        team = db.session.get(Team, target_id)
        return team.name if team else None
    league = db.session.get(Competition, target_id)
    return league.name if league else None


def follow(user_id: int, kind: str, target_id: int) -> None:
    """Follow; following again changes nothing, even when two requests race (the insert skips the duplicate).
    No commit."""
    values = {"user_id": user_id, "kind": kind, "target_id": target_id}
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    db.session.execute(insert(Follow).values(**values).on_conflict_do_nothing())


def unfollow(user_id: int, kind: str, target_id: int) -> None:
    """Stop following; unfollowing what is not followed changes nothing. No commit."""
    db.session.execute(
        delete(Follow).where(Follow.user_id == user_id, Follow.kind == kind, Follow.target_id == target_id)
    )


def follows_of(user_id: int) -> set[tuple[str, int]]:
    """Everything this user follows, as (kind, id)."""
    rows = db.session.execute(select(Follow.kind, Follow.target_id).where(Follow.user_id == user_id))
    return {(kind, target_id) for kind, target_id in rows}


def followed_matches(user_id: int, since: datetime) -> list[Match]:
    """The matches this user follows by name that kick off from `since`, with their teams."""
    query = (
        select(Match)
        .options(*WITH_NAMES)
        .where(Match.id.in_(_followed(user_id, "match")), Match.kickoff_at >= since)
        .order_by(Match.kickoff_at, Match.id)
    )
    return list(db.session.scalars(query))


def _followed(user_id: int, kind: str) -> Select[Any]:
    return select(Follow.target_id).where(Follow.user_id == user_id, Follow.kind == kind)


def my_matches(user_id: int, start: datetime, end: datetime) -> list[Match]:
    """The user's matches (followed, or of a followed team or league) in play or kicking off in [start, end):
    live first, then by kickoff."""
    teams = _followed(user_id, "team")
    theirs = or_(
        Match.id.in_(_followed(user_id, "match")),
        Match.home_team_id.in_(teams),
        Match.away_team_id.in_(teams),
        Match.competition_id.in_(_followed(user_id, "league")),
    )
    when = or_(Match.status.in_(IN_PLAY), and_(Match.kickoff_at >= start, Match.kickoff_at < end))
    live_first = case((Match.status.in_(IN_PLAY), 0), else_=1)
    query = (
        select(Match)
        .options(*WITH_NAMES)
        .where(theirs, when)
        .order_by(live_first, Match.kickoff_at, Match.id)
        .limit(MY_MATCHES_LIMIT)
    )
    return list(db.session.scalars(query))


def _makes_theirs(leagues: bool = True) -> ColumnElement[bool]:
    """When a follow makes a match its user's: it names the match, either team, or (`leagues`) its league."""
    return or_(
        and_(Follow.kind == "match", Follow.target_id == Match.id),
        and_(
            Follow.kind == "team", or_(Follow.target_id == Match.home_team_id, Follow.target_id == Match.away_team_id)
        ),
        and_(Follow.kind == "league", Follow.target_id == Match.competition_id) if leagues else false(),
    )


def followers(match_ids: Iterable[int]) -> set[int]:
    """The users to whom any of these matches is theirs."""
    ids = sorted(set(match_ids))
    if not ids:
        return set()
    query = select(Follow.user_id).join(Match, _makes_theirs()).where(Match.id.in_(ids)).distinct()
    return set(db.session.scalars(query))


def followed(match_ids: Iterable[int], leagues: bool = True) -> set[int]:
    """Those of these matches that someone follows, or whose team (or, with `leagues`, league) someone follows."""
    ids = sorted(set(match_ids))
    if not ids:
        return set()
    query = select(Match.id).join(Follow, _makes_theirs(leagues)).where(Match.id.in_(ids)).distinct()
    return set(db.session.scalars(query))


def export_user(user_id: int) -> dict:
    """A user's follows for their data download: each with its kind, id, name (when it still exists) and date."""
    rows = db.session.scalars(select(Follow).where(Follow.user_id == user_id).order_by(Follow.created_at, Follow.id))
    return {
        "follows": [
            {
                "kind": f.kind,
                "id": f.target_id,
                "name": target_name(f.kind, f.target_id),
                "followed_at": f.created_at.isoformat(),
            }
            for f in rows
        ]
    }


def delete_user_data(user_id: int) -> None:
    """Forget everything this user follows, for the deletion of their account. No commit."""
    db.session.execute(delete(Follow).where(Follow.user_id == user_id))
