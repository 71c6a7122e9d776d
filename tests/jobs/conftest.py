"""Real worker and scheduler processes (`python worker.py`) on PostgreSQL and Redis.

They commit for real, so they get a database of their own (the test database's name + "_jobs",
migrated once, emptied before each test) and a Redis database of their own (TEST_REDIS_URL's
number minus three, flushed before each test). Without TEST_DATABASE_URL and TEST_REDIS_URL
these tests are skipped; CI sets both.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis
import sqlalchemy as sa
from flask import Flask
from sqlalchemy.engine import make_url

from app import config, create_app
from app.extensions import db

ROOT = Path(__file__).resolve().parents[2]
LOGS = ROOT / "instance" / "test-logs"


def _urls() -> tuple[str, str]:
    database, cache = os.environ.get("TEST_DATABASE_URL"), os.environ.get("TEST_REDIS_URL")
    if not database or not cache:
        if os.environ.get("CI"):  # .ci/run sets both: their absence there is a failure, not a skip
            pytest.fail("CI must set TEST_DATABASE_URL and TEST_REDIS_URL")
        pytest.skip(reason="worker processes need PostgreSQL and Redis: set TEST_DATABASE_URL and TEST_REDIS_URL")
    url = make_url(config.database_url(database))
    jobs_db = url.set(database=f"{url.database}_jobs")
    parts = urlsplit(cache)
    number = max(0, int(parts.path.strip("/") or "0") - 3)
    return jobs_db.render_as_string(hide_password=False), urlunsplit(parts._replace(path=f"/{number}"))


@pytest.fixture(scope="session")
def services() -> dict[str, str]:
    """DATABASE_URL and REDIS_URL for the processes: a migrated database and a Redis database of their own."""
    from flask_migrate import upgrade

    database, cache = _urls()
    url = make_url(database)
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": url.database}):
            conn.execute(sa.text(f'CREATE DATABASE "{url.database}"'))
    admin.dispose()
    app = create_app({"SQLALCHEMY_DATABASE_URI": database, "REDIS_URL": cache, "SCHEDULER": "off"})
    with app.app_context():
        with db.engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade()
        db.engine.dispose()
    return {"DATABASE_URL": database, "REDIS_URL": cache}


@pytest.fixture
def store(services: dict[str, str]) -> Iterator[Flask]:
    """The app the processes run, seen from the test: empty tables, empty Redis, no pinned clock."""
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": services["DATABASE_URL"],
            "REDIS_URL": services["REDIS_URL"],
            "CACHE_TYPE": "RedisCache",
            "CACHE_REDIS_URL": services["REDIS_URL"],
            "SCHEDULER": "off",
            "JOB_RETRY_INTERVALS": (1, 1, 1),
        }
    )
    client = redis.Redis.from_url(services["REDIS_URL"])
    client.flushdb()
    with app.app_context():
        tables = [t.name for t in reversed(db.metadata.sorted_tables)]
        with db.engine.begin() as conn:
            conn.execute(sa.text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        yield app
        db.session.remove()
        db.engine.dispose()
    client.flushdb()
    client.close()


class Processes:
    """Starts `python worker.py ...` with the test's services; stops every one at the end."""

    def __init__(self, services: dict[str, str], name: str) -> None:
        self.env = {
            **os.environ,
            **services,
            "PYTHONPATH": str(ROOT),
            "JOB_RETRY_INTERVALS": "1,1,1",
            "SECRET_KEY": "test",
        }
        for key in ("ODDS_API_KEY", "API_FOOTBALL_KEY", "RAPIDAPI_KEY", "FOOTBALL_DATA_KEY", "SENTRY_DSN"):
            self.env.pop(key, None)
        self.name = name
        self.started: list[subprocess.Popen[bytes]] = []

    def start(self, *args: str, **env: str) -> subprocess.Popen[bytes]:
        LOGS.mkdir(parents=True, exist_ok=True)
        log = open(LOGS / f"{self.name}-{len(self.started)}.log", "wb")  # noqa: SIM115 (closed with the process)
        process = subprocess.Popen(
            [sys.executable, "worker.py", *args],
            cwd=ROOT,
            env={**self.env, **env},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        self.started.append(process)
        return process

    def log(self, process: subprocess.Popen[bytes]) -> str:
        return (LOGS / f"{self.name}-{self.started.index(process)}.log").read_text(errors="replace")

    def stop_all(self) -> None:
        for process in self.started:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.started:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


@pytest.fixture
def processes(services: dict[str, str], request: pytest.FixtureRequest) -> Iterator[Processes]:
    procs = Processes(services, request.node.name.replace("[", "-").replace("]", ""))
    yield procs
    procs.stop_all()


def wait_for(condition: Callable[[], Any], what: str, timeout: float = 60.0, every: float = 0.1) -> Any:
    """Poll until `condition()` is truthy; fail saying what never happened."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    pytest.fail(f"gave up after {timeout:g} s waiting for {what}")
