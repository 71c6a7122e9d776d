"""One refresh of a kind and target at a time, in Redis across processes or in memory embedded."""

from __future__ import annotations

import time
from datetime import timedelta

from sqlalchemy import func, select

from app.extensions import db
from app.football.jobs import refresh_standings
from app.football.models import Competition, Season, Standing
from app.jobs import locks

MINUTE = timedelta(minutes=1)


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
