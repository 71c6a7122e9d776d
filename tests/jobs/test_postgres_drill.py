"""Jobs retry through a PostgreSQL restart: a job that runs while the database is down fails as a passing failure,
RQ retries it with backoff, and once the database is back a retry succeeds and the run log says so, without anyone
restarting the worker. A PostgreSQL cluster and a redis-server of the test's own, a real worker.py process."""

from __future__ import annotations

import os
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis
import sqlalchemy as sa
from flask_migrate import upgrade
from rq.job import Job, JobStatus

from app import config, create_app
from app.jobs import queues
from tests.drills import PostgresCluster, RedisServer, postgres_bin, spawn

ROOT = Path(__file__).resolve().parents[2]
RETRIES = (1, 1, 2, 2, 4, 4, 8)  # seconds: the job is retried for about 20 s
pytestmark = pytest.mark.skipif(
    postgres_bin() is None or shutil.which("redis-server") is None,
    reason="needs PostgreSQL's server programs (initdb, pg_ctl) and redis-server",
)


class Drill:
    def __init__(self, tmp_path: Path) -> None:
        self.cluster = PostgresCluster()
        self.redis = RedisServer(tmp_path)
        self.log_path = tmp_path / "worker.log"
        self.database = ""

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def runs(self) -> list[tuple[str, int]]:
        """The run log's states and attempts, oldest first."""
        engine = sa.create_engine(self.database)
        try:
            with engine.connect() as connection:
                rows = connection.execute(sa.text("SELECT state, attempt FROM job_runs ORDER BY id"))
                return [(state, attempt) for state, attempt in rows]
        finally:
            engine.dispose()

    def wait(self, condition: Callable[[], bool], what: str, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                pytest.fail(f"{what} did not happen; worker log:\n{self.log()[-4000:]}")
            time.sleep(0.2)


@pytest.fixture
def drill(tmp_path: Path) -> Iterator[Drill]:
    drill = Drill(tmp_path)
    try:
        drill.cluster.start()
        drill.redis.start()
        drill.database = config.database_url(drill.cluster.create_database("drill"))
        app = create_app({"SQLALCHEMY_DATABASE_URI": drill.database, "REDIS_URL": drill.redis.url})
        with app.app_context():
            upgrade()
        yield drill
    finally:
        if drill.redis.process is not None and drill.redis.process.poll() is None:
            drill.redis.stop()
        drill.cluster.remove()


def test_a_job_that_meets_a_postgres_restart_is_retried_and_succeeds_when_it_is_back(drill):
    env = {
        **os.environ,
        "DATABASE_URL": drill.database,
        "REDIS_URL": drill.redis.url,
        "SCHEDULER": "off",
        "JOB_RETRY_INTERVALS": ",".join(map(str, RETRIES)),
    }
    worker = spawn([sys.executable, "worker.py", "--queues", "live"], env, drill.log_path)
    try:
        drill.cluster.stop()
        settings = {"SQLALCHEMY_DATABASE_URI": drill.database, "REDIS_URL": drill.redis.url}
        app = create_app({**settings, "JOB_RETRY_INTERVALS": RETRIES})
        with app.app_context():
            job_id = queues.enqueue("app.jobs.runs:run_periodic", "live", queue="live")
        connection = redis.Redis.from_url(drill.redis.url)
        job = Job.fetch(job_id, connection=connection)

        def retried() -> bool:
            job.refresh()
            return job.retries_left is not None and job.retries_left < len(RETRIES)

        drill.wait(retried, "a failed attempt while PostgreSQL is down")
        assert worker.poll() is None  # the worker outlives the outage

        drill.cluster.start()
        drill.wait(lambda: job.get_status(refresh=True) == JobStatus.FINISHED, "a retry once PostgreSQL is back")
        assert worker.poll() is None
    finally:
        worker.terminate()
        worker.wait(timeout=30)

    assert "OperationalError" in drill.log()  # the attempts that met the outage failed as the database's failure
    assert [state for state, _ in drill.runs()] == ["ok"]  # nothing could be written meanwhile; the retry wrote one
