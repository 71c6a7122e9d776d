"""The scheduler and a worker outlive a Redis outage: stopped under them, Redis comes back empty, and the schedule is
reconciled again and jobs run again without anyone restarting a process. Its own redis-server, real worker.py
processes, a SQLite file they share."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text

from tests.drills import RedisServer, spawn

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server (Debian's redis)")


class Drill:
    def __init__(self, tmp_path: Path) -> None:
        self.redis = RedisServer(tmp_path)
        self.database = f"sqlite:///{tmp_path / 'drill.db'}"
        self.env = {
            **os.environ,
            "REDIS_URL": self.redis.url,
            "DATABASE_URL": self.database,
            "SCHEDULER": "off",
            "JOB_RETRY_INTERVALS": "1,1,1",
        }
        self.logs = tmp_path
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        process = spawn([sys.executable, "worker.py", *args], self.env, self.logs / f"{name}.log")
        self.processes.append(process)
        return process

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(errors="replace")

    def finished_live_runs(self) -> int:
        engine = create_engine(self.database)
        try:
            with engine.connect() as connection:
                return int(
                    connection.execute(
                        select(func.count()).select_from(text("job_runs")).where(text("name = 'live' AND state = 'ok'"))
                    ).scalar_one()
                )
        finally:
            engine.dispose()


@pytest.fixture
def drill(tmp_path: Path) -> Iterator[Drill]:
    drill = Drill(tmp_path)
    drill.redis.start()
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app:create_app", "db", "upgrade"],
        cwd=ROOT,
        env=drill.env,
        check=True,
        capture_output=True,
    )
    try:
        yield drill
    finally:
        for process in drill.processes:
            process.terminate()
        for process in drill.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        if drill.redis.process is not None and drill.redis.process.poll() is None:
            drill.redis.stop()


def wait_until(condition, what: str, drill: Drill, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(
                f"{what} did not happen; scheduler log:\n{drill.log('scheduler')[-3000:]}\n"
                f"worker log:\n{drill.log('worker')[-3000:]}"
            )
        time.sleep(0.2)


def test_the_scheduler_and_a_worker_resume_by_themselves_when_redis_comes_back(drill):
    scheduler = drill.start("scheduler", "--scheduler", "--interval", "1")
    worker = drill.start("worker", "--queues", "live")
    wait_until(lambda: drill.finished_live_runs() >= 1, "a first scheduled live run", drill)

    drill.redis.stop()
    wait_until(lambda: "Redis is unreachable" in drill.log("scheduler"), "the scheduler noticing the outage", drill)
    assert scheduler.poll() is None and worker.poll() is None  # both wait for Redis instead of exiting

    drill.redis.start()  # empty: no schedule, no queues
    before = drill.finished_live_runs()
    wait_until(lambda: drill.finished_live_runs() > before, "a live run after Redis came back", drill)
    assert drill.log("scheduler").count("schedule reconciled") >= 2  # the whole schedule, declared again
    assert scheduler.poll() is None and worker.poll() is None
