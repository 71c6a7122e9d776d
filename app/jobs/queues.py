"""RQ, and only here: queues by priority, enqueue(), the periodic scheduler and the worker.

The schedule lives in rq-scheduler as one template per declared job, under a stable id
(`periodic-<id>`). Each time a template is due the scheduler enqueues a new job of its own
(own id, retries with backoff, its result kept) and moves the template on; it does not enqueue
the template itself, as rq-scheduler does by default, because one job id run again and again
would share one status between a run, its retries and the next tick. A tick whose previous job
is still waiting or running is coalesced: when workers fall behind, work does not pile up.
"""

from __future__ import annotations

import itertools
import logging
import re
import time
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import redis.exceptions
from flask import Flask, current_app
from redis import Redis
from rq import Queue, Retry, Worker, get_current_job
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from rq.registry import FailedJobRegistry
from rq.utils import utcparse
from rq_scheduler import Scheduler

from app.extensions import db
from app.jobs.schedule import PERIODIC, QUEUES, Periodic, resolve
from app.ops import logs
from app.storage import database, redis_client

log = logging.getLogger("betscore.queues")

RESULT_TTL = int(timedelta(days=1).total_seconds())
FAILURE_TTL = int(timedelta(days=7).total_seconds())  # failed jobs stay inspectable, traceback and all
TEMPLATE = "periodic-"
LAST_JOB = "betscore:periodic:last-job"  # hash: periodic id -> id of the job its last tick enqueued
LOST_REDIS = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)
RECONNECT_SECONDS = (1, 2, 5, 10, 30)  # waits between attempts to reach Redis again, the last repeated
BUSY = {JobStatus.QUEUED, JobStatus.STARTED, JobStatus.SCHEDULED, JobStatus.DEFERRED}
RETRYING = {JobStatus.SCHEDULED, JobStatus.QUEUED}  # a failed job's status when RQ retries it


def connection() -> Redis:
    redis = redis_client.connection()
    if redis is None:
        raise RuntimeError("REDIS_URL is not set: without Redis the jobs run embedded, inside `make run`")
    return redis


def slug(periodic_id: str) -> str:
    """A periodic id as RQ allows in job ids (letters, digits, _ and -)."""
    return re.sub(r"[^A-Za-z0-9_-]", "-", periodic_id)


def enqueue(
    func: str,
    *args: Any,
    queue: str = "default",
    timeout: timedelta = timedelta(minutes=2),
    job_id: str | None = None,
    description: str | None = None,
    retries: bool = True,
    redis: Redis | None = None,
) -> str:
    """Queue "module:function"(*args) for a worker; returns the job id. A failure is retried with
    backoff (JOB_RETRY_INTERVALS) unless the job says it cannot be mended (give_up)."""
    intervals = list(current_app.config["JOB_RETRY_INTERVALS"])
    retry = Retry(max=len(intervals), interval=intervals) if retries else None
    job = Queue(queue, connection=redis or connection()).enqueue(
        func.replace(":", "."),
        *args,
        job_id=job_id,
        job_timeout=int(timeout.total_seconds()),
        retry=retry,
        result_ttl=RESULT_TTL,
        failure_ttl=FAILURE_TTL,
        description=description,
    )
    return job.id


def current_job_id() -> str | None:
    """The id of the RQ job this code runs in, if any."""
    job = get_current_job()
    return job.id if job is not None else None


def give_up() -> None:
    """No more retries for the current RQ job: its failure is not one a retry can mend."""
    job = get_current_job()
    if job is not None:
        job.retries_left = 0


def noop() -> None:
    """Does nothing: the benchmark's measure of the queue itself."""


def _naive_utc(instant: datetime) -> datetime:
    return instant.astimezone(UTC).replace(tzinfo=None)  # rq-scheduler's times are naive UTC


def fingerprint(p: Periodic) -> str:
    """Everything of a declaration that the stored template must match."""
    return repr((p.func, p.args, p.every, p.cron, p.queue, p.timeout))


