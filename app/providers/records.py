"""Typed records every provider returns: plain data, no Flask, no database."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum


class MatchStatus(StrEnum):
    """BetScore's own match statuses; every provider's codes map onto these."""

    SCHEDULED = "scheduled"
    LIVE = "live"
    HALF_TIME = "half_time"
    FINISHED = "finished"
    POSTPONED = "postponed"
    CANCELLED = "cancelled"
    ABANDONED = "abandoned"
    OTHER = "other"


class MarketKind(StrEnum):
    """Market families. Lines (over/under 2.5, handicap -0.5) live on the record."""

    MATCH_RESULT = "1x2"
    TOTALS = "ou"
    ASIAN_HANDICAP = "ah"
    BOTH_TEAMS_TO_SCORE = "btts"


# Outcome names per market kind, in display order.
OUTCOMES: dict[str, tuple[str, ...]] = {
    MarketKind.MATCH_RESULT: ("home", "draw", "away"),
    MarketKind.TOTALS: ("over", "under"),
    MarketKind.ASIAN_HANDICAP: ("home", "away"),
    MarketKind.BOTH_TEAMS_TO_SCORE: ("yes", "no"),
}


@dataclass(frozen=True, slots=True)
class TeamRef:
    """A team as one provider names it."""

    external_id: str
    name: str
    short_name: str | None = None
    country: str | None = None
    # The provider's image of the club (https, on its own image host: app/providers/media.py), when it offers one.
    # Not part of the ref's identity: the same club in a payload with its logo and one without is the same ref.
    crest_url: str | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class CompetitionRecord:
    """A league: `key` is BetScore's canonical key (epl, laliga, ...)."""

    key: str
    external_id: str
    name: str
    country: str
    season: str  # "2026-27"
    season_start: date
    season_end: date
    crest_url: str | None = None  # the provider's badge of the league, as for TeamRef


@dataclass(frozen=True, slots=True)
class FixtureRecord:
    """A match as one provider reports it at one moment; instants are UTC-aware."""

    external_id: str
    competition_key: str
    season: str
    home: TeamRef
    away: TeamRef
    kickoff_at: datetime
    status: MatchStatus
    minute: int | None = None
    added_time: int | None = None
    home_score: int | None = None
    away_score: int | None = None
    ht_home_score: int | None = None
    ht_away_score: int | None = None
    round: str | None = None


@dataclass(frozen=True, slots=True)
class BookmakerRef:
    key: str
    name: str


@dataclass(frozen=True, slots=True)
class PriceRecord:
    """One bookmaker's decimal price for one outcome of one market of one match.

    `line` is the total (2.5) or handicap (-0.5, home's view) for markets that have one.
    `source_updated_at` is the provider's own last-update instant for the price.
    """

    fixture_external_id: str
    bookmaker: BookmakerRef
    market: str
    outcome: str
    price: float
    line: float | None = None
    source_updated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class StandingRecord:
    competition_key: str
    season: str
    team: TeamRef
    position: int
    played: int
    won: int
    drawn: int
    lost: int
    goals_for: int
    goals_against: int
    points: int
    form: str = ""  # last five, most recent last: "WDLWW"
    group: str | None = None


@dataclass(frozen=True, slots=True)
class OddsBatch:
    """Prices observed together, with the instant they were observed."""

    observed_at: datetime
    prices: list[PriceRecord] = field(default_factory=list)
    # Entries the client could not read (named, with the reason); the rest of the batch stands.
    problems: list[str] = field(default_factory=list)
    # The matches the prices are for, when the provider names them in the same answer (The Odds API
    # does; its event ids mean nothing to us until those fixtures are resolved to our matches).
    fixtures: list[FixtureRecord] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Usage:
    """A provider's quota as its response headers state it, at one moment."""

    provider: str
    observed_at: datetime
    remaining: int | None = None
    used: int | None = None
    limit: int | None = None
    last_cost: int | None = None
    resets_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class LineupPlayer:
    name: str
    external_id: str | None = None
    number: int | None = None
    position: str | None = None  # G, D, M, F
    grid: str | None = None  # "row:column" on the pitch, when the provider gives it


@dataclass(frozen=True, slots=True)
class LineupRecord:
    fixture_external_id: str
    team: TeamRef
    formation: str | None
    starting: tuple[LineupPlayer, ...]
    substitutes: tuple[LineupPlayer, ...] = ()
    coach: str | None = None


class EventKind(StrEnum):
    GOAL = "goal"
    OWN_GOAL = "own_goal"
    PENALTY_GOAL = "penalty_goal"
    MISSED_PENALTY = "missed_penalty"
    YELLOW_CARD = "yellow_card"
    RED_CARD = "red_card"
    SUBSTITUTION = "substitution"
    VAR = "var"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class MatchEventRecord:
    fixture_external_id: str
    team: TeamRef
    kind: EventKind
    minute: int | None
    extra_minute: int | None = None
    player: str | None = None
    assist: str | None = None  # the assist for goals, the player coming on for substitutions
    detail: str | None = None  # the provider's own wording, kept as data


@dataclass(frozen=True, slots=True)
class MatchStatsRecord:
    """One team's statistics in one match; keys are snake_case (shots_on_goal, ball_possession, expected_goals)."""

    fixture_external_id: str
    team: TeamRef
    stats: dict[str, float | None]


@dataclass(frozen=True, slots=True)
class TeamSeasonStatsRecord:
    competition_key: str
    season: str
    team: TeamRef
    played: int
    won: int
    drawn: int
    lost: int
    goals_for: int
    goals_against: int
    form: str = ""
    clean_sheets: int | None = None
    failed_to_score: int | None = None
