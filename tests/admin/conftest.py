"""Signed-in admins and fans, and the runners a "Run now" is handed to, made watchable."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from rq.exceptions import NoSuchJobError
from rq.job import Job
from sqlalchemy import select

from app.extensions import db
from app.jobs import runs
from app.storage import redis_client
from tests.conftest import Auth, csrf_token_from
from tests.s3 import bucket, s3_credentials, s3_endpoint  # noqa: F401  (fixtures)

ADMIN = ("boss@example.com", "a long enough secret")
FAN = ("fan@example.com", "correct horse battery")


@pytest.fixture
def as_admin(client: FlaskClient, auth: Auth, make_user) -> FlaskClient:
    make_user(*ADMIN, admin=True)
    assert auth.login(*ADMIN).status_code == 303
    return client


@pytest.fixture
def as_fan(client: FlaskClient, auth: Auth, make_user) -> FlaskClient:
    make_user(*FAN)
    assert auth.login(*FAN).status_code == 303
    return client


def token(client: FlaskClient) -> str:
    return csrf_token_from(client.get("/admin/jobs").get_data(as_text=True))


class HeldThread:
    """Stands in for threading.Thread inside app.jobs.runs: keeps what submit() started until the test runs it.

    The test's database session lives on one connection, in a transaction rolled back at the end; a
    run's thread opens its own app context and so its own session, on that same connection. Held
    until the request that submitted it has answered, the two never use the connection at once.
    """

    def __init__(self, target: Callable[..., Any], args: tuple[Any, ...] = (), **options: Any) -> None:
        self.target, self.args, self.options = target, args, options
        self.started = False

    def start(self) -> None:
        self.started = True
        Runners.held.append(self)

    def run_now(self, timeout: float = 60.0) -> None:
        thread = threading.Thread(target=self.target, args=self.args, **self.options)
        thread.start()
        thread.join(timeout)
        assert not thread.is_alive(), f"thread {self.options.get('name')} still running after {timeout:.0f} s"


class Runners:
    """Where submit() handed each run: a held thread (embedded) or an RQ job (services)."""

    held: list[HeldThread] = []

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.redis = redis_client.connection()

    def thread_for(self, run_id: int) -> HeldThread:
        found = [t for t in self.held if t.args[1:] == (run_id,)]
        assert found, f"submit() started no thread for run {run_id}"
        return found[0]

    def rq_job(self, run_id: int) -> Job:
        return Job.fetch(f"run-{run_id}", connection=self.redis)

    def finish(self, run_id: int) -> None:
        """Do what the runner would: the thread runs it, or a worker performs the RQ job."""
        if self.redis is None:
            self.thread_for(run_id).run_now()
            return
        job = self.rq_job(run_id)
        with self.app.app_context():  # a worker's own context, so its own session
            job.func(*job.args)


@pytest.fixture
def runners(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[Runners]:
    Runners.held = []
    monkeypatch.setattr(runs, "threading", SimpleNamespace(Thread=HeldThread))
    watched = Runners(app)
    yield watched
    if watched.redis is not None:
        # Only the jobs of this test's runs (the only ones its transaction sees): others may share Redis.
        for run_id in db.session.scalars(select(runs.JobRun.id)):
            with contextlib.suppress(NoSuchJobError):
                watched.rq_job(run_id).delete()
