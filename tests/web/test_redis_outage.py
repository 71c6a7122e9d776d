"""Redis down is a degraded mode: pages render from the database, limits count in-process, /healthz answers and
/readyz says what is down; when Redis is back, so are the caches. The drill runs its own redis-server."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade

from app import config, create_app
from app.extensions import cache, db
from app.football.models import Match
from app.storage import cache_keys
from tests.conftest import NOW, Clock
from tests.drills import RedisServer

pytestmark = pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server (Debian's redis)")


@pytest.fixture
def outage(tmp_path: Path) -> Iterator[tuple[Flask, RedisServer]]:
    """The app as production configures it with Redis (config.load), on SQLite, seeded, and its own redis-server."""
    server = RedisServer(tmp_path)
    server.start()
    settings = config.load({"REDIS_URL": server.url, "DATABASE_URL": f"sqlite:///{tmp_path / 'outage.db'}"})
    app = create_app(
        {
            **settings,
            "TESTING": True,
            "SECRET_KEY": "t",
            "SCHEDULER": "off",
            "CLOCK": Clock(NOW),
            "SEED_HISTORY_HOURS": 0,
        }
    )
    with app.app_context():
        from app.cli import seed_all

        upgrade()
        seed_all(0)
    try:
        yield app, server
    finally:
        with app.app_context():
            db.engine.dispose()
        if server.process is not None and server.process.poll() is None:
            server.stop()


def test_with_redis_down_pages_render_from_the_database_and_readyz_says_what_is_down(outage):
    app, server = outage
    client = app.test_client()
    with app.app_context():
        match_id = db.session.scalar(db.select(Match.id).where(Match.status == "scheduled").limit(1))
    pages = ["/", f"/matches/{match_id}", f"/matches/{match_id}/odds", "/leagues/epl", "/model"]
    before = {page: client.get(page).get_data(as_text=True) for page in pages}
    assert client.get("/readyz").get_json() == {
        "status": "ready",
        "database": "ok",
        "migrations": "current",
        "redis": "ok",
    }

    server.stop()
    for _ in range(3):  # more than once: the first failure switches the cache to bypass, later ones never ask
        for page in pages:
            answer = client.get(page)
            assert answer.status_code == 200, (page, answer.status_code)
    shown = client.get(f"/matches/{match_id}").get_data(as_text=True)
    assert shown.count('class="book"') == before[f"/matches/{match_id}"].count('class="book"') > 0  # every price
    assert client.get("/healthz").status_code == 200
    ready = client.get("/readyz")
    assert ready.status_code == 503 and ready.headers["Retry-After"] == "5"
    assert ready.get_json() == {
        "status": "degraded",
        "down": ["redis"],
        "database": "ok",
        "migrations": "current",
        "redis": "unreachable",
    }

    server.start()
    assert client.get("/readyz").status_code == 200

    def cached_again() -> bool:
        client.get(f"/matches/{match_id}")
        with app.app_context():
            return cache.get(cache_keys.match_key(match_id)) is not None

    deadline = time.monotonic() + 30  # the cache tries Redis again a few seconds after its last failure
    while not cached_again():
        assert time.monotonic() < deadline, "the cache did not come back with Redis"
        time.sleep(0.2)
