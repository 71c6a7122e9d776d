"""PostgreSQL restarts under load: while it is down, requests fail fast with a 503 that says to come back (and
Retry-After), never a 500 or a hang; when it is back, the same server processes answer again, nobody restarting
them. The production server (gunicorn.conf.py) on a PostgreSQL cluster of the test's own, stopped and started."""

from __future__ import annotations

import os
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask_migrate import upgrade

from app import config, create_app
from app.extensions import db
from tests.drills import WEB_SERVER, PostgresCluster, free_port, postgres_bin, spawn
from tests.factories import make_match

ROOT = Path(__file__).resolve().parents[2]
CLIENT_TIMEOUT = 20  # seconds: far past the app's own bound (DATABASE_CONNECT_TIMEOUT, DATABASE_POOL_TIMEOUT)

pytestmark = pytest.mark.skipif(postgres_bin() is None, reason="needs PostgreSQL's server programs (initdb, pg_ctl)")


@dataclass
class Answer:
    url: str
    status: int  # 0: no answer within CLIENT_TIMEOUT, or the connection failed
    retry_after: str | None
    body: str


def get(url: str) -> Answer:
    try:
        with urllib.request.urlopen(url, timeout=CLIENT_TIMEOUT) as response:
            return Answer(url, response.status, response.headers.get("Retry-After"), response.read().decode())
    except urllib.error.HTTPError as error:
        return Answer(url, error.code, error.headers.get("Retry-After"), error.read().decode(errors="replace"))
    except OSError as error:  # a timeout or a refused connection: what must not happen
        return Answer(url, 0, None, repr(error))


@dataclass
class WebTier:
    base: str
    log: Path
    match_ids: list[int]
    cluster: PostgresCluster

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


@pytest.fixture
def web_tier(tmp_path: Path) -> Iterator[WebTier]:
    cluster = PostgresCluster()
    try:
        cluster.start()
        database = config.database_url(cluster.create_database("drill"))
        app = create_app({"SQLALCHEMY_DATABASE_URI": database, "REDIS_URL": None, "SCHEDULER": "off"})
        with app.app_context():
            upgrade()
            kickoff = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
            ids = [make_match(kickoff, home=f"Home {n}", away=f"Away {n}").id for n in range(12)]
            db.engine.dispose()
        port = free_port()
        env = {
            **os.environ,
            "DATABASE_URL": database,
            "BETSCORE_ENV": "production",
            "SECRET_KEY": "postgres-drill",
            "SCHEDULER": "off",
            "REDIS_URL": "",
            "BIND": f"127.0.0.1:{port}",
            "WEB_CONCURRENCY": "1",
            "WEB_THREADS": "4",
            "RATELIMIT_ENABLED": "false",  # the drill's own load is not what is measured
        }
        log_path = tmp_path / "gunicorn.log"
        server = spawn(WEB_SERVER, env, log_path)
        try:
            tier = WebTier(f"http://127.0.0.1:{port}", log_path, ids, cluster)
            deadline = time.monotonic() + 60
            while get(f"{tier.base}/healthz").status != 200:
                assert server.poll() is None and time.monotonic() < deadline, tier.log_text()
                time.sleep(0.2)
            yield tier
        finally:
            server.terminate()
            server.wait(timeout=30)
    finally:
        cluster.remove()


def test_a_postgres_restart_under_load_answers_503_fast_then_recovers_without_a_restart(web_tier):
    base, ids = web_tier.base, web_tier.match_ids
    pages = [f"{base}/matches/{ids[0]}", f"{base}/matches/{ids[0]}/odds", f"{base}/leagues/testleague", f"{base}/model"]
    for url in pages:
        assert get(url).status == 200, url
    answers: list[Answer] = []
    stop = threading.Event()

    def load() -> None:
        while not stop.is_set():
            answers.extend(get(url) for url in pages)

    clients = [threading.Thread(target=load) for _ in range(4)]
    for client in clients:
        client.start()
    try:
        time.sleep(1)
        web_tier.cluster.stop()
        down = [get(f"{base}/matches/{match_id}") for match_id in ids[1:6]]  # never read: nothing cached
        ready, health = get(f"{base}/readyz"), get(f"{base}/healthz")
        time.sleep(2)
        web_tier.cluster.start()
        deadline = time.monotonic() + 60
        while not all(get(url).status == 200 for url in pages):
            assert time.monotonic() < deadline, f"pages did not come back:\n{web_tier.log_text()[-3000:]}"
            time.sleep(0.5)
    finally:
        stop.set()
        for client in clients:
            client.join(timeout=60)

    for answer in down:
        assert answer.status == 503, (answer.url, answer.status, answer.body[-500:])
        assert "cannot reach its database" in answer.body
        assert answer.retry_after and int(answer.retry_after) > 0
    assert ready.status == 503 and '"database":"unreachable"' in ready.body.replace(" ", "")
    # The platform's check keeps the machine in routing: visitors get the app's 503 page, not the platform's error.
    assert health.status == 200
    # Under the clients' load, each answer was a page or a 503 saying to come back: no 500, no timeout.
    log = web_tier.log_text()
    assert answers and {a.status for a in answers} <= {200, 503}, log[log.find("Traceback") - 500 :][:6000]
    assert all(a.retry_after for a in answers if a.status == 503)
    assert any(a.status == 503 for a in answers)
    # The same worker served before and after: it was not restarted (by a timeout or a crash).
    assert web_tier.log_text().count("Booting worker") == 1, web_tier.log_text()[-3000:]
    assert [get(f"{base}/matches/{match_id}").status for match_id in ids[1:6]] == [200] * 5
