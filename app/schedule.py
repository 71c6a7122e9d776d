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
    # With a paid provider serving this capability, run at most this often (None: as the budget paces it).
    capability: str | None = None
    paid_every: timedelta | None = None


# Paid plans: API-Football's 100 calls a day go to fixtures and tables four times a day per league
# (40), competitions once (1), and the rest to live scores, paced over the hours matches are played.
PERIODIC: tuple[Periodic, ...] = (
    Periodic("competitions", "app.matches.jobs:refresh_competitions", timedelta(hours=6), queue="low",
             capability="competitions", paid_every=timedelta(hours=24)),
    Periodic("live", "app.matches.jobs:refresh_live", timedelta(seconds=30), queue="live", capability="live"),
    *(Periodic(f"fixtures:{lg}", "app.matches.jobs:refresh_fixtures", timedelta(minutes=30), (lg,), "low",
               capability="fixtures", paid_every=timedelta(hours=6)) for lg in LEAGUES),
    Periodic("details", "app.matches.jobs:refresh_due_details", timedelta(minutes=1), queue="live"),
    # Every minute the planner decides which leagues are worth a request (all of them when prices are free).
    Periodic("odds", "app.odds.jobs:refresh_planned_odds", timedelta(minutes=1)),
    *(Periodic(f"standings:{lg}", "app.matches.jobs:refresh_standings", timedelta(minutes=15), (lg,), "low",
               capability="standings", paid_every=timedelta(hours=6)) for lg in LEAGUES),
)
