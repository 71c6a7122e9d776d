"""Fixtures: the app on each backend, clients, sign-in actions, and a database rolled back per test.

Backends: `embedded` (SQLite file, in-process cache and limits) always; `services` (PostgreSQL, and
Redis for the cache and limits when TEST_REDIS_URL is set too) when TEST_DATABASE_URL is set, as CI
sets both. Every test that takes `app` runs once per backend.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from flask_sqlalchemy.session import _app_ctx_id
from sqlalchemy import orm

from app import config, create_app
from app.extensions import cache, db, limiter
from app.live.broadcast import wait_connected
from app.live.hub import Connection

# A Saturday afternoon in the demo world: matches finished, in play and to come.
NOW = datetime(2026, 11, 21, 15, 40, tzinfo=UTC)
SEED_HISTORY_HOURS = 6


class Clock:
    """A settable clock the app and the demo world both read."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def _backends() -> list[str]:
    wanted = ["embedded"]
    if os.environ.get("TEST_DATABASE_URL"):
        wanted.append("services")
    return wanted


IN_PROCESS = {"CACHE_TYPE": "SimpleCache", "RATELIMIT_STORAGE_URI": "memory://", "REDIS_URL": None}


def _settings(backend: str, tmp_path_factory: pytest.TempPathFactory) -> dict:
    base = {
        "TESTING": True,
        "SCHEDULER": "off",
        "SECRET_KEY": "test",
        "RATELIMIT_ENABLED": True,
        "SEED_HISTORY_HOURS": SEED_HISTORY_HOURS,
        # Embedded sessions are files: each test run keeps its own (with Redis they live there).
        "SESSION_FILE_DIR": str(tmp_path_factory.mktemp("sessions")),
        # Crests the seed draws are files of this test run, not of the working tree's instance/.
        "MEDIA_ROOT": str(tmp_path_factory.mktemp("media")),
    }
    if backend == "embedded":
        path = tmp_path_factory.mktemp("db") / "test.db"
        return {**base, **IN_PROCESS, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"}
    base["SQLALCHEMY_DATABASE_URI"] = config.database_url(os.environ["TEST_DATABASE_URL"])
    redis_url = os.environ.get("TEST_REDIS_URL")
    if not redis_url:
        return {**base, **IN_PROCESS}
    return {
        **base,
        "REDIS_URL": redis_url,
        "CACHE_TYPE": "app.storage.cache_backend.FailSoftRedisCache",
        "CACHE_REDIS_URL": redis_url,
        "RATELIMIT_STORAGE_URI": redis_url,
    }


def _fresh_schema(app: Flask) -> None:
    """Empty the database, then build it the way production does: with the migrations."""
    from flask_migrate import upgrade

    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade()


@pytest.fixture(scope="session")
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture(scope="session", params=_backends())
def app(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, clock: Clock) -> Iterator[Flask]:
    """One app per backend, migrated and seeded once with the demo world at NOW."""
    from app.cli import seed_all

    # Session fixtures are built before `_isolated` runs: a test before this one may have moved the clock.
    clock.now = NOW
    application = create_app({**_settings(request.param, tmp_path_factory), "CLOCK": clock})
    application.config["BACKEND"] = request.param
    _fresh_schema(application)
    with application.app_context():
        seed_all(SEED_HISTORY_HOURS)
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _isolated(request: pytest.FixtureRequest, clock: Clock) -> Iterator[None]:
    """Each test starts at NOW with empty caches and limits, and its writes are rolled back."""
    clock.now = NOW
    if "app" not in request.fixturenames:
        yield
        return
    application: Flask = request.getfixturevalue("app")
    with application.app_context():
        cache.clear()
        limiter.reset()
        connection = db.engine.connect()
        outer = connection.begin()
        original = db.session
        # Commits inside the code under test release a savepoint; the outer transaction is rolled back.
        # A plain SQLAlchemy session: Flask-SQLAlchemy's own picks the engine, ignoring `bind`.
        factory = orm.sessionmaker(bind=connection, join_transaction_mode="create_savepoint")
        db.session = orm.scoped_session(factory, scopefunc=_app_ctx_id)
        try:
            yield
        finally:
            db.session.remove()
            db.session = original
            outer.rollback()
            connection.close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def htmx(app: Flask) -> FlaskClient:
    """A client whose every request says it comes from htmx."""
    c = app.test_client()
    c.environ_base["HTTP_HX_REQUEST"] = "true"
    return c


def csrf_token_from(page: str) -> str:
    """The CSRF token a page carries, in its meta tag or in a form."""
    import re

    match = re.search(
        r'name="csrf-token" content="([^"]+)"|name="csrf_token" type="hidden" value="([^"]+)"'
        r'|name="csrf_token" value="([^"]+)"',
        page,
    )
    assert match, "page carries no CSRF token"
    return next(group for group in match.groups() if group)


class Auth:
    """Sign-in actions as a user performs them (CSRF included)."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def csrf(self, path: str = "/accounts/login") -> str:
        return csrf_token_from(self.client.get(path).get_data(as_text=True))

    def login(self, email: str, password: str):
        token = self.csrf()
        return self.client.post("/accounts/login", data={"email": email, "password": password, "csrf_token": token})

    def logout(self):
        return self.client.post("/accounts/logout", data={"csrf_token": self.csrf("/")})


@pytest.fixture
def auth(client: FlaskClient) -> Auth:
    return Auth(client)


@pytest.fixture
def make_user(app: Flask):
    from app.accounts.services import create_user

    def make(email: str = "fan@example.com", password: str = "correct horse battery", admin: bool = False):
        user = create_user(email, password, admin=admin)
        db.session.commit()
        return user

    return make


# --- listening to live pushes as a page would ------------------------------------------------


class SocketDouble:
    """What the hub needs of simple-websocket's server: the event its handler waits on."""

    def __init__(self) -> None:
        self.event = threading.Event()


class Listener:
    """A connection registered with the app's hub, as the socket route registers one."""

    def __init__(self, app: Flask, topics: list[str], variant: str = "decimal") -> None:
        self.hub = app.extensions["betscore.live"].hub
        self.conn = Connection(SocketDouble(), variant)
        assert self.hub.add(self.conn)
        for topic in topics:
            assert self.hub.subscribe(self.conn, topic)

    def drain(self, settle: float = 0.3) -> list[str]:
        """Everything delivered so far (through Redis on the services backend: wait for it to settle)."""
        deadline = time.monotonic() + settle
        while time.monotonic() < deadline:
            time.sleep(0.02)
        out = list(self.conn.outbox)
        self.conn.outbox.clear()
        return out

    def close(self) -> None:
        self.hub.remove(self.conn, 1000)


@pytest.fixture
def listen(app: Flask) -> Iterator[Callable[..., Listener]]:
    service = app.extensions["betscore.live"]
    service.ensure_started()
    assert wait_connected(service.broadcaster)
    made: list[Listener] = []

    def make(topics: list[str], variant: str = "decimal") -> Listener:
        made.append(Listener(app, topics, variant))
        return made[-1]

    yield make
    for listener in made:
        listener.close()


def controls(messages: list[str]) -> list[dict]:
    return [json.loads(m) for m in messages if m.startswith("{")]


class Browser(FlaskClient):
    """A browser of its own: each request in its own app context, as in production. The tests' shared app context
    would otherwise carry Flask-Login's user (kept on `g`) from one browser's request to another's."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)
