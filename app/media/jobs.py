"""refresh_crests: each club's crest and each league's badge fetched once from the provider that offers it (or
drawn by the demo world), stored by content, its key kept on the team or competition. A failure is recorded on
the row and tried again later, each wait longer; it never stops the others."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import or_, select

from app import clock
from app.extensions import db
from app.football.models import Competition, Crested, Match, Team
from app.jobs.job import job
from app.media import fetch, images, store
from app.providers import media
from app.providers.demo import crests as demo_crests

log = logging.getLogger("betscore.media")
RETRY_FIRST, RETRY_MOST = timedelta(minutes=15), timedelta(days=1)
SHOWN_BEFORE, SHOWN_AFTER = timedelta(days=4), timedelta(days=22)  # results and fixtures the pages list


@dataclass(frozen=True)
class Wanted:
    """One image to get: whose it is, and where from (a provider URL, or the demo world's drawing)."""

    model: type[Team] | type[Competition]
    id: int
    url: str | None
    name: str
    code: str


def retry_wait(failures: int) -> timedelta:
    """How long after its last failure an image is tried again: 15 minutes, doubling, at most a day."""
    return min(RETRY_FIRST * 2 ** min(max(failures - 1, 0), 10), RETRY_MOST)


@job
def refresh_crests() -> dict[str, Any]:
    """Up to MEDIA_FETCH_BATCH downloads due (the rest wait for the next run), and every demo drawing due."""
    settings = current_app.config
    now = clock.now()
    wanted = due(now, settings["MEDIA_FETCH_BATCH"], demo=current_app.extensions["betscore.demo"])
    # The due list is plain data: end the read so no connection is held open while images download.
    db.session.rollback()
    # MEDIA_URL_POLICY is a test's stand-in for the providers' hosts (a create_app override, never read from the
    # environment); otherwise only https URLs on the providers' own image hosts are fetched.
    allowed: Callable[[str], bool] = settings.get("MEDIA_URL_POLICY") or (lambda u: media.provider_of(u) is not None)
    target = store.storage(current_app)
    outcomes = [
        (w, _get(w, target, allowed, settings["MEDIA_MAX_BYTES"], settings["MEDIA_FETCH_TIMEOUT"])) for w in wanted
    ]
    for w, (key, error) in outcomes:
        row: Crested | None = db.session.get(Team, w.id) if w.model is Team else db.session.get(Competition, w.id)
        if row is not None:
            _record(row, key, error, now)
    done = [w for w, (key, _) in outcomes if key]
    return {
        "written": len(done),
        "stored": len(done),
        "failed": {f"{w.model.__tablename__}:{w.id}": error for w, (_, error) in outcomes if error},
        **_shown_with(done, now),
    }


def _shown_with(done: list[Wanted], now: datetime) -> dict[str, set[Any]]:
    """The cached views that now have a crest to show: the matches lists and pages show around now (their cached
    cards and fragments are dropped after the commit) and the leagues whose badge changed."""
    team_ids = {w.id for w in done if w.model is Team}
    leagues = {w.code for w in done if w.model is Competition}
    if not team_ids and not leagues:
        return {}
    near = Match.kickoff_at.between(now - SHOWN_BEFORE, now + SHOWN_AFTER)
    crested = or_(Match.home_team_id.in_(team_ids), Match.away_team_id.in_(team_ids), Competition.key.in_(leagues))
    matches = db.session.scalars(select(Match.id).join(Match.competition).where(near, crested))
    return {"changed_matches": set(matches), "changed_leagues": leagues}


def due(now: datetime, limit: int, demo: bool) -> list[Wanted]:
    """Teams and competitions without a stored image that have a source (a URL; in the demo world, always) and whose
    last failure is old enough: up to `limit` downloads, those failed least first, and every drawing."""
    found: list[tuple[int, Wanted]] = []
    for model, code in ((Competition, Competition.key), (Team, Team.short_name)):
        rows = db.session.execute(
            select(model.id, model.crest_url, model.name, code, model.crest_failures, model.crest_tried_at).where(
                model.crest_key.is_(None)
            )
        )
        for row_id, url, name, short, failures, tried in rows:
            if url is None and not demo:
                continue
            if tried is not None and now - tried < retry_wait(failures):
                continue
            found.append((failures, Wanted(model, row_id, url, name, short or name[:3])))
    found.sort(key=lambda pair: pair[0])
    downloads = [w for _, w in found if w.url is not None][:limit]
    return downloads + [w for _, w in found if w.url is None]


def _get(
    w: Wanted, target: store.Storage, allowed: Callable[[str], bool], max_bytes: int, timeout: float
) -> tuple[str | None, str | None]:
    """(stored key, None) or (None, why not)."""
    try:
        data = _image(w, allowed, max_bytes, timeout)
        key = images.key_for(data)
    except (fetch.FetchError, images.NotAnImage) as exc:
        return None, str(exc)[:200]
    try:
        target.put(key, data)
    except Exception as exc:  # the store down (disk full, bucket unreachable): this image waits, the others go on
        log.warning("storing the image of %s %s failed: %s", w.model.__tablename__, w.id, exc)
        return None, f"storage failed: {type(exc).__name__}"
    return key, None


def _image(w: Wanted, allowed: Callable[[str], bool], max_bytes: int, timeout: float) -> bytes:
    if w.url is None:
        if w.model is Team:
            return demo_crests.club_crest(w.name, w.code)
        return demo_crests.league_badge(w.name, w.code)
    return fetch.fetch(w.url, allowed=allowed, max_bytes=max_bytes, timeout=timeout)


def _record(row: Crested, key: str | None, error: str | None, now: datetime) -> None:
    row.crest_tried_at = now
    if key is not None:
        row.crest_key, row.crest_failures, row.crest_error = key, 0, None
    else:
        row.crest_failures, row.crest_error = (row.crest_failures or 0) + 1, error
