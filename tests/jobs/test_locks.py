"""One refresh of a kind and target at a time, in Redis across processes or in memory embedded."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
import redis
from sqlalchemy import func, select

from app.extensions import db
from app.football.jobs import refresh_standings
from app.football.models import Competition, Season, Standing
from app.jobs import locks
from tests.drills import RedisServer

MINUTE = timedelta(minutes=1)
ROOT = Path(__file__).resolve().parents[2]


def test_a_held_lock_is_refused_to_others_and_free_again_after_the_block(app):
    with app.app_context():
        with (
            locks.exclusive("t:1", MINUTE, owner="a") as first,
            locks.exclusive("t:1", MINUTE, owner="b") as second,
            locks.exclusive("t:2", MINUTE) as other,
        ):
            assert (first, second, other) == (True, False, True)
        with locks.exclusive("t:1", MINUTE, owner="b") as later:
            assert later


def test_its_owner_takes_it_back_as_the_retry_of_a_killed_job_does(app):
    with (
        app.app_context(),
        locks.exclusive("t:1", MINUTE, owner="job-7") as first,
        locks.exclusive("t:1", MINUTE, owner="job-7") as retry,
    ):
        assert first and retry


def test_a_lock_expires_when_its_holder_never_let_go(app):
    with app.app_context(), locks.exclusive("t:1", timedelta(milliseconds=50), owner="dead"):
        time.sleep(0.15)
        with locks.exclusive("t:1", MINUTE, owner="next") as taken:
            assert taken


def test_a_refresh_already_running_elsewhere_is_skipped_and_writes_nothing(app):
    with app.app_context():
        db.session.execute(db.delete(Standing))
        db.session.commit()
        with locks.exclusive("app.football.jobs.refresh_standings:epl", MINUTE, owner="another-worker"):
            skipped = refresh_standings("epl")
            other_league = refresh_standings("laliga")
        assert skipped == {"skipped": "refresh_standings(epl) is already running elsewhere", "written": 0}
        assert other_league["written"] > 0
        assert _standings("epl") == 0
        assert refresh_standings("epl")["written"] > 0  # free again


def _standings(league: str) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Standing)
        .join(Season, Standing.season_id == Season.id)
        .join(Competition, Season.competition_id == Competition.id)
        .where(Competition.key == league)
    )


HOLDER = """
import sys, time
from datetime import timedelta
from app import create_app
from app.jobs import locks
app = create_app({"REDIS_URL": sys.argv[1], "SQLALCHEMY_DATABASE_URI": "sqlite://", "SCHEDULER": "off"})
with app.app_context(), locks.exclusive("t:lease", timedelta(milliseconds=600), owner="holder", renew=True) as held:
    print("held" if held else "refused", flush=True)
    time.sleep(600)
"""


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server (Debian's redis)")
def test_a_lease_is_kept_while_its_holder_lives_and_freed_soon_after_it_is_killed(tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, server.url], cwd=ROOT, stdout=subprocess.PIPE)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == b"held"
        client = redis.Redis.from_url(server.url)
        for _ in range(5):  # well past the lease's 600 ms: renewed by its holder
            time.sleep(0.5)
            assert client.get("betscore:lock:t:lease") == b"holder"
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=10)
        deadline = time.monotonic() + 10
        while client.exists("betscore:lock:t:lease"):
            assert time.monotonic() < deadline, "the dead holder's lease was never freed"
            time.sleep(0.05)
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()
        holder.stdout.close()  # type: ignore[union-attr]
        server.stop()
