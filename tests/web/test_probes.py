"""The probes: /healthz asks nothing but the process (the platform's liveness check and the image's HEALTHCHECK),
/readyz says whether this machine can serve: the database answers and is migrated to the code's head, Redis answers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import event

from app import config, create_app
from app.extensions import db
from tests.drills import free_port

SETTINGS = {
    "TESTING": True,
    "SCHEDULER": "off",
    "SECRET_KEY": "test",
    "CACHE_TYPE": "SimpleCache",
    "RATELIMIT_STORAGE_URI": "memory://",
    "REDIS_URL": None,
}


def _app(uri: str, tmp_path: Path) -> Flask:
    return create_app({**SETTINGS, "SQLALCHEMY_DATABASE_URI": uri, "SESSION_FILE_DIR": str(tmp_path / "sessions")})


@pytest.fixture
def unmigrated(tmp_path: Path) -> Iterator[Flask]:
    application = _app(f"sqlite:///{tmp_path / 'fresh.db'}", tmp_path)
    yield application
    with application.app_context():
        db.engine.dispose()


def test_readyz_on_a_migrated_database_is_ready_and_never_cached(client):
    answer = client.get("/readyz")
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["status"] == "ready" and body["database"] == "ok" and body["migrations"] == "current"
    assert body["redis"] in ("ok", "not configured")
    assert answer.headers["Cache-Control"] == "no-store"


def test_healthz_runs_no_query(app, client):
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        assert client.get("/healthz").get_json() == {"status": "ok"}
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert statements == []


def test_readyz_before_the_migrations_ran_says_behind(unmigrated):
    answer = unmigrated.test_client().get("/readyz")
    assert answer.status_code == 503 and answer.headers["Retry-After"] == "5"
    assert answer.get_json() == {
        "status": "unavailable",
        "down": ["migrations"],
        "database": "ok",
        "migrations": "behind",
        "redis": "not configured",
    }
    assert unmigrated.test_client().get("/healthz").status_code == 200


def test_readyz_one_migration_short_says_behind_then_ready_once_upgraded(unmigrated):
    with unmigrated.app_context():
        upgrade(revision="0013")
    assert unmigrated.test_client().get("/readyz").get_json()["migrations"] == "behind"
    with unmigrated.app_context():
        upgrade()
    answer = unmigrated.test_client().get("/readyz")
    assert answer.status_code == 200 and answer.get_json()["migrations"] == "current"


def test_with_no_database_healthz_answers_and_readyz_says_unavailable(tmp_path):
    # Nothing listens on the port: connections are refused at once.
    application = _app(config.database_url(f"postgresql://postgres@127.0.0.1:{free_port()}/nothing"), tmp_path)
    client = application.test_client()
    assert client.get("/healthz").get_json() == {"status": "ok"}
    answer = client.get("/readyz")
    assert answer.status_code == 503
    assert answer.get_json() == {
        "status": "unavailable",
        "down": ["database"],
        "database": "unreachable",
        "migrations": "unknown",
        "redis": "not configured",
    }
    with application.app_context():
        db.engine.dispose()
