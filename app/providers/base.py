"""The interface every data source implements, and the error family they raise."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Protocol, runtime_checkable

from app.providers.records import CompetitionRecord, FixtureRecord, OddsBatch, StandingRecord


class ProviderError(Exception):
    """A provider call failed: names the provider, the call and the reason (never a key)."""

    def __init__(self, provider: str, call: str, reason: str) -> None:
        super().__init__(f"{provider}.{call}: {reason}")
        self.provider = provider
        self.call = call
        self.reason = reason


@runtime_checkable
class Provider(Protocol):
    """A source of football data. Competitions are addressed by BetScore's canonical key."""

    name: str
    # An authoritative provider may create canonical teams; others only match to them.
    authoritative: bool

    def competitions(self) -> list[CompetitionRecord]: ...

    def fixtures(self, competition: str, date_from: date, date_to: date) -> list[FixtureRecord]:
        """Matches of a competition kicking off within [date_from, date_to] (UTC dates)."""
        ...

    def live(self) -> list[FixtureRecord]:
        """Every match currently in play (or at half-time), all competitions."""
        ...

    def odds(self, competition: str, markets: Sequence[str] | None = None) -> OddsBatch:
        """Current prices for the competition's upcoming and live matches (these markets, when named)."""
        ...

    def standings(self, competition: str) -> list[StandingRecord]: ...
