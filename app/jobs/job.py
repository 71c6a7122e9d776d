"""The one job decorator: commit once on success, roll back on failure, then announce changes."""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

from flask import current_app
from sqlalchemy import and_, func, or_, select

from app import clock, live
from app.extensions import db
from app.football.models import IN_PLAY, Match
from app.jobs import locks, queues
from app.jobs.schedule import Periodic
from app.matches import push
from app.providers.base import Provider, ProviderError
from app.providers.records import Usage
from app.providers.registry import first_success
from app.refresh import freshness, planner, usage
from app.storage import cache_keys

F = TypeVar("F", bound=Callable[..., dict[str, Any]])
T = TypeVar("T")
log = logging.getLogger("betscore.jobs")
# Longer than any job's timeout, so a lock outlives its holder only when the holder was killed.
LOCK_TTL = timedelta(minutes=15)


def chain(capability: str, only: str | None = None) -> list[Provider]:
    """The providers configured for a capability, in order (just the named one when `only` is given)."""
    providers = current_app.extensions["betscore.providers"].get(capability, [])
    if only is not None:
        providers = [p for p in providers if p.name == only]
        if not providers:
            raise ProviderError(only, capability, "not configured for this capability")
    return providers


def serve(capability: str, call: Callable[[Provider], T], only: str | None = None) -> tuple[Provider, T]:
    """The first provider that serves the call; a failing one hands over to the next."""
    return first_success(capability, chain(capability, only), call)


def configured() -> dict[str, Provider]:
    """Every configured provider, once, by name."""
    return {p.name: p for c in current_app.extensions["betscore.providers"].values() for p in c}


def reading(provider: Provider) -> Usage | None:
    """A provider's latest quota reading."""
    return provider.usage()


def requests_sent() -> int:
    """Requests this process has sent to providers so far, retries included."""
    return sum(p.requests_sent for p in configured().values())


def _readings() -> list[Usage]:
    """The latest quota reading of every configured provider that has one."""
    return [r for r in map(reading, configured().values()) if r is not None]


def job(func: F) -> F:
    """Run a refresh as one transaction; publish what changed only after the commit.

    One refresh of a kind and target (its positional arguments) runs at a time: a second one
    started meanwhile, by another worker or runner, returns at once as skipped.
    """

    @functools.wraps(func)
    def run(*args: Any, **kwargs: Any) -> dict[str, Any]:
        target = ":".join(str(a) for a in args)
        name = f"{func.__module__}.{func.__name__}:{target}"
        with locks.exclusive(name, LOCK_TTL, owner=queues.current_job_id()) as held:
            if not held:
                log.info("job %s%s skipped: already running", func.__name__, args)
                return {"skipped": f"{func.__name__}({target}) is already running elsewhere", "written": 0}
            return _transaction(func, target, args, kwargs)

    return run  # type: ignore[return-value]


def _transaction(
    func: Callable[..., dict[str, Any]], target: str, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        summary = func(*args, **kwargs)
        usage.record(_readings())  # quota spent by this job, stored with what it wrote
        db.session.commit()
    except ProviderError as exc:
        # Expected in operation (outage, quota, breaker): the reason says it all, no traceback.
        db.session.rollback()
        log.warning("job %s%s: %s", func.__name__, args, exc)
        raise
    except Exception:
        db.session.rollback()
        log.exception("job %s%s failed", func.__name__, args)
        raise
    freshness.mark(func.__name__, target)
    changed_matches, changed_leagues = summary.pop("changed_matches", set()), summary.pop("changed_leagues", set())
    cache_keys.changed(
        matches=changed_matches, leagues=changed_leagues, predictions=summary.pop("changed_predictions", set())
    )
    push.announce(changed_matches, changed_leagues)  # after the commit and the cache, never before
    for topic, element_ids in summary.pop("refetch", {}).items():  # parts a job cannot render for every viewer
        live.refetch(topic, element_ids)
    summary["seconds"] = round(time.perf_counter() - started, 3)
    log.info("job %s%s %s", func.__name__, args, summary)
    return summary


def attempt(func: Callable[..., dict[str, Any]], *args: Any, **kwargs: Any) -> dict[str, Any]:
    """One target's refresh inside a sweep: its failure is reported and does not stop the others."""
    try:
        return func(*args, **kwargs)
    except ProviderError as exc:
        return {"error": str(exc)}


def worth_running(periodic: Periodic) -> bool:
    """Whether a scheduled job is worth a request now: always with free data, within the budget with paid."""
    providers = current_app.extensions["betscore.providers"].get(periodic.capability or "", [])
    if periodic.capability is None or not providers or not providers[0].paid:
        return True
    every = periodic.paid_every or _live_every(providers[0].name)
    if every is None:
        return False
    last = freshness.last(periodic.func.partition(":")[2], ":".join(periodic.args))
    return last is None or clock.now() - last >= every


def _live_every(provider: str) -> timedelta | None:
    """Live polling paced so the day's calls last until the day's last match ends; None when none is on."""
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
