"""Read replicas against a real streaming replica: a primary cluster of the test's own and a standby copied from it
with `pg_basebackup -R`, both on free ports. Reads of read-only pages go to the replica, writes to the primary; a
replica that is down or lagging is skipped, and a visitor who just wrote reads the primary."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Blueprint, Flask, current_app, jsonify, request
from flask.testing import FlaskClient
from flask_migrate import upgrade
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from app import config, create_app
from app.accounts.services import create_user
from app.extensions import cache, db
from app.football.models import Team
from app.storage import cache_keys, replicas
from tests.drills import PostgresCluster, free_port, postgres_bin
from tests.factories import make_match

needs_postgres = pytest.mark.skipif(
    postgres_bin() is None, reason="needs PostgreSQL's server programs (initdb, pg_ctl, pg_basebackup)"
)
PASSWORD = "correct horse battery staple"
CAUGHT_UP_WITHIN = 60  # seconds: a wait's bound, far past replication on loopback (milliseconds)

# A view of the test's own in a read blueprint: which server answered its reads, before and after it writes.
probe = replicas.reads_from_replicas(Blueprint("probe", __name__))


def _server() -> dict[str, Any]:
    port, standby = db.session.execute(sa.select(sa.func.inet_server_port(), sa.func.pg_is_in_recovery())).one()
    return {"port": port, "standby": standby}


@probe.route("/probe", methods=["GET", "POST"])
def where() -> Any:
    first = _server()
    if request.args.get("write"):  # "flush": written now; "add": pending, written by the next read's autoflush
        db.session.add(Team(name="Probe", short_name="PRB"))
        if request.args["write"] == "flush":
            db.session.flush()
    if request.args.get("stop"):
        current_app.config["STOP_REPLICA"]()
    return jsonify(first=first, then=_server())


@dataclass
class Servers:
    primary: PostgresCluster
    standby: PostgresCluster
    primary_url: str
    standby_url: str
    media: Path

    def sql(self, url: str, statement: str, **params: Any) -> Any:
        """One statement on one server, outside any app, committed."""
        engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
        try:
            with engine.begin() as connection:
                result = connection.execute(sa.text(statement), params)
                return result.scalar() if result.returns_rows else None
        finally:
            engine.dispose()

    def caught_up(self) -> None:
        """Wait until the standby has replayed everything committed on the primary so far: a commit of the test's
        own, seen there. (Not by comparing WAL positions: WAL that is not a commit, a page pruned say, may wait
        unsent on an idle primary, part of a record, for seconds.)"""
        mark = self.sql(self.primary_url, "INSERT INTO replica_marks DEFAULT VALUES RETURNING n")
        deadline = time.monotonic() + CAUGHT_UP_WITHIN
        while not self.sql(self.standby_url, "SELECT EXISTS (SELECT 1 FROM replica_marks WHERE n = :n)", n=mark):
            assert time.monotonic() < deadline, "the standby did not catch up"
            time.sleep(0.05)

    @contextmanager
    def paused(self) -> Iterator[None]:
        """The standby receives but replays nothing: it stays where it is while the primary moves on."""
        self.caught_up()
        self.sql(self.standby_url, "SELECT pg_wal_replay_pause()")
        try:
            yield
        finally:
            self.sql(self.standby_url, "SELECT pg_wal_replay_resume()")
            self.caught_up()

    @contextmanager
    def standby_stopped(self) -> Iterator[None]:
        self.standby.stop()
        try:
            yield
        finally:
            self.standby.start()


@pytest.fixture(scope="session")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    """A migrated primary and its streaming standby, for the whole run (a standby takes a second to make)."""
    if postgres_bin() is None:
        pytest.skip("needs PostgreSQL's server programs (initdb, pg_ctl, pg_basebackup)")
    primary = PostgresCluster()
    standby: PostgresCluster | None = None
    try:
        primary.start()
        url = config.database_url(primary.create_database("betscore"))
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "REDIS_URL": None, "SCHEDULER": "off"})
        with app.app_context():
            upgrade()
            db.session.execute(sa.text("CREATE TABLE replica_marks (n serial PRIMARY KEY)"))
            db.session.commit()
            db.engine.dispose()
        standby = PostgresCluster(standby_of=primary)
        standby.start()
        yield Servers(
            primary, standby, url, config.database_url(standby.url("betscore")), tmp_path_factory.mktemp("media")
        )
    finally:
        if standby is not None:
            standby.remove()
        primary.remove()


@pytest.fixture
def visitor(servers: Servers, tmp_path: Path) -> Iterator[Callable[..., FlaskClient]]:
    """A visitor of a new app on the primary with the standby as its replica (others may be added), checked on
    every request unless told otherwise, with no cache unless asked (every page reads the database); the standby
    caught up."""
    made: list[Flask] = []

    def make(
        max_lag: float = 3600, check: float = 0, extra_replicas: tuple[str, ...] = (), cache: bool = False
    ) -> FlaskClient:
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "replicas",
                "SQLALCHEMY_DATABASE_URI": servers.primary_url,
                "DATABASE_REPLICA_URLS": (servers.standby_url, *extra_replicas),
                "REPLICA_MAX_LAG_SECONDS": max_lag,
                "REPLICA_CHECK_SECONDS": check,
                "REDIS_URL": None,
                "SCHEDULER": "off",
                "CACHE_TYPE": "SimpleCache" if cache else "NullCache",
                "CACHE_NO_NULL_WARNING": True,
                "RATELIMIT_ENABLED": False,
                "WTF_CSRF_ENABLED": False,
                "SESSION_FILE_DIR": str(tmp_path / "sessions"),
                "MEDIA_ROOT": str(servers.media),
                "STOP_REPLICA": servers.standby.stop,
            }
        )
        app.register_blueprint(probe)
        made.append(app)
        servers.caught_up()
        return app.test_client()

    yield make
    for app in made:
        with app.app_context():
            db.engine.dispose()
        pool = replicas.replicas(app)
        assert pool is not None
        pool.dispose()


def add_match(app: Flask, home: str) -> int:
    """A match written outside any request: on the primary."""
    with app.app_context():
        match = make_match(datetime.now(UTC) + timedelta(days=1), home=home, away=f"{home} Visitors")
        db.session.commit()
        return match.id


def add_user(app: Flask, email: str) -> None:
    with app.app_context():
        create_user(email, PASSWORD)
        db.session.commit()


def sign_in_beside_a_match(servers: Servers, client: FlaskClient, home: str) -> int:
    """A new user signed in, and a new match, both on the replica too."""
    match_id = add_match(client.application, home)
    email = f"{home.split()[0].lower()}@example.com"
    add_user(client.application, email)
    servers.caught_up()
    assert client.post("/accounts/login", data={"email": email, "password": PASSWORD}).status_code == 303
    return match_id


def answered_by(client: FlaskClient, path: str = "/probe", method: str = "GET") -> int:
    response = client.open(path, method=method)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    body = response.get_json()
    assert body["first"] == body["then"], "a request's reads all come from one server"
    return int(body["first"]["port"])


def wrote_cookie(response: Any) -> str | None:
    return next(
        (header for header in response.headers.getlist("Set-Cookie") if header.startswith(replicas.COOKIE + "=")),
        None,
    )


@needs_postgres
def test_pages_read_from_the_replica(servers, visitor):
    client = visitor()
    match_id = add_match(client.application, "Streamed Rovers")
    servers.caught_up()
    assert answered_by(client) == servers.standby.port
    with servers.paused():
        servers.sql(servers.primary_url, "UPDATE teams SET name = 'Renamed Rovers' WHERE name = 'Streamed Rovers'")
        page = client.get(f"/matches/{match_id}").get_data(as_text=True)
        assert "Streamed Rovers" in page and "Renamed Rovers" not in page  # the replica's copy, behind the primary
        assert "Renamed Rovers" not in client.get(f"/matches/{match_id}/header").get_data(as_text=True)
    assert "Renamed Rovers" in client.get(f"/matches/{match_id}").get_data(as_text=True)


@needs_postgres
def test_other_requests_jobs_and_commands_use_the_primary(servers, visitor):
    client = visitor()
    app = client.application
    assert answered_by(client, method="POST") == servers.primary.port
    with app.app_context():  # a job or a CLI command
        assert _server() == {"port": servers.primary.port, "standby": False}
    with app.test_request_context("/probe"):  # a job rendering a page's fragment to push it (app/matches/push.py)
        assert _server()["port"] == servers.primary.port


@needs_postgres
@pytest.mark.parametrize("write", ["flush", "add"])
def test_a_request_that_wrote_reads_the_primary_after_and_its_writer_for_a_while(servers, visitor, write):
    client = visitor(max_lag=7, check=2)
    response = client.get(f"/probe?write={write}")
    body = response.get_json()
    assert body["first"]["port"] == servers.standby.port
    assert body["then"] == {"port": servers.primary.port, "standby": False}  # it reads what it wrote
    cookie = wrote_cookie(response)
    assert cookie is not None and "Max-Age=9" in cookie and "HttpOnly" in cookie
    assert answered_by(client) == servers.primary.port  # its next read, within the window
    client.delete_cookie(replicas.COOKIE)
    assert answered_by(client) == servers.standby.port


@needs_postgres
def test_a_write_goes_to_the_primary_and_reaches_the_replica(servers, visitor):
    client = visitor()
    email = "streamed@example.com"
    signed_up = client.post("/signup", data={"email": email, "password": PASSWORD, "confirm": PASSWORD})
    assert signed_up.status_code == 303 and wrote_cookie(signed_up) is not None
    count = "SELECT count(*) FROM users WHERE email = :email"
    assert servers.sql(servers.primary_url, count, email=email) == 1
    servers.caught_up()
    assert servers.sql(servers.standby_url, count, email=email) == 1


@needs_postgres
def test_a_visitor_who_just_wrote_reads_what_they_wrote(servers, visitor):
    client = visitor()
    match_id = sign_in_beside_a_match(servers, client, "Followed Athletic")
    with servers.paused():
        followed = client.post(f"/follows/match/{match_id}", data={"next": "/my"})
        assert followed.status_code == 303 and wrote_cookie(followed) is not None
        assert "Followed Athletic" in client.get("/my").get_data(as_text=True)  # from the primary
        client.delete_cookie(replicas.COOKIE)
        assert "Followed Athletic" not in client.get("/my").get_data(as_text=True)  # the replica has not the follow
    assert "Followed Athletic" in client.get("/my").get_data(as_text=True)  # now it has


@needs_postgres
def test_a_stopped_replica_is_skipped_and_pages_keep_answering(servers, visitor):
    dead = config.database_url(f"postgresql://postgres@127.0.0.1:{free_port()}/betscore")
    client = visitor(extra_replicas=(dead,))
    match_id = add_match(client.application, "Standing Rovers")
    servers.caught_up()
    assert {answered_by(client) for _ in range(8)} == {servers.standby.port}  # the dead one is never chosen
    with servers.standby_stopped():
        for path in ("/", f"/matches/{match_id}", f"/matches/{match_id}/odds", "/model", "/leagues/testleague"):
            assert client.get(path).status_code == 200, path
        assert answered_by(client) == servers.primary.port  # all replicas out: the primary
    servers.caught_up()
    assert answered_by(client) == servers.standby.port  # back in use at the next check


@needs_postgres
def test_a_replica_that_fails_to_connect_is_left_for_the_primary_before_anything_is_read(servers, visitor):
    client = visitor(check=3600)  # found usable once, not checked again: the request's own connection finds it gone
    assert answered_by(client) == servers.standby.port
    with servers.standby_stopped():
        assert answered_by(client) == servers.primary.port


@needs_postgres
def test_a_replica_lost_after_it_was_read_is_a_503_never_a_500(servers, visitor):
    client = visitor()
    try:
        response = client.get("/probe?stop=1")  # reads from the replica, which then stops
        assert response.status_code == 503 and response.headers["Retry-After"]
        assert "cannot reach its database" in response.get_data(as_text=True)
        assert answered_by(client) == servers.primary.port  # the next request does not try it
    finally:
        servers.standby.start()


@needs_postgres
def test_a_lagging_replica_is_skipped(servers, visitor):
    patient, strict = visitor(max_lag=3600), visitor(max_lag=0)
    with servers.paused():
        match_id = add_match(patient.application, "Late Wanderers")  # on the primary only; the standby waits
        assert patient.get(f"/matches/{match_id}").status_code == 404  # read on the replica
        assert strict.get(f"/matches/{match_id}").status_code == 200  # behind: skipped for the primary
        assert answered_by(strict) == servers.primary.port
    # Caught up, it is current however long ago the primary's last commit was: used even with no lag allowed.
    assert answered_by(strict) == servers.standby.port


@needs_postgres
def test_views_a_change_dropped_from_the_cache_are_not_refilled_from_a_replica_behind_it(servers, visitor):
    client = visitor(cache=True)
    app = client.application
    match_id = add_match(app, "Cached Rovers")
    servers.caught_up()
    assert "Cached Rovers" in client.get(f"/matches/{match_id}/header").get_data(as_text=True)  # cached now
    with servers.paused():
        with app.app_context():  # a job: its commit, then the views it changed dropped (app/jobs/job.py)
            db.session.execute(sa.update(Team).where(Team.name == "Cached Rovers").values(name="Renamed Rovers"))
            db.session.commit()
            cache_keys.changed(matches=[match_id])
        for _ in range(2):  # refilled from the primary, then read from the cache
            assert "Renamed Rovers" in client.get(f"/matches/{match_id}/header").get_data(as_text=True)
        assert answered_by(client) == servers.primary.port  # the replica has not replayed the change
    assert answered_by(client) == servers.standby.port


@needs_postgres
def test_a_fence_a_replica_cannot_read_leaves_the_request_to_the_primary(servers, visitor):
    client = visitor(cache=True)
    with client.application.app_context():
        cache.set(replicas.FENCE, "not a WAL position")
    assert answered_by(client) == servers.primary.port


@needs_postgres
def test_read_pages_do_not_write(servers, visitor):
    """The blueprints that read from replicas: none of their GET views writes (a write would set the cookie)."""
    client = visitor()
    match_id = sign_in_beside_a_match(servers, client, "Quiet Town")
    client.delete_cookie(replicas.COOKIE)
    pages = [
        "/",
        "/?day=2026-11-21",
        f"/matches/{match_id}",
        f"/matches/{match_id}/header",
        f"/matches/{match_id}/details",
        f"/matches/{match_id}/odds",
        f"/matches/{match_id}/prediction",
        "/leagues/testleague",
        "/model",
        "/settings/odds-format",
        "/settings/staking",
        "/my",
        "/follows/marks",
        f"/follows/match/{match_id}",
        "/bets",
        f"/bets/new?match={match_id}",
        "/bets/export.csv",
        "/bets/import",
    ]
    for path in pages:
        response = client.get(path)
        assert response.status_code in (200, 204), (path, response.status_code)
        assert wrote_cookie(response) is None, path
    assert answered_by(client) == servers.standby.port


@pytest.fixture
def replica_app(visitor: Callable[..., FlaskClient]) -> Flask:
    return visitor().application


@needs_postgres
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=st.text(max_size=60))
def test_a_cookie_that_is_not_a_recent_write_is_ignored(servers, replica_app, value):
    assume(not value.strip().lstrip("+-").replace("_", "").isdigit())  # a number might be a time in the window
    client = replica_app.test_client()
    client.set_cookie(replicas.COOKIE, value)
    assert answered_by(client) == servers.standby.port


@needs_postgres
def test_only_a_write_of_the_last_few_seconds_sends_reads_to_the_primary(servers, visitor):
    client = visitor(max_lag=10, check=5)
    now = math.ceil(time.time())
    for until, port in [
        (now + 14, servers.primary.port),
        (now - 1, servers.standby.port),  # over
        (now + 10_000, servers.standby.port),  # longer than any write's window: not ours
    ]:
        client.set_cookie(replicas.COOKIE, str(until))
        assert answered_by(client) == port, until


def test_replica_settings():
    settings_ = config.load(
        {
            "DATABASE_URL": "postgres://app@primary/db",
            "DATABASE_REPLICA_URLS": " postgres://app@replica-1/db, ,postgresql://app@replica-2/db",
            "REPLICA_MAX_LAG_SECONDS": "2.5",
        }
    )
    assert settings_["DATABASE_REPLICA_URLS"] == (
        "postgresql+psycopg2://app@replica-1/db",
        "postgresql+psycopg2://app@replica-2/db",
    )
    assert settings_["REPLICA_MAX_LAG_SECONDS"] == 2.5 and settings_["REPLICA_CHECK_SECONDS"] == 5
    assert config.load({})["DATABASE_REPLICA_URLS"] == ()


@pytest.mark.parametrize(
    "env, error",
    [
        ({"DATABASE_REPLICA_URLS": "postgres://r/db"}, "needs DATABASE_URL"),  # SQLite has no replicas
        ({"DATABASE_URL": "postgres://p/db", "DATABASE_REPLICA_URLS": "sqlite:///r.db"}, "postgres"),
        ({"REPLICA_MAX_LAG_SECONDS": "ten"}, "REPLICA_MAX_LAG_SECONDS"),
        ({"REPLICA_MAX_LAG_SECONDS": "-1"}, "REPLICA_MAX_LAG_SECONDS"),
        ({"REPLICA_CHECK_SECONDS": "nan"}, "REPLICA_CHECK_SECONDS"),
        ({"REPLICA_CHECK_SECONDS": "inf"}, "REPLICA_CHECK_SECONDS"),
    ],
)
def test_bad_replica_settings_are_refused_at_start(env, error):
    with pytest.raises(ValueError, match=error):
        config.load(env)
