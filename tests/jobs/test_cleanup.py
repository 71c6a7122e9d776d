"""The nightly cleanup: the day's statistics, then pruning, downsampling and expired cache entries."""

from __future__ import annotations

import time
from datetime import date, timedelta

from sqlalchemy import func, select

from app.extensions import cache, db
from app.jobs import cleanup, stats
from app.jobs.runs import JobRun
from app.jobs.stats import DailyStat
from app.refresh import freshness


def add_run(queued_at, state="ok", written=0, requests=0, credits=0) -> None:
    db.session.add(
        JobRun(
            name="odds",
            trigger="schedule",
            state=state,
            attempt=1,
            written=written,
            requests=requests,
            credits=credits,
            queued_at=queued_at,
        )
    )


def test_each_past_day_is_totalled_once_and_yesterday_again(app, clock):
    today = clock.now.replace(hour=12)
    with app.app_context():
        add_run(today - timedelta(days=2), written=5, requests=2, credits=4)
        add_run(today - timedelta(days=2), state="failed", requests=3)
        add_run(today - timedelta(days=1), state="skipped")
        add_run(today, written=99)  # today is not over: not totalled
        db.session.commit()
        assert stats.write_daily_stats(until=today.date()) == [date(2026, 11, 19), date(2026, 11, 20)]
        before = db.session.get(DailyStat, date(2026, 11, 19))
        assert (before.runs, before.failed, before.skipped, before.written, before.requests, before.credits) == (
            2,
            1,
            0,
            5,
            5,
            4,
        )
        add_run(today - timedelta(days=1), written=7)  # a run of yesterday that finished late
        db.session.commit()
        assert stats.write_daily_stats(until=today.date()) == [date(2026, 11, 20)]
        yesterday = db.session.get(DailyStat, date(2026, 11, 20))
        assert (yesterday.runs, yesterday.skipped, yesterday.written) == (2, 1, 7)
        assert db.session.scalar(select(func.count()).select_from(DailyStat)) == 2


def test_nightly_totals_before_it_prunes_and_reports_each_step(app, clock):
    with app.app_context():
        add_run(clock.now - timedelta(days=40), written=3)
        add_run(clock.now - timedelta(days=1))
        db.session.commit()
        summary = cleanup.nightly()
        assert summary["runs_pruned"] == 1 and summary["lost_runs"] == 0
        assert "2026-10-12" in summary["stats_days"]
        assert db.session.get(DailyStat, date(2026, 10, 12)).written == 3
        assert {"snapshots_downsampled", "cache_entries_expired"} <= set(summary)
        assert db.session.scalar(select(func.count()).select_from(JobRun)) == 1


def test_expired_cache_entries_go_and_never_expiring_ones_stay(app):
    with app.app_context():
        freshness.mark("refresh_odds", "epl")  # kept until the next refresh: never expires
        cache.set("short", 1, timeout=1)
        cache.set("long", 1, timeout=600)
        if app.config["CACHE_TYPE"] != "SimpleCache":
            assert cleanup.prune_cache() == 0  # Redis expires its keys itself
            return
        store = cache.cache._cache  # the in-process store: (expires, value) by key
        store["short"] = (int(time.time()) - 1, store["short"][1])  # its second has passed
        assert cleanup.prune_cache() == 1
        assert cache.get("short") is None and cache.get("long") == 1
        assert freshness.last("refresh_odds", "epl") is not None
