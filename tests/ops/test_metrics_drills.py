"""Drills with real processes and servers: Redis stopped mid-way, two processes adding up in one Redis, and /metrics
adding up gunicorn's workers (multiprocess mode)."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest
from flask_migrate import upgrade
from prometheus_client.parser import text_string_to_metric_families

from app.ops import metrics
from tests.drills import ROOT, WEB_SERVER, free_port, spawn
from tests.ops.conftest import clear_metrics, make_app, redis_url
from tests.web.test_redis_outage import outage  # noqa: F401  (the app on its own redis-server, seeded)

WINDOW = timedelta(minutes=5)
needs_redis_server = pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server (Debian's)")


@needs_redis_server
def test_with_redis_stopped_mid_way_requests_still_answer_and_the_outage_is_logged_once(outage, caplog) -> None:  # noqa: F811
    app, server = outage
    client = app.test_client()
    assert client.get("/").status_code == 200
    with app.app_context():
        assert metrics.totals("http.request", WINDOW) == {"": 1.0}

    server.stop()
    caplog.set_level(logging.INFO, logger="betscore.metrics")
    for page in ("/", "/model", "/leagues/epl", "/", "/model"):
        assert client.get(page).status_code == 200, page
    with app.app_context():
        assert metrics.totals("http.request", WINDOW) == {}  # unreadable: nothing, not an exception
        metrics.count("cache.get", outcome="hit")
    said = [r.getMessage() for r in caplog.records if r.name == "betscore.metrics"]
    assert len(said) == 1 and "Redis is down" in said[0]  # once for the outage, not once a request

    server.start()
    deadline = time.monotonic() + 30  # Redis is asked again a few seconds after the last failure
    while True:
        assert client.get("/model").status_code == 200
        with app.app_context():
            if metrics.totals("http.request", WINDOW, by="group").get("predictions"):
                break
        assert time.monotonic() < deadline, "the metrics did not come back with Redis"
        time.sleep(0.3)
    said = [r.getMessage() for r in caplog.records if r.name == "betscore.metrics"]
    assert said[1:] == ["metrics recorded again: Redis is back"]


WRITER = """
import sys
from app.ops import metrics
from tests.ops.conftest import make_app
app = make_app(sys.argv[1])
with app.app_context():
    for _ in range(50):
        metrics.count("drill.count", outcome="hit")
        metrics.observe("drill.ms", 30.0)
    metrics.gauge("drill.gauge", 2)
"""


def test_two_processes_add_up_in_redis() -> None:
    url = redis_url()
    if not url:
        pytest.skip(reason="processes add up in Redis: set TEST_REDIS_URL")
    clear_metrics(url)
    other = subprocess.Popen([sys.executable, "-c", WRITER, url], cwd=ROOT)
    app = make_app(url)
    with app.app_context():
        for _ in range(50):
            metrics.count("drill.count", outcome="hit")
            metrics.observe("drill.ms", 10.0)
        metrics.gauge("drill.gauge", 1)
        assert other.wait(timeout=60) == 0
        assert metrics.totals("drill.count", WINDOW) == {"": 100.0}
        figures = metrics.quantiles("drill.ms", WINDOW)[""]
        assert figures["count"] == 100 and figures["sum"] == pytest.approx(2000.0)
        assert sorted(metrics.gauges("drill.gauge").values()) == [1.0, 2.0]  # one per process


def _get(url: str, token: str | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"} if token else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def test_metrics_add_up_every_gunicorn_worker(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'web.db'}"
    with make_app(None, SQLALCHEMY_DATABASE_URI=database).app_context():
        upgrade()
    port, folder = free_port(), tmp_path / "prometheus"
    (folder).mkdir()
    (folder / "counter_1.db").write_bytes(b"stale")  # an earlier run's: the server's start removes it
    env = {
        **os.environ,
        "DATABASE_URL": database,
        "SECRET_KEY": "metrics-drill",
        "SCHEDULER": "off",
        "REDIS_URL": "",
        "BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
        "WEB_THREADS": "2",
        "RATELIMIT_ENABLED": "false",
        "METRICS_TOKEN": "drill-token",
        "PROMETHEUS_MULTIPROC_DIR": str(folder),
    }
    server = spawn(WEB_SERVER, env, tmp_path / "gunicorn.log")
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if _get(f"{base}/healthz")[0] == 200:
                    break
            except OSError:
                pass
            assert server.poll() is None and time.monotonic() < deadline, (tmp_path / "gunicorn.log").read_text()
            time.sleep(0.2)
        served = 1 + sum(_get(f"{base}/offline")[0] == 200 for _ in range(40))  # each on a new connection
        status, text = _get(f"{base}/metrics", "drill-token")
        assert status == 200, text
        assert _get(f"{base}/metrics", "wrong")[0] == 401
    finally:
        server.terminate()
        server.wait(timeout=30)
    families = {f.name: f for f in text_string_to_metric_families(text)}
    counts = {
        s.labels["group"]: s.value
        for s in families["betscore_http_request_duration_seconds"].samples
        if s.name.endswith("_count") and s.labels["status"] == "2xx"
    }
    workers = {p.stem.rpartition("_")[2] for p in folder.glob("counter_*.db")}  # made as each worker imports the app
    assert len(workers) == 2 and "1" not in workers  # the stale file went with the server's start
    assert counts["site"] == served  # every worker's requests, whichever worker served each
