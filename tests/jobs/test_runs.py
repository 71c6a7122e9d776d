"""The run log: what every run of a periodic job did, however it was started."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.jobs import locks, queues, runs
from app.jobs.runs import JobRun
from app.jobs.schedule import Periodic, find


def sweep() -> dict:
    return {"epl": {"written": 2}, "laliga": {"error": "demo.odds: HTTP 503"}}


def broken() -> dict:
    raise ValueError("bad payload")


def rows() -> list[JobRun]:
    return list(db.session.scalars(select(JobRun).order_by(JobRun.id)))


def test_a_run_records_its_outcome_rows_and_time(app):
    with app.app_context():
        summary = runs.run_scheduled(find("standings:epl"))
        [run] = rows()
        assert (run.name, run.trigger, run.state, run.attempt) == ("standings:epl", "schedule", "ok", 1)
        assert run.written == summary["written"] and run.seconds is not None and run.finished
        assert json.loads(run.detail)["provider"] == "demo" and json.loads(run.detail)["records"] == 20


def test_a_sweep_with_a_failed_target_is_partial_and_counts_what_the_others_wrote(app):
    with app.app_context():
        runs.run_scheduled(Periodic("odds-test", "tests.jobs.test_runs:sweep", timedelta(minutes=1)))
        [run] = rows()
        assert run.state == "partial" and run.written == 2 and "HTTP 503" in run.detail


def test_a_failure_is_recorded_with_its_traceback_then_raised_for_the_runner(app):
    with app.app_context():
        with pytest.raises(ValueError, match="bad payload"):
            runs.run_scheduled(Periodic("broken", "tests.jobs.test_runs:broken", timedelta(minutes=1)))
        [run] = rows()
        assert run.state == "failed" and "Traceback" in run.detail and "ValueError: bad payload" in run.detail


def test_a_refresh_running_elsewhere_makes_the_run_skipped(app):
    with app.app_context():
        with locks.exclusive("app.football.jobs.refresh_standings:epl", timedelta(minutes=1), owner="elsewhere"):
            runs.run_scheduled(find("standings:epl"))
        [run] = rows()
        assert run.state == "skipped" and run.written == 0


def test_the_retry_of_a_killed_attempt_closes_the_attempt_it_replaces(app, monkeypatch):
    monkeypatch.setattr(queues, "current_job_id", lambda: "standings-epl-1")
    with app.app_context():
        lost = JobRun(
            name="standings:epl",
            trigger="schedule",
            state="running",
            attempt=1,
            written=0,
            requests=0,
            credits=0,
            queued_at=datetime.now(UTC),
            job_id="standings-epl-1",
        )
        db.session.add(lost)
        db.session.commit()
        runs.run_scheduled(find("standings:epl"))
        first, retry = rows()
        assert first.state == "failed" and "stopped mid-run" in first.detail
        assert retry.state == "ok" and retry.job_id == "standings-epl-1"


def test_latest_and_next_runs(app, clock):
    with app.app_context():
        runs.run_scheduled(find("standings:epl"))
        runs.run_scheduled(find("standings:epl"))
        latest = runs.latest()
        assert list(latest) == ["standings:epl"] and latest["standings:epl"].id == rows()[-1].id
        due = runs.next_runs(clock.now)
        assert due["standings:epl"] == clock.now + timedelta(minutes=15)
        assert due["live"] == clock.now  # never run: due now
        assert due["cleanup"] == datetime(2026, 11, 22, 2, 0, tzinfo=UTC)


def test_runs_left_running_by_a_dead_process_are_marked_lost(app, clock):
    with app.app_context():
        for hours, state in ((7, "running"), (7, "queued"), (1, "running"), (8, "ok")):
            db.session.add(
                JobRun(
                    name="odds",
                    trigger="schedule",
                    state=state,
                    attempt=1,
                    written=0,
                    requests=0,
                    credits=0,
                    queued_at=clock.now - timedelta(hours=hours),
                )
            )
        db.session.commit()
        assert runs.mark_lost(timedelta(hours=6)) == 2
        assert [r.state for r in rows()] == ["failed", "failed", "running", "ok"]


def test_a_run_asked_for_while_redis_is_down_fails_at_once_saying_why(app, monkeypatch):
    with app.app_context():
        monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:1/0")  # nothing listens there
        monkeypatch.delitem(app.extensions, "betscore.redis", raising=False)
        try:
            run = runs.submit("standings:epl")
        finally:
            app.extensions.pop("betscore.redis", None)
        assert run.state == "failed" and run.finished and "Redis did not answer" in run.detail
