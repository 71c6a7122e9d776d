"""What favourites hears from the plumbing below it, for its own app:

- a job's commit (`jobs.signals.committed`): when a match someone follows scores, starts or ends, each of its
  followers' open pages is told, on their own `user:<id>` topic, to fetch their "My matches" again. The message
  names an event and nothing else; what the page fetches is its own.
- the planner's question of who watches (`refresh.watching.asked`): followed matches count as watched.
- a user's data download and account deletion (`accounts.signals.exporting`, `deleting`): their follows go with it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from flask import Flask
from sqlalchemy import select

from app.accounts import signals as accounts
from app.extensions import cache, db
from app.favourites import services
from app.football.models import Match
from app.jobs import signals
from app.live import service as live
from app.refresh import watching

log = logging.getLogger("betscore.live")
EVENT = "favourites"  # pages hear it as `live:favourites` on their body
STATE_SECONDS = 2 * 24 * 3600


def init_app(app: Flask) -> None:
    signals.committed.connect(_committed, sender=app)
    watching.asked.connect(_watched, sender=app)
    accounts.exporting.connect(_export, sender=app)
    accounts.deleting.connect(_forget, sender=app)


def _export(app: Flask, user_id: int) -> tuple[str, dict]:
    return "favourites", services.export_user(user_id)


def _forget(app: Flask, user_id: int) -> None:
    services.delete_user_data(user_id)


def _committed(app: Flask, changes: signals.Changes) -> None:
    tell_followers(changes.matches)


def _watched(app: Flask, match_ids: list[int]) -> set[int]:
    """Followed matches, and the matches of followed teams. A followed league is left out: one follower would make
    a whole league watched, and the planner spend its credits on every match of it."""
    return services.followed(match_ids, leagues=False)


def _state_key(match_id: int) -> str:
    return f"favourites:state:{match_id}"


def tell_followers(match_ids: Iterable[int]) -> None:
    """After a commit: the followers of each match whose score or status moved hear `EVENT`. Never raises."""
    try:
        moved = _moved(sorted(services.followed(match_ids)))
        for user_id in sorted(services.followers(moved)):
            live.notify_user(user_id, EVENT)
    except Exception:
        log.exception("favourites: telling followers failed")


def _moved(match_ids: list[int]) -> list[int]:
    """The matches among these whose status or score differs from what was last seen (kept in the cache). A match
    with a score seen for the first time counts as moved: a goal may be what brought it here."""
    if not match_ids:
        return []
    rows = db.session.execute(
        select(Match.id, Match.status, Match.home_score, Match.away_score).where(Match.id.in_(match_ids))
    ).all()
    before = dict(zip(match_ids, cache.get_many(*map(_state_key, match_ids)), strict=True))
    now = {match_id: [status, home, away] for match_id, status, home, away in rows}
    moved = [
        match_id
        for match_id, state in now.items()
        if before[match_id] != state and (before[match_id] is not None or state[1] is not None)
    ]
    cache.set_many({_state_key(match_id): state for match_id, state in now.items()}, timeout=STATE_SECONDS)
    return moved
