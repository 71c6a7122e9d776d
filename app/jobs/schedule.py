"""PERIODIC: the declarative list of periodic jobs, the one schedule every runner follows.

Both runners read it: the embedded thread (app/jobs/embedded.py) and, in production, rq-scheduler,
which app/jobs/queues.py reconciles with this list at start by each job's stable id.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from crontab import CronTab

from app.providers.catalog import LEAGUES

QUEUES = ("live", "default", "low")  # a worker takes from the first non-empty one, in this order


@dataclass(frozen=True)
class Periodic:
    id: str  # stable: runners reconcile by it, so restarts never duplicate a job
    func: str  # "module:function", imported by the runner
    every: timedelta | None = None  # an interval, or ...
    args: tuple[str, ...] = ()
    queue: str = "default"
    timeout: timedelta = timedelta(minutes=2)  # the job is stopped past it (and retried)
    # With a paid provider serving this capability, run at most this often (None: as the budget paces it).
    capability: str | None = None
    paid_every: timedelta | None = None
    cron: str | None = None  # ... a cron line in UTC ("0 2 * * *")
    # With a paid provider and no paid_every: "module:function" pacing the job by the calls left (refresh.budget).
    pace: str | None = None

    def __post_init__(self) -> None:
        if (self.every is None) == (self.cron is None):
            raise ValueError(f"{self.id}: give either an interval or a cron line")
        if self.queue not in QUEUES:
            raise ValueError(f"{self.id}: unknown queue {self.queue!r}")

    def next_after(self, instant: datetime) -> datetime:
        """When the job is next due after a run at `instant` (UTC)."""
        if self.every is not None:
            return instant + self.every
        assert self.cron is not None
        due: datetime = CronTab(self.cron).next(now=instant, default_utc=True, return_datetime=True, delta=False)
        return due

    @property
    def cadence(self) -> str:
        """How often it runs, as an admin reads it."""
        if self.cron is not None:
            return f"cron {self.cron} UTC"
        assert self.every is not None
        seconds = int(self.every.total_seconds())
        for unit, size in (("h", 3600), ("min", 60)):
            if seconds >= size and seconds % size == 0:
                return f"every {seconds // size} {unit}"
        return f"every {seconds} s"


def resolve(path: str) -> Callable[..., Any]:
    """Import "module:function": jobs are declared by name, so the schedule imports no feature."""
    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name)


def find(periodic_id: str) -> Periodic:
    """The declared job with this id (KeyError when none is declared)."""
    for p in PERIODIC:
        if p.id == periodic_id:
            return p
    raise KeyError(periodic_id)


# Paid plans: API-Football's 100 calls a day go to fixtures and tables four times a day per league
# (40), the season's results once (5), competitions once (1), and the rest to live scores, paced over the
# hours matches are played.
PERIODIC: tuple[Periodic, ...] = (
    Periodic(
        "competitions",
        "app.football.jobs:refresh_competitions",
        timedelta(hours=6),
        queue="low",
        capability="competitions",
        paid_every=timedelta(hours=24),
    ),
    Periodic(
        "live",
        "app.football.jobs:refresh_live",
        timedelta(seconds=30),
        queue="live",
        capability="live",
        pace="app.football.jobs:live_pace",
    ),
    *(
        Periodic(
            f"fixtures:{lg}",
            "app.football.jobs:refresh_fixtures",
            timedelta(minutes=30),
            (lg,),
            "low",
            capability="fixtures",
            paid_every=timedelta(hours=6),
        )
        for lg in LEAGUES
    ),
    # The season's earlier results, for the prediction model: they rarely change (a result corrected, a match
    # replayed), so once a day.
    *(
        Periodic(
            f"results:{lg}",
            "app.football.jobs:refresh_season_results",
            timedelta(hours=24),
            (lg,),
            "low",
            capability="fixtures",
            paid_every=timedelta(hours=24),
        )
        for lg in LEAGUES
    ),
    # Line-ups from an hour before kickoff, then events and statistics while played.
    Periodic(
        "details",
        "app.football.jobs:refresh_due_details",
        timedelta(minutes=1),
        queue="live",
        timeout=timedelta(minutes=4),
    ),
    # Every minute the planner decides which leagues are worth a request (all of them when prices are free);
    # it puts a capture inside the last minutes before each kickoff first.
    Periodic("odds", "app.odds.jobs:refresh_planned_odds", timedelta(minutes=1), timeout=timedelta(minutes=4)),
    # After kickoff: the last pre-kickoff price of every bookmaker becomes the closing line.
    Periodic("closing", "app.odds.jobs:capture_closing_lines", timedelta(minutes=1), queue="live"),
    *(
        Periodic(
            f"standings:{lg}",
            "app.football.jobs:refresh_standings",
            timedelta(minutes=15),
            (lg,),
            "low",
            capability="standings",
            paid_every=timedelta(hours=6),
        )
        for lg in LEAGUES
    ),
    # The prediction model refitted per league on what the database holds; predictions published for the week.
    *(
        Periodic(f"predictions:{lg}", "app.predictions.jobs:refresh_predictions", timedelta(hours=1), (lg,), "low")
        for lg in LEAGUES
    ),
    # At kickoff a match's latest prediction is frozen; after the final whistle it is scored.
    Periodic("settle", "app.predictions.jobs:settle_predictions", timedelta(minutes=2), queue="live"),
    # Crests and badges not stored yet: each fetched once from its provider's image host (drawn, in the demo world).
    Periodic(
        "crests", "app.media.jobs:refresh_crests", timedelta(minutes=10), queue="low", timeout=timedelta(minutes=6)
    ),
    Periodic("cleanup", "app.jobs.cleanup:nightly", cron="0 2 * * *", queue="low", timeout=timedelta(minutes=30)),
    # The database dumped, then proven by a restore into a scratch database (RPO 24 h): after the cleanup, quiet hours.
    Periodic("backup", "app.admin.backups:backup_nightly", cron="30 2 * * *", queue="low", timeout=timedelta(hours=1)),
)
