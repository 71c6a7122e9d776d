"""Match detail as records: line-ups, events and statistics of a demo match as of an instant."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import lru_cache

from app.providers.demo.calendar import HOUR, MatchSpec, season, season_index_at
from app.providers.demo.match import MatchDraw, draw_match
from app.providers.demo.squads import squad, team_sheet
from app.providers.demo.timeline import detail, happened, stats_at
from app.providers.demo.world import LEAGUES
from app.providers.records import (
    LineupPlayer,
    LineupRecord,
    MatchEventRecord,
    MatchStatsRecord,
    TeamRef,
)

LINEUPS_BEFORE = HOUR  # line-ups are announced an hour before kickoff
FIXTURE_ID = re.compile(r"^([a-z0-9]+)-(\d{4})-\d{2}(?:-i+)?-r\d+-[a-z0-9]+-[a-z0-9]+$")
Refs = tuple[TeamRef, TeamRef]


# --- looking things up by external id ------------------------------------------------------


@lru_cache(maxsize=64)
def _season_index(seed: int, league_key: str, index: int) -> dict[str, MatchSpec]:
    """A season's matches by fixture id."""
    return {m.fixture_id: m for m in season(seed, league_key, index).matches}


def find_fixture(seed: int, fixture_id: int | str) -> MatchSpec | None:
    """The match a demo fixture id names, or None."""
    found = FIXTURE_ID.match(str(fixture_id))
    if found is None or found.group(1) not in LEAGUES:
        return None
    key, year = found.group(1), int(found.group(2))
    league = LEAGUES[key]
    first = season_index_at(league, int(datetime(year, 1, 1, tzinfo=UTC).timestamp()))
    last = season_index_at(league, int(datetime(year + 1, 1, 1, tzinfo=UTC).timestamp()))
    for index in range(max(first, 0), last + 1):
        spec = _season_index(seed, key, index).get(str(fixture_id))
        if spec is not None:
            return spec
    return None


@lru_cache(maxsize=1)
def _teams() -> dict[str, tuple[str, int]]:
    """(league key, club index) by demo team id."""
    return {
        f"{key}-{club.code.lower()}": (key, i) for key, league in LEAGUES.items() for i, club in enumerate(league.clubs)
    }


def find_team(team_id: int | str) -> tuple[str, int] | None:
    """(league key, club index) of a demo team id, or None."""
    return _teams().get(str(team_id))


@lru_cache(maxsize=256)
def _meetings(seed: int, league_key: str, index: int, a: int, b: int) -> tuple[MatchSpec, ...]:
    """The season's matches between two clubs, newest first."""
    return tuple(m for m in reversed(season(seed, league_key, index).matches) if {m.home, m.away} == {a, b})


def meetings(seed: int, league_key: str, a: int, b: int, ts: int) -> list[MatchSpec]:
    """Every meeting of two clubs kicked off by the instant, newest first, back to the first season."""
    out: list[MatchSpec] = []
    for index in range(season_index_at(LEAGUES[league_key], ts), -1, -1):
        out.extend(m for m in _meetings(seed, league_key, index, min(a, b), max(a, b)) if m.kickoff <= ts)
    return out


# --- the match as of an instant ------------------------------------------------------------


def cutoff(spec: MatchSpec, d: MatchDraw, ts: int) -> float | None:
    """Real minutes of the match that have happened; None before kickoff or once postponed."""
    if ts < spec.kickoff or (d.postponed_at is not None and ts >= d.postponed_at):
        return None
    until = min((ts - spec.kickoff) / 60, d.end)
    return until if d.abandoned_at is None else min(until, d.abandoned_at)


def clock_minute(d: MatchDraw, at: float) -> tuple[int, int | None]:
    """The minute (and added minute) a match clock shows at a real minute, as state_at counts."""
    if at < d.first_end:
        minute, regulation = int(at) + 1, 45
    else:
        minute, regulation = 46 + int(at - d.second_start), 90
    return (regulation, minute - regulation) if minute > regulation else (minute, None)


def lineups(seed: int, spec: MatchSpec, ts: int, refs: Refs) -> list[LineupRecord]:
    """Both sides' line-ups from an hour before kickoff (never for a postponed match)."""
    d = draw_match(seed, spec)
    if ts < spec.kickoff - LINEUPS_BEFORE or (d.postponed_at is not None and ts >= d.postponed_at):
        return []
    out = []
    for side, ref in enumerate(refs):
        sheet = team_sheet(seed, spec, side)
        club = spec.home if side == 0 else spec.away
        pid = f"{ref.external_id}-"
        starting = tuple(
            LineupPlayer(p.name, f"{pid}{p.number}", p.number, p.position, grid) for p, grid in sheet.starting
        )
        bench = tuple(LineupPlayer(p.name, f"{pid}{p.number}", p.number, p.position) for p in sheet.bench)
        out.append(
            LineupRecord(spec.fixture_id, ref, sheet.formation, starting, bench, squad(seed, spec.league, club).coach)
        )
    return out


def events(seed: int, spec: MatchSpec, ts: int, refs: Refs) -> list[MatchEventRecord]:
    """Goals, cards and substitutions that have happened by the instant, in match order."""
    d = draw_match(seed, spec)
    until = cutoff(spec, d, ts)
    if until is None:
        return []
    out = []
    for h in happened(detail(seed, spec), until):
        minute, extra = clock_minute(d, h.at)
        out.append(MatchEventRecord(spec.fixture_id, refs[h.side], h.kind, minute, extra, h.player, h.other, h.detail))
    return out


def statistics(seed: int, spec: MatchSpec, ts: int, refs: Refs) -> list[MatchStatsRecord]:
    """Both sides' statistics so far; none before kickoff."""
    d = draw_match(seed, spec)
    until = cutoff(spec, d, ts)
    if until is None:
        return []
    played = min(until, d.first_end) + max(0.0, until - d.second_start)
    per_side = stats_at(detail(seed, spec), d, until, played)
    return [MatchStatsRecord(spec.fixture_id, ref, stats) for ref, stats in zip(refs, per_side, strict=True)]
