"""Scheduler and worker processes as production runs them: `python worker.py [--scheduler]`.

Recorded provider answers are served over real sockets; PostgreSQL and Redis are real. To catch a
job in the middle of its ingest, a test locks the provider_usage table, which a refresh reads
only after it has written its rows, just before it commits.
"""

from __future__ import annotations

import os
import signal
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis
import sqlalchemy as sa
from flask import Flask
from rq import Queue, Worker
from rq.job import Job, JobStatus
from sqlalchemy import select
from sqlalchemy.orm import aliased

from app.cli import seed_all
from app.extensions import db
from app.football.models import Match, Team
from app.jobs import queues, runs
from app.jobs.runs import JobRun
from app.jobs.schedule import PERIODIC, QUEUES
from app.odds.jobs import refresh_odds
from app.odds.models import Bookmaker, CurrentPrice, Market, OddsSnapshot
from app.providers.breaker import CircuitBreaker, RedisBreakerStore
from tests.jobs.conftest import Processes, wait_for
from tests.providers.conftest import ProviderServer, Reply, sample

ODDS = "/v4/sports/soccer_epl/odds"
QUOTA = {"x-requests-remaining": "480", "x-requests-used": "20", "x-requests-last": "2"}


@pytest.fixture
def odds_api() -> Iterator[dict[str, str]]:
    """The Odds API's recorded EPL prices on loopback; the settings that point a process at it."""
    server = ProviderServer()
    server.route(ODDS, body=sample("the-odds-api/odds_soccer_epl_h2h_uk__footballtipsters.json"), headers=QUOTA)
    yield {"ODDS_API_KEY": "k-test", "ODDS_API_BASE_URL": server.url + "/v4"}
    server.close()


def redis_of(app: Flask) -> redis.Redis:
    return redis.Redis.from_url(app.config["REDIS_URL"])


@contextmanager
def usage_table_locked(app: Flask) -> Iterator[sa.Connection]:
    """Hold provider_usage locked: a refresh then waits just before its commit, its rows written."""
    with app.app_context():
        conn = db.engine.connect()
        tx = conn.begin()
        conn.execute(sa.text("LOCK TABLE provider_usage IN ACCESS EXCLUSIVE MODE"))
        try:
            yield conn
        finally:
            tx.rollback()
            conn.close()


