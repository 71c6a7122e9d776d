"""Periodic price refreshes, and the demo world's replay of past prices."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from flask import current_app

from app import clock
from app.jobs import chain, job, serve
from app.matches import ingest
from app.odds import services
from app.providers.demo import DemoProvider

# Hours before now at which the seed replays the demo world: denser close to now, like the
# bookmakers' own cadence, so a fresh install already has movement to chart.
BACKFILL_HOURS = (48, 42, 36, 30, 24, 20, 16, 12, 9, 6, 4, 3, 2, 1.5, 1, 0.5, 0.25)


@job
def refresh_odds(league: str, provider: str | None = None) -> dict[str, Any]:
    """Every bookmaker's current prices for one league's upcoming and live matches."""
    source, batch = serve("odds", lambda p: p.odds(league), provider)
    # The batch's own fixtures first: they are how its event ids become our matches.
    fixtures = ingest.upsert_fixtures(source.name, source.authoritative, batch.fixtures)
    result = services.upsert_odds(source.name, batch)
    return {
        "provider": source.name, "records": len(batch.prices), "written": result.written + fixtures.written,
        "unchanged": result.unchanged, "rejected": (batch.problems + result.rejected)[:20],
        "unresolved": sorted(set(fixtures.unresolved)), "unknown_fixtures": len(result.unknown_fixtures),
        "changed_matches": result.changed_match_ids | fixtures.changed_ids,
    }


def _fixed(instant: datetime) -> Callable[[], datetime]:
    return lambda: instant


@job
def backfill_odds(league: str, hours: float) -> dict[str, Any]:
    """Replay the demo world's prices of the past `hours`, oldest first (demo only: real providers
    cannot be asked about the past)."""
    provider = chain("odds")[0]
    if not isinstance(provider, DemoProvider):
        return {"provider": provider.name, "written": 0, "skipped": "only the demo world replays"}
    now = clock.now()
    # Only matches never priced: replaying the past over prices already held would rewrite history.
    priced = services.priced_fixtures(provider.name)
    written, changed = 0, set()
    for offset in (h for h in BACKFILL_HOURS if h <= hours):
        then = now - timedelta(hours=offset)
        past = DemoProvider(seed=current_app.config["DEMO_SEED"], clock=_fixed(then)).odds(league)
        past.prices[:] = [p for p in past.prices if p.fixture_external_id not in priced]
        result = services.upsert_odds(provider.name, past)
        written += result.written
        changed |= result.changed_match_ids
    return {"provider": provider.name, "written": written, "changed_matches": changed}
