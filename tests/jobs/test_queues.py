"""The schedule in Redis (rq-scheduler), ticks, coalescing and retries, against a real Redis."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from redis import Redis
from rq import Queue, SimpleWorker
from rq.job import Job, JobStatus

from app.jobs import queues, schedule
from app.jobs.queues import TEMPLATE, PeriodicScheduler, fingerprint, slug
from app.jobs.schedule import Periodic
from app.providers.base import ProviderError
from app.storage import redis_client

T0 = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


@pytest.fixture
def redis(app: Flask) -> Iterator[Redis]:
    """The services backend's Redis, without any RQ state before or after the test."""
    if app.config["BACKEND"] != "services" or not app.config["REDIS_URL"]:
        pytest.skip(reason="RQ needs Redis: runs on the services backend (TEST_REDIS_URL)")
    client = redis_client.connection()
    assert client is not None

    def clear() -> None:
        for pattern in ("rq:*", "betscore:periodic:*", "betscore:lock:*"):
            keys = list(client.scan_iter(pattern))
            if keys:
                client.delete(*keys)

    clear()
    yield client
    clear()


def declared(*periodic: Periodic) -> PeriodicScheduler:
    return PeriodicScheduler(connection=redis_client.connection(), periodic=periodic)


def templates(redis: Redis) -> dict[str, float]:
    return {k.decode(): s for k, s in redis.zrange("rq:scheduler:scheduled_jobs", 0, -1, withscores=True)}


LIVE = Periodic("live", "tests.jobs.test_queues:ok", timedelta(seconds=30), queue="live")
NIGHTLY = Periodic("nightly", "tests.jobs.test_queues:ok", cron="0 2 * * *", queue="low")


def ok() -> dict:
    return {"written": 0}


def test_reconcile_adds_keeps_updates_and_removes_by_stable_id(redis):
    first = declared(LIVE, NIGHTLY).reconcile(now=T0)
    assert sorted(first["added"]) == ["live", "nightly"]
    assert templates(redis) == {
        "periodic-live": T0.timestamp(),
        "periodic-nightly": datetime(2026, 11, 26, 2, tzinfo=UTC).timestamp(),
    }
    again = declared(LIVE, NIGHTLY).reconcile(now=T0 + timedelta(minutes=5))
    assert again["kept"] == ["live", "nightly"] and not again["added"] and not again["updated"]
    assert templates(redis)["periodic-live"] == T0.timestamp()  # an unchanged job keeps its turn
    slower = Periodic("live", "tests.jobs.test_queues:ok", timedelta(seconds=60), queue="live")
    changed = declared(slower).reconcile(now=T0)
    assert changed == {"added": [], "updated": ["live"], "removed": ["nightly"], "kept": []}
    assert list(templates(redis)) == ["periodic-live"]
    assert Job.fetch("periodic-live", connection=redis).meta["fingerprint"] == fingerprint(slower)


def test_the_real_schedule_reconciled_twice_holds_one_template_per_job(redis):
    for _ in range(2):
        PeriodicScheduler(connection=redis).reconcile()
    assert sorted(templates(redis)) == sorted(TEMPLATE + slug(p.id) for p in schedule.PERIODIC)


def test_a_due_template_enqueues_a_job_of_its_own_and_moves_on(redis):
    scheduler = declared(LIVE)
    scheduler.reconcile(now=T0)
    scheduler.enqueue_jobs()
    waiting = Queue("live", connection=redis).job_ids
    assert len(waiting) == 1 and waiting[0].startswith("live-") and waiting[0] != "periodic-live"
    job = Job.fetch(waiting[0], connection=redis)
    assert job.func_name == "app.jobs.runs.run_periodic" and job.args == ("live",) and job.retries_left == 3
    assert templates(redis)["periodic-live"] > datetime.now(UTC).timestamp() + 25  # next turn in 30 s


def test_a_tick_whose_last_job_still_waits_is_coalesced(redis):
    scheduler = declared(LIVE)
    scheduler.reconcile(now=T0)
    template = Job.fetch("periodic-live", connection=redis)
    scheduler.enqueue_job(template)
    scheduler.enqueue_job(template)
    queue = Queue("live", connection=redis)
    assert queue.count == 1
    Job.fetch(queue.job_ids[0], connection=redis).set_status(JobStatus.FINISHED)
    queue.empty()
    scheduler.enqueue_job(template)
    assert queue.count == 1


def test_undeclared_templates_are_left_to_their_own_version(redis):
    declared(NIGHTLY).reconcile(now=T0)
    declared(LIVE).enqueue_job(Job.fetch("periodic-nightly", connection=redis))
    assert Queue("low", connection=redis).count == 0


class InProcess(queues.AppContext, SimpleWorker):
    """The production worker's app context without the fork: the test's database transaction stays usable."""


def explode_bug() -> dict:
    raise KeyError("a bug")


def explode_outage() -> dict:
    raise ProviderError("demo", "fixtures", "HTTP 503 after 3 attempts")


@pytest.mark.parametrize(
    ("func", "status", "retries_left"),
    [
        ("tests.jobs.test_queues:explode_outage", JobStatus.SCHEDULED, 2),  # retried with backoff
        ("tests.jobs.test_queues:explode_bug", JobStatus.FAILED, 0),  # a retry would only repeat it
    ],
)
def test_transient_failures_are_retried_and_bugs_are_not(app, redis, monkeypatch, func, status, retries_left):
    monkeypatch.setattr(schedule, "PERIODIC", (*schedule.PERIODIC, Periodic("t", func, timedelta(minutes=1))))
    with app.app_context():
        job_id = queues.enqueue("app.jobs.runs:run_periodic", "t", job_id="t-1")
    queues.make_worker(app, ["default"], worker_class=InProcess).work(burst=True)
    job = Job.fetch(job_id, connection=redis)
    assert job.get_status() == status and job.retries_left == retries_left
    if status == JobStatus.FAILED:
        assert "KeyError: 'a bug'" in job.latest_result().exc_string  # inspectable, traceback and all
