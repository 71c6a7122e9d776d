"""When each refresh last succeeded, so pages can say how old what they show is when a provider fails."""

from __future__ import annotations

from datetime import datetime, timedelta

from app import clock
from app.extensions import cache

# Past these, a page says its data is old: scores move every minute, prices every few.
STALE_AFTER = {"refresh_live": timedelta(minutes=3), "refresh_odds": timedelta(minutes=20)}


def _key(job: str, scope: str) -> str:
    return f"fresh:{job}:{scope}"


def mark(job: str, scope: str = "") -> None:
    """Record a successful refresh now (kept until the next one)."""
    cache.set(_key(job, scope), clock.now(), timeout=0)


def last(job: str, scope: str = "") -> datetime | None:
    return cache.get(_key(job, scope))


def stale_since(job: str, scope: str = "") -> datetime | None:
    """The last success when it is older than the job's limit (None: fresh, or never run here)."""
    when = last(job, scope)
    limit = STALE_AFTER.get(job)
    if when is None or limit is None or clock.now() - when <= limit:
        return None
    return when
