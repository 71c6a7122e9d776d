"""The demo world's calendar: seasons, weekly kickoff slots, round-robin fixtures, instants."""

from __future__ import annotations

import bisect
import hashlib
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

from app.providers.demo.world import DAY_SLOTS, LEAGUES, League

EPOCH = datetime(2020, 8, 14, tzinfo=UTC)  # a Friday: every demo week starts on one
EPOCH_TS = int(EPOCH.timestamp())
DAY = 86_400
WEEK = 7 * DAY
HOUR = 3_600


def rng(*parts: object) -> random.Random:
    """A private RNG derived from the parts; stable across processes, unlike hash()."""
    key = "\x1f".join(str(p) for p in parts).encode()
    digest = hashlib.blake2b(key, digest_size=16).digest()
    return random.Random(int.from_bytes(digest, "big"))


def _instant(ts: int) -> datetime:
    """UTC-aware datetime of integer Unix seconds."""
    return datetime.fromtimestamp(ts, UTC)


@dataclass(frozen=True, slots=True)
class MatchSpec:
    """One scheduled match; `home`/`away` index the league's clubs."""

    fixture_id: str
    league: str
    season: int
    round_no: int
    home: int
    away: int
    kickoff: int


@dataclass(frozen=True, slots=True)
class Season:
    """One demo season of a league, matches sorted by kickoff."""

    league: str
    index: int
    label: str
    start: date
    end: date
    matches: tuple[MatchSpec, ...]
    kickoffs: tuple[int, ...]


@lru_cache(maxsize=1)
def league_slots() -> dict[str, tuple[int, ...]]:
    """Kickoff offsets (seconds into the week) per league, leagues taking cells in turn."""
    quotas = {key: len(lg.clubs) // 2 for key, lg in LEAGUES.items()}
    slots: dict[str, list[int]] = {key: [] for key in LEAGUES}
    order, turn = list(LEAGUES), 0
    for day, times in enumerate(DAY_SLOTS):
        for hhmm in times:
            hours, minutes = (int(x) for x in hhmm.split(":"))
            for _ in order:
                key = order[turn % len(order)]
                turn += 1
                if len(slots[key]) < quotas[key]:
                    slots[key].append(day * DAY + hours * HOUR + minutes * 60)
                    break
    if any(len(slots[k]) < quotas[k] for k in LEAGUES):
        raise RuntimeError("DAY_SLOTS has too few cells for one round of every league")
    return {key: tuple(v) for key, v in slots.items()}


def season_start_ts(league: League, index: int) -> int:
    """Instant the league's season `index` starts (season 0 starts at the epoch)."""
    return EPOCH_TS + index * league.rounds * WEEK


def season_index_at(league: League, ts: int) -> int:
    """Index of the league's season whose weeks contain the instant."""
    return (ts - EPOCH_TS) // (league.rounds * WEEK)


def season_label(league: League, index: int) -> str:
    """'2026-27' from the start year; a second start in the same year gets ' II'."""
    year = _utc_date(season_start_ts(league, index)).year
    nth = 1
    while _utc_date(season_start_ts(league, index - nth)).year == year:
        nth += 1
    label = f"{year}-{(year + 1) % 100:02d}"
    return label if nth == 1 else f"{label} {'I' * nth}"


def _utc_date(ts: int) -> date:
    """UTC calendar date of an instant."""
    return (EPOCH + timedelta(seconds=ts - EPOCH_TS)).date()


def _circle_rounds(n: int) -> list[list[tuple[int, int]]]:
    """First half of a round-robin by the circle method, home/away alternating."""
    arr, rounds = list(range(n)), []
    for r in range(n - 1):
        pairs = []
        for i in range(n // 2):
            a, b = arr[i], arr[n - 1 - i]
            home_first = r % 2 == 0 if i == 0 else i % 2 == 1
            pairs.append((a, b) if home_first else (b, a))
        rounds.append(pairs)
        arr = [arr[0], arr[-1], *arr[1:-1]]
    return rounds


@lru_cache(maxsize=128)
def season(seed: int, league_key: str, index: int) -> Season:
    """The full fixture list of one season: shuffled circle method, mirrored second half."""
    league = LEAGUES[league_key]
    order = list(range(len(league.clubs)))
    rng(seed, league_key, index, "order").shuffle(order)
    first = _circle_rounds(len(order))
    rounds = first + [[(b, a) for a, b in pairs] for pairs in first]
    label = season_label(league, index)
    slug = label.lower().replace(" ", "-")
    start = season_start_ts(league, index)
    slots = league_slots()[league_key]
    matches = []
    for r, pairs in enumerate(rounds):
        games = [(order[a], order[b]) for a, b in pairs]
        rng(seed, league_key, index, r, "slots").shuffle(games)
        for (home, away), offset in zip(games, slots, strict=True):
            codes = f"{league.clubs[home].code}-{league.clubs[away].code}".lower()
            fid = f"{league_key}-{slug}-r{r + 1}-{codes}"
            kickoff = start + r * WEEK + offset
            matches.append(MatchSpec(fid, league_key, index, r + 1, home, away, kickoff))
    matches.sort(key=lambda m: m.kickoff)
    end = _utc_date(start + league.rounds * WEEK - 1)
    return Season(league_key, index, label, _utc_date(start), end, tuple(matches), tuple(m.kickoff for m in matches))


def matches_between(seed: int, league_key: str, lo: int, hi: int) -> list[MatchSpec]:
    """Matches of a league kicking off in [lo, hi), across season boundaries."""
    league = LEAGUES[league_key]
    found: list[MatchSpec] = []
    if hi <= lo:
        return found
    for index in range(season_index_at(league, lo), season_index_at(league, hi - 1) + 1):
        s = season(seed, league_key, index)
        found.extend(s.matches[bisect.bisect_left(s.kickoffs, lo) : bisect.bisect_left(s.kickoffs, hi)])
    return found