class PeriodicScheduler(Scheduler):
    """rq-scheduler holding the declared schedule as templates (see the module docstring)."""

    def __init__(self, *args: Any, periodic: Sequence[Periodic] = PERIODIC, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.periodic = {p.id: p for p in periodic}

    def reconcile(self, now: datetime | None = None) -> dict[str, list[str]]:
        """Make Redis hold exactly the declared jobs: add missing, replace changed, remove undeclared."""
        now = now or datetime.now(UTC)
        report: dict[str, list[str]] = {"added": [], "updated": [], "removed": [], "kept": []}
        stored = {job.id: job for job in self.get_jobs() if job.id.startswith(TEMPLATE)}
        declared = {TEMPLATE + slug(p.id): p for p in self.periodic.values()}
        for job_id, job in stored.items():
            if job_id not in declared:
                self.cancel(job)
                job.delete()
                report["removed"].append(job.meta.get("periodic", job_id))
        for job_id, p in declared.items():
            job = stored.get(job_id)
            if job is not None and job.meta.get("fingerprint") == fingerprint(p):
                report["kept"].append(p.id)
                continue
            first = now if p.every is not None else p.next_after(now)
            self.schedule(
                _naive_utc(first),
                "app.jobs.runs.run_periodic",
                args=(p.id,),
                id=job_id,
                queue_name=p.queue,
                timeout=int(p.timeout.total_seconds()),
                description=f"{p.id}: {p.cadence}",
                meta={"periodic": p.id, "fingerprint": fingerprint(p)},
            )
            report["updated" if job is not None else "added"].append(p.id)
        return report

    def enqueue_job(self, template: Job) -> None:
        """A template is due: enqueue a new job for it (unless its last one is still busy), then move it on."""
        p = self.periodic.get(template.meta.get("periodic", ""))
        if p is None:  # declared by another version of the code: leave it to that version's reconcile
            return
        now = datetime.now(UTC)
        if self._busy(p):
            log.info("%s: its last job is still waiting or running; this tick is skipped", p.id)
        else:
            job_id = f"{slug(p.id)}-{now:%Y%m%dT%H%M%S%f}"
            enqueue(
                "app.jobs.runs:run_periodic",
                p.id,
                queue=p.queue,
                timeout=p.timeout,
                job_id=job_id,
                description=f"{p.id} (scheduled)",
                redis=self.connection,
            )
            self.connection.hset(LAST_JOB, p.id, job_id)
        self.connection.zadd(self.scheduled_jobs_key, {template.id: int(p.next_after(now).timestamp())})

    def _busy(self, p: Periodic) -> bool:
        last = self.connection.hget(LAST_JOB, p.id)
        if last is None:
            return False
        if abandoned(last.decode(), self.connection):
            log.warning("%s: its last job's worker stopped mid-run; this tick runs it again", p.id)
            return False
        try:
            return Job.fetch(last.decode(), connection=self.connection).get_status() in BUSY
        except NoSuchJobError:
            return False


def abandoned(job_id: str, redis: Redis | None = None) -> bool:
    """Whether a job is marked started but its worker has said nothing for JOB_ABANDONED_AFTER seconds (killed, or
    its machine gone): RQ itself would notice only once the job's timeout has passed."""
    redis = redis or connection()
    try:
        job = Job.fetch(job_id, connection=redis)
    except NoSuchJobError:
        return False
    if job.get_status() != JobStatus.STARTED or not job.worker_name:
        return False
    seen = redis.hget(Worker.redis_worker_namespace_prefix + job.worker_name, "last_heartbeat")
    if seen is None:  # the worker's own key expired: long gone
        return True
    text = seen.decode() if isinstance(seen, bytes) else str(seen)
    silent = datetime.now(UTC) - utcparse(text).replace(tzinfo=UTC)
    return silent > timedelta(seconds=current_app.config["JOB_ABANDONED_AFTER"])


def scheduled_times() -> dict[str, datetime]:
    """When each template in Redis is next due (empty without Redis)."""
    redis = redis_client.connection()
    if redis is None:
        return {}
    held: list[tuple[bytes, float]] = redis.zrange(Scheduler.scheduled_jobs_key, 0, -1, withscores=True)  # type: ignore[assignment]
    due = {job_id.decode(): datetime.fromtimestamp(score, UTC) for job_id, score in held}
    return {p.id: due[TEMPLATE + slug(p.id)] for p in PERIODIC if TEMPLATE + slug(p.id) in due}


def run_scheduler(app: Flask, interval: float = 5.0, burst: bool = False) -> None:
    """Reconcile the schedule, then enqueue each job when due (several may run: one holds the lock per pass). When
    Redis goes away it waits for it, then reconciles again: a Redis that restarted empty gets the whole schedule."""
    with app.app_context():
        for attempt in itertools.count():
            try:
                scheduler = PeriodicScheduler(connection=connection(), interval=interval)
                report = scheduler.reconcile()
                log.info("schedule reconciled: %s", {k: len(v) for k, v in report.items() if v})
                scheduler.run(burst=burst)
                return
            except LOST_REDIS as exc:
                if burst:  # one pass asked for: say it failed rather than wait
                    raise
                wait = RECONNECT_SECONDS[min(attempt, len(RECONNECT_SECONDS) - 1)]
                log.warning("scheduler: Redis is unreachable (%s); trying again in %s s", exc, wait)
                time.sleep(wait)


def run_worker(app: Flask, queue_names: Iterable[str], name: str | None = None, burst: bool = False) -> None:
    """Work the queues; when Redis goes away past what RQ's own retries cover, wait for it and start again (a job
    that was running is retried: its run log entry says it was abandoned)."""
    names = list(queue_names)
    for attempt in itertools.count():
        try:
            make_worker(app, names, name=name).work(burst=burst, with_scheduler=True)
            return
        except LOST_REDIS as exc:
            if burst:
                raise
            wait = RECONNECT_SECONDS[min(attempt, len(RECONNECT_SECONDS) - 1)]
            log.warning("worker: Redis is unreachable (%s); starting again in %s s", exc, wait)
            time.sleep(wait)


class AppContext:
    """Runs each job inside the app's context, on database connections of its own."""

    app: Flask

    def perform_job(self, job: Job, queue: Queue, *args: Any, **kwargs: Any) -> bool:
        with self.app.app_context(), logs.job_line(self.app, job.id, job.func_name or "", queue.name) as line:
            # A forked work horse must not share the connections it inherited from its parent.
            db.engine.dispose(close=False)
            try:
                done = bool(super().perform_job(job, queue, *args, **kwargs))  # type: ignore[misc]
            finally:
                database.end_session()
            line["outcome"] = "ok" if done else "retried" if job.get_status(refresh=False) in RETRYING else "failed"
            return done


class AppWorker(AppContext, Worker):
    """The production worker: a work horse forked per job, so a crash or a timeout kills only that job."""


def make_worker(
    app: Flask,
    queues: Iterable[str] = QUEUES,
    name: str | None = None,
    worker_class: type[Worker] = AppWorker,
    **options: Any,
) -> Worker:
    options.setdefault("job_monitoring_interval", app.config["WORKER_HEARTBEAT_SECONDS"])
    worker = worker_class(
        [Queue(q, connection=app_connection(app)) for q in queues], connection=app_connection(app), name=name, **options
    )
    worker.app = app  # type: ignore[attr-defined]
    _preload()
    return worker


def _preload() -> None:
    """Import every job's module once in the worker, so each forked work horse starts with them loaded."""
    for p in PERIODIC:
        resolve(p.func)


def app_connection(app: Flask) -> Redis:
    with app.app_context():
        return connection()


def depths() -> dict[str, tuple[int, int]]:
    """Each queue's jobs waiting and jobs failed for good (empty without Redis), for the health page."""
    redis = redis_client.connection()
    if redis is None:
        return {}
    return {
        name: (Queue(name, connection=redis).count, len(FailedJobRegistry(name, connection=redis))) for name in QUEUES
    }
