"""Competitions, seasons, teams (with provider aliases), matches and standings."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import Model
from app.providers.records import MatchStatus
from app.storage.columns import UTCDateTime, utcnow

IN_PLAY = (MatchStatus.LIVE.value, MatchStatus.HALF_TIME.value)
NOT_PLAYED = (MatchStatus.POSTPONED.value, MatchStatus.CANCELLED.value)


class MatchDisplay:
    """How a match reads on a page; shared by the model and its cached view."""

    __slots__ = ()
    id: int
    status: str
    minute: int | None
    added_time: int | None
    home_score: int | None
    away_score: int | None

    @property
    def in_play(self) -> bool:
        return self.status in IN_PLAY

    @property
    def has_score(self) -> bool:
        return self.home_score is not None and self.away_score is not None

    @property
    def minute_label(self) -> str:
        """'67'', '45+2'', 'HT' — the clock as a bettor reads it."""
        if self.status == MatchStatus.HALF_TIME:
            return "HT"
        if self.minute is None:
            return ""
        extra = f"+{self.added_time}" if self.added_time else ""
        return f"{self.minute}{extra}'"


class Crested:
    """A club's crest or a league's badge: the provider's image URL ingest keeps, the key it was stored under here
    (app/media), and the fetch attempts that failed (tried again later, each wait longer)."""

    crest_url: Mapped[str | None] = mapped_column(String(300))
    crest_key: Mapped[str | None] = mapped_column(String(80))
    crest_failures: Mapped[int] = mapped_column(default=0, server_default="0")
    crest_error: Mapped[str | None] = mapped_column(String(200))
    crest_tried_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Competition(Crested, Model):
    __tablename__ = "competitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    country: Mapped[str] = mapped_column(String(60))
    position: Mapped[int] = mapped_column(default=0)  # display order

    seasons: Mapped[list[Season]] = relationship(back_populates="competition")


class Season(Model):
    __tablename__ = "seasons"
    __table_args__ = (UniqueConstraint("competition_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(ForeignKey("competitions.id"))
    name: Mapped[str] = mapped_column(String(20))
    starts_on: Mapped[date]
    ends_on: Mapped[date]

    competition: Mapped[Competition] = relationship(back_populates="seasons")


class Team(Crested, Model):
    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), index=True)
    short_name: Mapped[str | None] = mapped_column(String(12))
    country: Mapped[str | None] = mapped_column(String(60))

    @property
    def short(self) -> str:
        """The name for where space is short (a list row on a phone): the short name, else the full one."""
        return self.short_name or self.name


class TeamAlias(Model):
    """How one provider names a team: the key for resolving its records to ours."""

    __tablename__ = "team_aliases"
    __table_args__ = (UniqueConstraint("provider", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), index=True)
    provider: Mapped[str] = mapped_column(String(32))
    external_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(80))


class Match(MatchDisplay, Model):
    __tablename__ = "matches"
    __table_args__ = (
        Index("ix_matches_kickoff_at", "kickoff_at"),
        Index("ix_matches_competition_kickoff", "competition_id", "kickoff_at"),
        Index("ix_matches_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(ForeignKey("competitions.id"))
    season_id: Mapped[int] = mapped_column(ForeignKey("seasons.id"))
    home_team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    away_team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    kickoff_at: Mapped[datetime] = mapped_column(UTCDateTime())
    round: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(16), default=MatchStatus.SCHEDULED.value)
    minute: Mapped[int | None]
    added_time: Mapped[int | None]
    home_score: Mapped[int | None]
    away_score: Mapped[int | None]
    ht_home_score: Mapped[int | None]
    ht_away_score: Mapped[int | None]
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    competition: Mapped[Competition] = relationship()
    season: Mapped[Season] = relationship()
    home_team: Mapped[Team] = relationship(foreign_keys=[home_team_id])
    away_team: Mapped[Team] = relationship(foreign_keys=[away_team_id])


class MatchAlias(Model):
    """A provider's id for one of our matches."""

    __tablename__ = "match_aliases"
    __table_args__ = (UniqueConstraint("provider", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    match_id: Mapped[int] = mapped_column(ForeignKey("matches.id"), index=True)
    provider: Mapped[str] = mapped_column(String(32))
    external_id: Mapped[str] = mapped_column(String(96))


class Standing(Model):
    __tablename__ = "standings"
    __table_args__ = (UniqueConstraint("season_id", "team_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    season_id: Mapped[int] = mapped_column(ForeignKey("seasons.id"))
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    position: Mapped[int]
    played: Mapped[int]
    won: Mapped[int]
    drawn: Mapped[int]
    lost: Mapped[int]
    goals_for: Mapped[int]
    goals_against: Mapped[int]
    points: Mapped[int]
    form: Mapped[str] = mapped_column(String(10), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    team: Mapped[Team] = relationship()

    @property
    def goal_difference(self) -> int:
        return self.goals_for - self.goals_against


class UnresolvedTeam(Model):
    """A provider's team name that matched no canonical team: held for an admin, never auto-created."""

    __tablename__ = "unresolved_teams"
    __table_args__ = (UniqueConstraint("provider", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider: Mapped[str] = mapped_column(String(32))
    external_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(80))
    competition_key: Mapped[str | None] = mapped_column(String(32))
    seen_count: Mapped[int] = mapped_column(default=1)
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Set when an admin links or creates: the row stays as the record of the decision.
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class MatchDetail(Model):
    """A match's line-ups, events, statistics or head-to-head as a provider last gave them (display data)."""

    __tablename__ = "match_details"

    match_id: Mapped[int] = mapped_column(ForeignKey("matches.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    provider: Mapped[str] = mapped_column(String(32))
    payload: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
