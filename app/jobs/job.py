"""The one job decorator: commit once on success, roll back on failure, then announce what changed (signals)."""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

from flask import current_app

from app.extensions import db
from app.jobs import locks, queues, signals
from app.ops import metrics
from app.providers.base import ProviderError
from app.refresh import freshness, providers, usage
from app.storage import cache_keys

F = TypeVar("F", bound=Callable[..., dict[str, Any]])
log = logging.getLogger("betscore.jobs")
# A lease renewed while the job runs: a job whose worker was killed frees its kind and target within a minute.
LOCK_TTL = timedelta(minutes=1)


def job(func: F) -> F:
    """Run a refresh as one transaction; publish what changed only after the commit.

    One refresh of a kind and target (its positional arguments) runs at a time: a second one
    started meanwhile, by another worker or runner, returns at once as skipped.
    """

    @functools.wraps(func)
    def run(*args: Any, **kwargs: Any) -> dict[str, Any]:
        target = ":".join(str(a) for a in args)
        name = f"{func.__module__}.{func.__name__}:{target}"
        # Its figures (queries, provider calls) go to the metrics in one batch at the end.
        with metrics.batched(), locks.exclusive(name, LOCK_TTL, owner=queues.current_job_id(), renew=True) as held:
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
        usage.record(providers.readings())  # quota spent by this job, stored with what it wrote
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
    changes = signals.Changes(
        matches=frozenset(summary.pop("changed_matches", ())),
        leagues=frozenset(summary.pop("changed_leagues", ())),
        predictions=frozenset(summary.pop("changed_predictions", ())),
        refetch={topic: tuple(ids) for topic, ids in summary.pop("refetch", {}).items()},
    )
    if changes:
        # The cache first, so every receiver (pushes to open pages, and later alerts) reads the commit.
        cache_keys.changed(matches=changes.matches, leagues=changes.leagues, predictions=changes.predictions)
        signals.send(signals.committed, current_app._get_current_object(), changes=changes)  # type: ignore[attr-defined]
    summary["seconds"] = round(time.perf_counter() - started, 3)
    log.info("job %s%s %s", func.__name__, args, summary)
    return summary


def attempt(func: Callable[..., dict[str, Any]], *args: Any, **kwargs: Any) -> dict[str, Any]:
    """One target's refresh inside a sweep: its failure is reported and does not stop the others."""
    try:
        return func(*args, **kwargs)
    except ProviderError as exc:
        return {"error": str(exc)}
