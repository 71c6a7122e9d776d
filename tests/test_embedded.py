"""The embedded runner follows the declared schedule."""

from __future__ import annotations

from datetime import timedelta

from app.embedded import EmbeddedScheduler
from app.schedule import PERIODIC, Periodic

calls: list[str] = []


def record(name: str) -> dict:
    calls.append(name)
    return {"written": 0}


def explode() -> dict:
    raise RuntimeError("provider down")


def test_every_declared_job_has_a_unique_stable_id_and_resolves():
    from app.embedded import resolve

    ids = [p.id for p in PERIODIC]
    assert len(ids) == len(set(ids))
    for p in PERIODIC:
        assert callable(resolve(p.func))


def test_jobs_run_when_due_and_a_failure_does_not_stop_the_others(app):
    calls.clear()
    schedule = [
        Periodic("a", "tests.test_embedded:record", timedelta(seconds=10), ("a",)),
        Periodic("boom", "tests.test_embedded:explode", timedelta(seconds=10)),
        Periodic("b", "tests.test_embedded:record", timedelta(seconds=30), ("b",)),
    ]
    runner = EmbeddedScheduler(app, schedule)
    first = runner.run_pending(now=100.0)
    assert calls == ["a", "b"] and first["boom"] == "error: provider down"
    assert runner.run_pending(now=105.0) == {}
    runner.run_pending(now=111.0)
    assert calls == ["a", "b", "a"]
    runner.run_pending(now=131.0)
    assert calls == ["a", "b", "a", "a", "b"]


def test_the_thread_starts_and_stops(app):
    calls.clear()
    runner = EmbeddedScheduler(app, [Periodic("a", "tests.test_embedded:record", timedelta(hours=1), ("t",))],
                               tick=0.01)
    runner.start()
    runner.stop()
    assert calls == ["t"]
