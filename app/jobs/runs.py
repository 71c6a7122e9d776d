"""The run log: every run of a periodic job, scheduled or asked for by an admin, with its outcome.

Both runners (the embedded thread and RQ workers) start jobs here, so the admin's jobs panel,
the progress fragment and the day's statistics read one table whichever runs them.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import traceback
from datetime import datetime, timedelta
from typing import Any

import redis.exceptions
from flask import Flask, current_app
from sqlalchemy import Float, Index, String, Text, delete, func, select, update
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import Mapped, mapped_column

from app import clock
from app.extensions import Model, db
from app.jobs import queues
from app.jobs.schedule import PERIODIC, Periodic, find, resolve
from app.ops import instrument, metrics
from app.providers.base import ProviderError
from app.refresh import budget, usage
from app.refresh.providers import requests_sent
from app.storage import redis_client
from app.storage.columns import UTCDateTime

log = logging.getLogger("betscore.runs")

# Worth another attempt: the provider, the database or Redis may be back in a minute. Anything
# else is a bug a retry would only repeat.
TRANSIENT = (
    ProviderError,
    sa_exc.OperationalError,
    sa_exc.InterfaceError,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
)
FINISHED = ("ok", "partial", "skipped", "failed")
DETAIL_CHARS = 4000


class JobRun(Model):
    __tablename__ = "job_runs"
    __table_args__ = (Index("ix_job_runs_name_id", "name", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64))  # the periodic job's id
    trigger: Mapped[str] = mapped_column(String(16))  # schedule | admin
    state: Mapped[str] = mapped_column(String(16))  # queued, running, then ok, partial, skipped or failed
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    seconds: Mapped[float | None] = mapped_column(Float)
    attempt: Mapped[int] = mapped_column(default=0)
    written: Mapped[int] = mapped_column(default=0)  # rows the run wrote, over all its targets
    requests: Mapped[int] = mapped_column(default=0)  # provider requests it sent, retries included
    credits: Mapped[int] = mapped_column(default=0)  # quota units spent, as the providers' counters tell
    detail: Mapped[str | None] = mapped_column(Text)  # the summary, or the error with its traceback
    job_id: Mapped[str | None] = mapped_column(String(128))  # the RQ job that ran it

    @property
    def finished(self) -> bool:
        return self.state in FINISHED


def run_periodic(periodic_id: str) -> dict[str, Any]:
    """What the scheduler enqueues: one declared job, by id."""
    return run_scheduled(find(periodic_id))


def run_scheduled(periodic: Periodic) -> dict[str, Any]:
    """Run a job as the schedule asks: skipped when a paid provider's budget says not yet."""
    run = _new(periodic, "schedule")
    if not worth_running(periodic):
        _finish(run, "skipped", {"skipped": "not worth a paid request yet"})
        db.session.commit()
        return {"skipped": "not worth a paid request yet"}
    return _perform(run, periodic)


def worth_running(periodic: Periodic) -> bool:
    """Whether a scheduled job is worth a request now: always with free data, within the budget with paid."""
    return budget.worth_a_request(
        periodic.capability,
        job=periodic.func.partition(":")[2],
        scope=":".join(periodic.args),
        paid_every=periodic.paid_every,
        pace=resolve(periodic.pace) if periodic.pace else None,
    )


def execute(run_id: int) -> dict[str, Any]:
    """Run a queued run (an admin's request) now."""
    run = db.session.get(JobRun, run_id)
    if run is None:
        raise LookupError(f"no run {run_id}")
    return _perform(run, find(run.name))


def submit(periodic_id: str, trigger: str = "admin") -> JobRun:
    """Queue a run of a declared job now: on RQ when Redis is configured, else on a thread of this process."""
    periodic = find(periodic_id)
    run = _new(periodic, trigger)
    db.session.commit()
    if redis_client.connection() is not None:
        try:
            run.job_id = queues.enqueue(
                "app.jobs.runs:execute",
                run.id,
                queue=periodic.queue,
                timeout=periodic.timeout,
                job_id=f"run-{run.id}",
                description=f"{periodic.id} (asked by an admin)",
            )
        except redis.exceptions.RedisError as exc:
            _finish(run, "failed", None, error=f"could not queue it: Redis did not answer ({exc})")
        db.session.commit()
    else:
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        threading.Thread(target=_execute_in, args=(app, run.id), name=f"run-{run.id}", daemon=True).start()
    return run


def _new(periodic: Periodic, trigger: str) -> JobRun:
    run = JobRun(
        name=periodic.id,
        trigger=trigger,
        state="queued",
        queued_at=clock.now(),
        attempt=0,
        written=0,
        requests=0,
        credits=0,
    )
    db.session.add(run)
    return run


def _execute_in(app: Flask, run_id: int) -> None:
    with app.app_context():
        try:
            execute(run_id)
        except Exception:  # recorded on the run; the thread has nobody to tell
            log.debug("run %s failed", run_id, exc_info=True)


def _perform(run: JobRun, periodic: Periodic) -> dict[str, Any]:
    """One job's run, measured (its duration and outcome: ok, retried for a passing failure, failed for a bug); its
    figures, the queries' and provider calls' included, go to the metrics in one batch at its end."""
    started, outcome = time.perf_counter(), "failed"
    with metrics.batched():
        try:
            summary = _record(run, periodic)
            outcome = "ok"
            return summary
        except TRANSIENT:
            outcome = "retried"
            raise
        finally:
            instrument.job_ran(periodic.id, time.perf_counter() - started, outcome)


