"""PERIODIC: the declarative list of periodic jobs, the one schedule every runner follows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from app.matches.catalog import COMPETITIONS

LEAGUES = tuple(COMPETITIONS)


@dataclass(frozen=True)
class Periodic:
    id: str  # stable: runners reconcile by it, so restarts never duplicate a job
    func: str  # "module:function", imported by the runner
    every: timedelta
    args: tuple[str, ...] = ()
    queue: str = "default"
    timeout: timedelta = timedelta(minutes=2)


PERIODIC: tuple[Periodic, ...] = (
    Periodic("competitions", "app.matches.jobs:refresh_competitions", timedelta(hours=6), queue="low"),
    Periodic("live", "app.matches.jobs:refresh_live", timedelta(seconds=30), queue="live"),
    *(Periodic(f"fixtures:{lg}", "app.matches.jobs:refresh_fixtures", timedelta(minutes=30), (lg,), "low")
      for lg in LEAGUES),
    # Every minute the planner decides which leagues are worth a request (all of them when prices are free).
    Periodic("odds", "app.odds.jobs:refresh_planned_odds", timedelta(minutes=1)),
    *(Periodic(f"standings:{lg}", "app.matches.jobs:refresh_standings", timedelta(minutes=15), (lg,), "low")
      for lg in LEAGUES),
)
