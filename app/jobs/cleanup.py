"""The nightly cleanup (02:00 UTC): the day's statistics, old run logs, expired cache, and whatever features tidy
(old price history) when told (signals.nightly)."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from flask import current_app

from app import clock
from app.extensions import cache, db
from app.jobs import runs, signals, stats

KEEP_RUNS = timedelta(days=30)
LOST_AFTER = timedelta(hours=6)  # far past every job's timeout


def nightly() -> dict[str, Any]:
    """Each step commits on its own: a failure in one leaves the others' work done, and rerunning is safe."""
    now = clock.now()
    summary: dict[str, Any] = {"lost_runs": runs.mark_lost(LOST_AFTER)}
    db.session.commit()
    summary["stats_days"] = [d.isoformat() for d in stats.write_daily_stats(until=now.date())]
    db.session.commit()
    summary["runs_pruned"] = runs.prune(KEEP_RUNS)
    db.session.commit()
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    for receiver in signals.nightly.receivers_for(app):  # what features tidy (old price history)
        summary.update(receiver(app, now=now))
        db.session.commit()
    summary["cache_entries_expired"] = prune_cache()
    return summary


def prune_cache() -> int:
    """Drop expired entries of the in-process cache (Redis expires its keys itself). Returns entries dropped.

    cachelib's SimpleCache keeps expired entries until it is full, and its own pruning then drops the
    oldest entries first, counting never-expiring ones (stored with expiry 0) as the oldest of all.
    """
    store = getattr(cache.cache, "_cache", None)
    if not isinstance(store, dict):
        return 0
    now = time.time()
    expired = [key for key, (expires, _) in list(store.items()) if 0 < expires < now]
    for key in expired:
        store.pop(key, None)
    return len(expired)