def _record(run: JobRun, periodic: Periodic) -> dict[str, Any]:
    """Start, run and record one job; a failure is recorded, then raised for the runner to retry."""
    job_id = queues.current_job_id()
    if job_id is not None:
        _abandon_earlier(job_id, run)
        _abandon_dead(run)
    run.state, run.started_at, run.job_id, run.attempt = "running", clock.now(), job_id or run.job_id, run.attempt + 1
    db.session.commit()
    before, used, started = requests_sent(), _used(), time.perf_counter()
    try:
        summary = resolve(periodic.func)(*periodic.args)
    except Exception as exc:
        db.session.rollback()
        run.requests, run.credits = requests_sent() - before, _spent(used)
        _finish(run, "failed", None, started, error="".join(traceback.format_exception(exc)))
        db.session.commit()
        if not isinstance(exc, TRANSIENT):
            queues.give_up()
        raise
    run.requests, run.credits = requests_sent() - before, _spent(used)
    state = "skipped" if _skipped(summary) else "partial" if _errors(summary) else "ok"
    _finish(run, state, summary, started)
    db.session.commit()
    return summary


def _used() -> dict[str, int]:
    return {name: row.used for name, row in usage.latest().items() if row.used is not None}


def _spent(before: dict[str, int]) -> int:
    """Quota units used since `before`, by the providers' own counters (a counter reset counts from zero)."""
    spent = 0
    for name, after in _used().items():
        start = before.get(name, after)
        spent += after - start if after >= start else after
    return spent


def _abandon_earlier(job_id: str, run: JobRun) -> None:
    """An earlier attempt of this RQ job still "running" died with its worker: say so."""
    db.session.execute(
        update(JobRun)
        .where(JobRun.job_id == job_id, JobRun.state == "running", JobRun.id != run.id)
        .values(state="failed", finished_at=clock.now(), detail="the worker running it stopped mid-run; retried")
        .execution_options(synchronize_session=False)
    )


def _abandon_dead(run: JobRun) -> None:
    """Earlier runs of this job still "running" whose worker died (the schedule has run it again): say so."""
    stuck = db.session.scalars(
        select(JobRun).where(JobRun.name == run.name, JobRun.state == "running", JobRun.id != run.id)
    )
    for earlier in stuck:
        if earlier.job_id and queues.abandoned(earlier.job_id):
            _finish(earlier, "failed", None, error="abandoned: the worker running it stopped mid-run; run again")


def _finish(run: JobRun, state: str, summary: Any, started: float | None = None, error: str | None = None) -> None:
    run.state, run.finished_at = state, clock.now()
    if started is not None:
        run.seconds = round(time.perf_counter() - started, 3)
    run.written = _written(summary)
    text = error if error is not None else json.dumps(summary, default=str, sort_keys=True)
    run.detail = text if len(text) <= DETAIL_CHARS else text[:200] + "\n…\n" + text[-(DETAIL_CHARS - 200) :]


def _walk(summary: Any) -> list[dict[str, Any]]:
    """A summary and the per-target summaries of a sweep (dicts of dicts)."""
    if not isinstance(summary, dict):
        return []
    return [summary, *(d for value in summary.values() for d in _walk(value))]


def _written(summary: Any) -> int:
    return sum(int(d["written"]) for d in _walk(summary) if isinstance(d.get("written"), int))


def _errors(summary: Any) -> int:
    return sum(1 for d in _walk(summary) if d.get("error") or d.get("errors"))


def _skipped(summary: Any) -> bool:
    return isinstance(summary, dict) and "skipped" in summary


def latest() -> dict[str, JobRun]:
    """The newest finished or running run of each declared job."""
    newest = (select(func.max(JobRun.id)).where(JobRun.state != "queued").group_by(JobRun.name)).scalar_subquery()
    return {run.name: run for run in db.session.scalars(select(JobRun).where(JobRun.id.in_(newest)))}


def next_runs(now: datetime, periodic: tuple[Periodic, ...] = PERIODIC) -> dict[str, datetime]:
    """When each declared job is next due: from the Redis schedule when there is one, else after its last run."""
    scheduled = queues.scheduled_times()
    last = latest()
    due = {}
    for p in periodic:
        if p.id in scheduled:
            due[p.id] = scheduled[p.id]
        elif p.id in last and last[p.id].started_at is not None:
            due[p.id] = max(now, p.next_after(last[p.id].started_at))  # type: ignore[arg-type]
        else:
            due[p.id] = now if p.every is not None else p.next_after(now)
    return due


def mark_lost(older_than: timedelta) -> int:
    """Runs still "running" long after any timeout: their process died without a retry. Returns rows."""
    cutoff = clock.now() - older_than
    result = db.session.execute(
        update(JobRun)
        .where(JobRun.state.in_(("running", "queued")), JobRun.queued_at < cutoff)
        .values(state="failed", finished_at=clock.now(), detail="lost: its process stopped before it finished")
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def prune(older_than: timedelta) -> int:
    """Drop runs older than this (their days are totalled first). Returns rows deleted."""
    result = db.session.execute(delete(JobRun).where(JobRun.queued_at < clock.now() - older_than))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
