"""The days of background work: each UTC day's runs totalled, kept after the run log itself is pruned."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Date, func, select
from sqlalchemy.orm import Mapped, mapped_column

from app import clock
from app.extensions import Model, db
from app.jobs.runs import JobRun
from app.storage.columns import UTCDateTime


class DailyStat(Model):
    """One UTC day of background work, kept after the run log itself is pruned."""

    __tablename__ = "daily_stats"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    runs: Mapped[int]
    failed: Mapped[int]
    skipped: Mapped[int]
    written: Mapped[int]  # rows ingested
    requests: Mapped[int]  # provider requests sent
    credits: Mapped[int]  # quota units spent, as the providers' own counters tell
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime())


def write_daily_stats(until: date) -> list[date]:
    """Total each day of the run log before `until` that has no statistics yet (and the day before
    `until` again, in case runs finished after it was totalled). Returns the days written."""
    start = datetime.combine(until - timedelta(days=1), datetime.min.time(), UTC)
    have = set(db.session.scalars(select(DailyStat.day)))
    first = db.session.scalar(select(func.min(JobRun.queued_at)))
    days = []
    if first is not None:
        day = first.date()
        while day < until:
            if day not in have or datetime.combine(day, datetime.min.time(), UTC) >= start:
                days.append(day)
            day += timedelta(days=1)
    for day in days:
        begin = datetime.combine(day, datetime.min.time(), UTC)
        rows = db.session.execute(
            select(
                JobRun.state,
                func.count(),
                func.coalesce(func.sum(JobRun.written), 0),
                func.coalesce(func.sum(JobRun.requests), 0),
                func.coalesce(func.sum(JobRun.credits), 0),
            )
            .where(JobRun.queued_at >= begin, JobRun.queued_at < begin + timedelta(days=1))
            .group_by(JobRun.state)
        ).all()
        by_state = {state: count for state, count, *_ in rows}
        stat = db.session.get(DailyStat, day) or DailyStat(day=day)
        stat.runs = sum(by_state.values())
        stat.failed, stat.skipped = by_state.get("failed", 0), by_state.get("skipped", 0)
        stat.written = sum(int(r[2]) for r in rows)
        stat.requests = sum(int(r[3]) for r in rows)
        stat.credits = sum(int(r[4]) for r in rows)
        stat.computed_at = clock.now()
        db.session.add(stat)
    return days