def waiting_writers(conn: sa.Connection) -> list[sa.Row]:
    """Other sessions of this database waiting for a lock, with their transaction id once they have written."""
    conn.execute(sa.text("SELECT pg_stat_clear_snapshot()"))  # activity is otherwise read once per transaction
    return list(
        conn.execute(
            sa.text(
                "SELECT pid, backend_xid FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            )
        )
    )


def horse_of(pid: int) -> int | None:
    """The work horse of a worker process: its child that leads a process group of its own."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    horses = [int(c) for c in children if _pgid(int(c)) == int(c)]
    return horses[0] if horses else None


def _pgid(pid: int) -> int | None:
    try:
        return os.getpgid(pid)
    except ProcessLookupError:
        return None


def rows(app: Flask) -> tuple[Counter, frozenset, int]:
    """What the database holds, without ids or times: snapshots, current prices, matches."""
    home, away = aliased(Team), aliased(Team)
    with app.app_context():
        base = (
            select(home.name, away.name, Bookmaker.key, Market.key)
            .join(Match, Match.home_team_id == home.id)
            .join(away, Match.away_team_id == away.id)
        )
        snapshots = Counter(
            tuple(r)
            for r in db.session.execute(
                base.add_columns(OddsSnapshot.outcome, OddsSnapshot.price)
                .join(OddsSnapshot, OddsSnapshot.match_id == Match.id)
                .join(Bookmaker, Bookmaker.id == OddsSnapshot.bookmaker_id)
                .join(Market, Market.id == OddsSnapshot.market_id)
            )
        )
        prices = frozenset(
            tuple(r)
            for r in db.session.execute(
                base.add_columns(CurrentPrice.outcome, CurrentPrice.price)
                .join(CurrentPrice, CurrentPrice.match_id == Match.id)
                .join(Bookmaker, Bookmaker.id == CurrentPrice.bookmaker_id)
                .join(Market, Market.id == CurrentPrice.market_id)
            )
        )
        matches = db.session.scalar(select(sa.func.count()).select_from(Match))
        db.session.remove()
    return snapshots, prices, matches


def clean_run(app: Flask, settings: dict[str, str]) -> tuple[Counter, frozenset, int]:
    """The same refresh once, undisturbed, in a database emptied first: what the end state must equal."""
    with app.app_context():
        tables = ", ".join(t.name for t in db.metadata.sorted_tables)
        with db.engine.begin() as conn:
            conn.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    from app import create_app

    runner = create_app(
        {
            **{k: v for k, v in app.config.items() if k.startswith(("SQLALCHEMY", "REDIS", "CACHE"))},
            "SCHEDULER": "off",
            "ODDS_API_KEY": settings["ODDS_API_KEY"],
            "ODDS_API_BASE_URL": settings["ODDS_API_BASE_URL"],
        }
    )
    redis_of(app).delete("betscore:lock:app.odds.jobs.refresh_odds:epl")
    with runner.app_context():
        assert refresh_odds("epl")["written"] > 0
        db.session.remove()
        db.engine.dispose()
    return rows(app)


def status(app: Flask, job_id: str) -> str:
    return Job.fetch(job_id, connection=redis_of(app)).get_status()


def test_a_scheduled_job_is_enqueued_by_the_scheduler_process_and_run_by_a_worker_process(store, processes):
    processes.start("--scheduler", "--interval", "1")
    processes.start("--queues", "live")

    def finished_live_run() -> JobRun | None:
        with store.app_context():
            run = db.session.scalar(select(JobRun).where(JobRun.name == "live", JobRun.state == "ok"))
            db.session.remove()
            return run

    run = wait_for(finished_live_run, "a scheduled 'live' run to finish")
    assert run.trigger == "schedule" and run.job_id.startswith("live-")
    job = Job.fetch(run.job_id, connection=redis_of(store))
    # The run log commits inside the job; RQ marks the job finished only after it returns.
    wait_for(lambda: job.get_status(refresh=True) == JobStatus.FINISHED, "RQ to mark the job finished")
    assert job.origin == "live"
    assert redis_of(store).hget(queues.LAST_JOB, "live") is not None


def test_two_schedulers_and_three_restarts_leave_one_entry_per_declared_job(store, processes: Processes):
    both = [processes.start("--scheduler", "--interval", "1") for _ in range(2)]
    wait_for(lambda: all("schedule reconciled" in processes.log(p) for p in both), "both schedulers to reconcile")
    for _ in range(3):
        restart = processes.start("--scheduler", "--burst")
        assert restart.wait(timeout=60) == 0, processes.log(restart)
    client = redis_of(store)
    held = sorted(m.decode() for m in client.zrange("rq:scheduler:scheduled_jobs", 0, -1))
    assert held == sorted(queues.TEMPLATE + queues.slug(p.id) for p in PERIODIC)
    # With no worker running, every due tick after the first found its job still waiting: one job per job.
    waiting = Counter(
        Job.fetch(i, connection=client).args[0] for q in QUEUES for i in Queue(q, connection=client).job_ids
    )
    interval_jobs = {p.id for p in PERIODIC if p.every is not None}
    assert set(waiting) == interval_jobs and set(waiting.values()) == {1}


def test_a_worker_killed_mid_ingest_leaves_no_partial_rows_and_the_retry_ends_as_a_clean_run(
    store, processes, odds_api
):
    worker = processes.start("--name", "doomed", **odds_api)
    with store.app_context():
        job_id = queues.enqueue("app.odds.jobs:refresh_odds", "epl", job_id="odds-epl-killed")
    with usage_table_locked(store) as conn:
        writer = wait_for(
            lambda: [w for w in waiting_writers(conn) if w.backend_xid is not None],
            "the ingest to have written its rows and wait to commit",
        )
        horse = wait_for(lambda: horse_of(worker.pid), "the work horse")
        os.kill(horse, signal.SIGKILL)
        wait_for(lambda: Job.fetch(job_id, connection=redis_of(store)).retries_left == 2, "the job to be retried")
        # The killed ingest's rows were never committed: nothing of it is visible.
        assert conn.execute(sa.text("SELECT count(*) FROM odds_snapshots")).scalar() == 0
        assert conn.execute(sa.text("SELECT count(*) FROM matches")).scalar() == 0
        assert writer
    wait_for(lambda: status(store, job_id) == JobStatus.FINISHED, "the retry to finish")
    after_retry = rows(store)
    assert after_retry[0] and after_retry == clean_run(store, odds_api)


def test_two_workers_given_the_same_refresh_at_once_one_runs_and_the_other_skips(store, processes, odds_api):
    for name in ("first", "second"):
        processes.start("--name", name, **odds_api)
    wait_for(lambda: len(Worker.all(connection=redis_of(store))) == 2, "both workers to start")
    with store.app_context():
        running = queues.enqueue("app.odds.jobs:refresh_odds", "epl", job_id="odds-epl-a")
    with usage_table_locked(store) as conn:
        wait_for(lambda: waiting_writers(conn), "the first refresh to be writing")
        with store.app_context():
            second = queues.enqueue("app.odds.jobs:refresh_odds", "epl", job_id="odds-epl-b")
        wait_for(lambda: status(store, second) == JobStatus.FINISHED, "the second refresh to give way")
        result = Job.fetch(second, connection=redis_of(store)).return_value()
        assert result["written"] == 0 and "already running" in result["skipped"]
        assert status(store, running) == JobStatus.STARTED
    wait_for(lambda: status(store, running) == JobStatus.FINISHED, "the first refresh to finish")
    assert Job.fetch(running, connection=redis_of(store)).return_value()["written"] > 0
    assert rows(store) == clean_run(store, odds_api)


def test_an_outage_fails_the_job_cleanly_it_is_retried_the_breaker_opens_and_the_next_provider_serves(store, processes):
    primary, backup = ProviderServer(), ProviderServer()
    down = Reply(status=503, body=b'{"message": "Service Unavailable"}')
    primary.route("/fixtures", down)
    # The backup is down too for the first attempt's three requests, then answers.
    backup.route(
        "/v4/competitions/PL/matches",
        down,
        down,
        down,
        Reply(body=sample("football-data/competitions_PL_matches_scheduled__taminororo.json")),
    )
    processes.start(
        API_FOOTBALL_KEY="af-test",
        API_FOOTBALL_BASE_URL=primary.url,
        FOOTBALL_DATA_KEY="fd-test",
        FOOTBALL_DATA_BASE_URL=backup.url + "/v4",
        BREAKER_THRESHOLD="2",
    )
    try:
        with store.app_context():
            run_id = runs.submit("fixtures:epl").id

        def finished(state: str) -> JobRun | None:
            with store.app_context():
                run = db.session.get(JobRun, run_id)
                db.session.remove()
                return run if run is not None and run.state == state else None

        failed = wait_for(lambda: finished("failed"), "the first attempt to fail", every=0.02)
        assert failed.attempt == 1 and "503" in failed.detail and rows(store)[2] == 0  # nothing half-written
        served = wait_for(lambda: finished("ok"), "the retry to be served")
        assert served.attempt == 2 and '"provider": "football-data"' in served.detail
        job = Job.fetch(f"run-{run_id}", connection=redis_of(store))
        assert job.retries_left == 2
        breaker = CircuitBreaker("api-football", RedisBreakerStore(redis_of(store)), threshold=2)
        assert breaker.state() == "open"
        calls_to_primary = len(primary.hits("/fixtures"))
        with store.app_context():
            again = runs.submit("fixtures:epl").id
        wait_for(lambda: finished("ok") and _state(store, again) == "ok", "a later run")
        assert len(primary.hits("/fixtures")) == calls_to_primary  # the open circuit sent nothing
    finally:
        primary.close()
        backup.close()


def _state(app: Flask, run_id: int) -> str | None:
    with app.app_context():
        run = db.session.get(JobRun, run_id)
        db.session.remove()
        return run.state if run else None


def test_a_worker_killed_mid_job_costs_that_run_only_the_next_tick_runs_it_again(store, processes):
    fast = {"WORKER_HEARTBEAT_SECONDS": "1", "JOB_ABANDONED_AFTER": "3"}
    with store.app_context():
        seed_all(0)  # the demo world's fixtures and prices: the odds job reads the board before it writes
        db.session.remove()
    processes.start("--scheduler", "--interval", "1", **fast)
    doomed = processes.start("--queues", "default", "--name", "doomed", **fast)
    with store.app_context():
        conn = db.engine.connect()
        tx = conn.begin()
        conn.execute(sa.text("LOCK TABLE current_prices IN ACCESS EXCLUSIVE MODE"))  # the odds job waits mid-ingest

        def stuck_odds_run() -> JobRun | None:
            with store.app_context():
                run = db.session.scalar(select(JobRun).where(JobRun.name == "odds", JobRun.state == "running"))
                db.session.remove()
                return run

        killed = wait_for(stuck_odds_run, "the odds run to start")
        wait_for(lambda: waiting_writers(conn), "the odds job to wait mid-ingest")
        horse = wait_for(lambda: horse_of(doomed.pid), "the work horse")
        for pid in (horse, doomed.pid):  # the worker and its work horse (a group of its own), as a lost machine
            os.killpg(pid, signal.SIGKILL)
        doomed.wait(timeout=30)
        tx.rollback()
        conn.close()
    processes.start("--queues", "default", "--name", "spare", **fast)

    def runs_of_odds() -> list[JobRun]:
        with store.app_context():
            found = list(db.session.scalars(select(JobRun).where(JobRun.name == "odds").order_by(JobRun.id)))
            db.session.remove()
            return found

    # The next tick (odds run every minute) sees the last job's worker silent, runs the job again, and the run log
    # says what became of the killed run.
    wait_for(lambda: any(r.state in ("ok", "partial") for r in runs_of_odds()), "a new odds run", timeout=150)
    earlier = next(r for r in runs_of_odds() if r.id == killed.id)
    assert earlier.state == "failed" and earlier.detail.startswith("abandoned")
