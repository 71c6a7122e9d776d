"""A socket flood on the web tier: under the production server configuration (gunicorn.conf.py, gthread), sockets
may take at most half of a worker's threads, so pages and the health check are answered however many are opened."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.drills import WEB_SERVER, free_port, spawn
from tests.live.conftest import Client, close_quietly, closed_with, receive, wait_for

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
THREADS = 4  # one worker of 4 threads: sockets may hold 2 of them


def answers(url: str) -> int:
    """The status of a GET, within 10 s (a starved server would leave it hanging)."""
    with urllib.request.urlopen(url, timeout=10) as response:
        return int(response.status)


@pytest.fixture
def web_tier(tmp_path: Path) -> Iterator[str]:
    """gunicorn with the production configuration on a migrated SQLite file, one worker, until the test ends."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'flood.db'}",
        "BETSCORE_ENV": "production",
        "SECRET_KEY": "flood-test",
        "SCHEDULER": "off",
        "REDIS_URL": "",
        "BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
        "WEB_THREADS": str(THREADS),
        "LIVE_PING_SECONDS": "0",
    }
    env.pop("WEB_MAX_SOCKETS", None)  # as gunicorn.conf.py sets it, from its threads
    subprocess.run(
        [str(BIN / "flask"), "--app", "app:create_app", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    server = spawn(WEB_SERVER, env, tmp_path / "gunicorn.log")
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: _up(base), lambda: (tmp_path / "gunicorn.log").read_text(errors="replace"), timeout=60)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)


def _up(base: str) -> bool:
    try:
        return answers(f"{base}/healthz") == 200
    except OSError:
        time.sleep(0.2)
        return False


def test_a_flood_of_sockets_leaves_pages_and_the_health_check_answered(web_tier):
    url = web_tier.replace("http://", "ws://") + "/live?topics=match:1"
    held: list[Client] = []
    try:
        for _ in range(12):
            held.append(Client.connect(url))
        # Half of the worker's threads took sockets; every later socket was told the server is full.
        for ws in held[: THREADS // 2]:
            assert receive(ws)["subscribed"] == ["match:1"]
        refused = [closed_with(ws) for ws in held[THREADS // 2 :]]
        assert refused == [(1013, "server full (2 connections): try again later")] * (12 - THREADS // 2)
        for _ in range(5):  # the two sockets still hold their threads: the rest serve pages
            assert answers(f"{web_tier}/healthz") == 200
            assert answers(f"{web_tier}/") == 200
    finally:
        for ws in held:
            close_quietly(ws)
