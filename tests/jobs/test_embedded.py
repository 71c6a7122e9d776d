"""The embedded runner follows the declared schedule, and records every run in the run log."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from app.extensions import db
from app.jobs.embedded import EmbeddedScheduler
from app.jobs.runs import JobRun, resolve
from app.jobs.schedule import PERIODIC, Periodic

calls: list[str] = []
T0 = datetime(2026, 11, 25, 1, 59, 50, tzinfo=UTC)


def record(name: str) -> dict:
    calls.append(name)
    return {"written": 1}


def explode() -> dict:
    raise RuntimeError("provider down")


def test_every_declared_job_has_a_unique_stable_id_and_resolves():
    ids = [p.id for p in PERIODIC]
    assert len(ids) == len(set(ids))
    for p in PERIODIC:
        assert callable(resolve(p.func))


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_jobs_run_when_due_and_a_failure_does_not_stop_the_others(app):
    calls.clear()
    schedule = [
        Periodic("a", "tests.jobs.test_embedded:record", timedelta(seconds=10), ("a",)),
        Periodic("boom", "tests.jobs.test_embedded:explode", timedelta(seconds=10)),
        Periodic("b", "tests.jobs.test_embedded:record", timedelta(seconds=30), ("b",)),
        Periodic("nightly", "tests.jobs.test_embedded:record", args=("n",), cron="0 2 * * *"),
    ]
    runner = EmbeddedScheduler(app, schedule)
    first = runner.run_pending(now=at(0))
    assert calls == ["a", "b"] and first["boom"] == "error: provider down"
    assert runner.run_pending(now=at(5)) == {}
    runner.run_pending(now=at(11))  # 02:00:01: the cron job's turn came at 02:00
    assert calls == ["a", "b", "a", "n"]
    runner.run_pending(now=at(31))
    assert calls == ["a", "b", "a", "n", "a", "b"]
    assert runner.next_run["nightly"] == datetime(2026, 11, 26, 2, 0, tzinfo=UTC)


def test_each_run_is_recorded_with_its_outcome(app):
    runner = EmbeddedScheduler(
        app,
        [
            Periodic("a", "tests.jobs.test_embedded:record", timedelta(seconds=10), ("a",)),
            Periodic("boom", "tests.jobs.test_embedded:explode", timedelta(seconds=10)),
        ],
    )
    runner.run_pending(now=at(0))
    with app.app_context():
        rows = {r.name: r for r in db.session.scalars(select(JobRun))}
    assert rows["a"].state == "ok" and rows["a"].written == 1 and rows["a"].trigger == "schedule"
    assert rows["a"].started_at is not None and rows["a"].seconds is not None
    assert rows["boom"].state == "failed" and "RuntimeError: provider down" in rows["boom"].detail


def test_the_thread_starts_and_stops(app):
    calls.clear()
    runner = EmbeddedScheduler(
        app, [Periodic("a", "tests.jobs.test_embedded:record", timedelta(hours=1), ("t",))], tick=0.01
    )
    runner.start()
    runner.stop()
    assert calls == ["t"]
