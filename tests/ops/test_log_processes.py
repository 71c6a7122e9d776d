"""The production processes' output, every line of it JSON: gunicorn (its own lines through the app's handler, by
logconfig_dict) with a line per request, and `python worker.py` (RQ's lines too) with a line per job."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis as redis_py
import requests
from rq import Queue

from tests.drills import WEB_SERVER, free_port, spawn

PRODUCTION = {"BETSCORE_ENV": "production", "SECRET_KEY": "a production secret, long enough", "SCHEDULER": "off"}


def environment(tmp_path: Path, **env: str) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("LOG_", "BETSCORE_", "SENTRY_", "ACCESS_LOG"))}
    return {**clean, "DATABASE_URL": f"sqlite:///{tmp_path / 'logs.db'}", "REDIS_URL": "", **PRODUCTION, **env}


def json_lines(log: Path) -> list[dict]:
    """Every line of the output parsed: a line that is not JSON fails the test here."""
    return [json.loads(line) for line in log.read_text().splitlines() if line.strip()]


def test_gunicorn_writes_its_lines_and_a_line_per_request_as_json(tmp_path):
    port = free_port()
    env = environment(tmp_path, BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY="1", WEB_THREADS="2")
    log = tmp_path / "gunicorn.log"
    server = spawn(WEB_SERVER, env, log)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                answer = requests.get(
                    f"http://127.0.0.1:{port}/static/app.css", headers={"X-Request-ID": "gunicorn-0001"}, timeout=5
                )
                break
            except requests.ConnectionError:
                assert server.poll() is None and time.monotonic() < deadline, log.read_text()
                time.sleep(0.2)
        assert answer.status_code == 200 and answer.headers["X-Request-ID"] == "gunicorn-0001"
    finally:
        server.terminate()
        server.wait(timeout=30)
    lines = json_lines(log)
    assert any(d["logger"] == "gunicorn.error" and d["message"].startswith("Booting worker") for d in lines)
    [line] = [d for d in lines if d["logger"] == "betscore.request"]
    assert (
        line["request_id"] == "gunicorn-0001" and line["status"] == 200 and line["route"] == "/static/<path:filename>"
    )
    assert {"time", "level", "logger", "message"} <= set(line)


def test_the_worker_writes_rq_lines_and_a_line_per_job_as_json(tmp_path):
    cache = os.environ.get("TEST_REDIS_URL")
    if not cache:
        pytest.skip(reason="the worker needs Redis: set TEST_REDIS_URL")
    parts = urlsplit(cache)  # the worker processes' Redis database (tests/jobs/conftest.py): TEST_REDIS_URL's minus 3
    url = urlunsplit(parts._replace(path=f"/{max(0, int(parts.path.strip('/') or '0') - 3)}"))
    client = redis_py.Redis.from_url(url)
    client.flushdb()
    job = Queue("default", connection=client).enqueue("app.jobs.queues.noop")
    log = tmp_path / "worker.log"
    worker = spawn([sys.executable, "worker.py", "--burst"], environment(tmp_path, REDIS_URL=url), log)
    try:
        assert worker.wait(timeout=120) == 0, log.read_text()
    finally:
        client.flushdb()
        client.close()
    lines = json_lines(log)
    assert any(d["logger"].startswith("rq.") for d in lines)
    [line] = [d for d in lines if d["logger"] == "betscore.job"]
    assert line["job_id"] == job.id and line["outcome"] == "ok" and line["job"] == "app.jobs.queues.noop"
