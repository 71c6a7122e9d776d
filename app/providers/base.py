"""The interface every data source implements, and the error family they raise.

`Provider` says everything the app asks of a source: what it serves, how its requests are paid for, what it
has spent, and the calls themselves. Callers pick a provider by capability and never probe a client for an
attribute or test its class. `ProviderBase` gives each client the parts they share, and refuses a call the
provider does not offer with a ProviderError, as any other failure, so the next provider in a chain serves.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Literal, Protocol, runtime_checkable

from app.providers.records import (
    CompetitionRecord,
    FixtureRecord,
    LineupRecord,
    MatchEventRecord,
    MatchStatsRecord,
    OddsBatch,
    StandingRecord,
    Usage,
)

# How a provider's requests are paid for: never rationed, out of calls a day, or out of credits a month.
Quota = Literal["free", "daily", "monthly"]


class ProviderError(Exception):
    """A provider call failed: names the provider, the call and the reason (never a key)."""

    def __init__(self, provider: str, call: str, reason: str) -> None:
        super().__init__(f"{provider}.{call}: {reason}")
        self.provider = provider
        self.call = call
        self.reason = reason


@runtime_checkable
class Provider(Protocol):
    """A source of football data. Competitions are addressed by BetScore's canonical key (app/providers/catalog.py);
    matches and teams by the provider's own ids, which the app keeps as aliases."""

    name: str
    # An authoritative provider may create canonical teams; others only match to them.
    authoritative: bool
    capabilities: frozenset[str]  # what it serves: "fixtures", "odds", "lineups", "odds_history", ...
    quota: Quota

    @property
    def paid(self) -> bool:
        """Its requests cost quota: the schedule rations them."""
        ...

    @property
    def requests_sent(self) -> int:
        """Requests this client has sent in this process, retries included: what its quota is charged for."""
        ...

    def usage(self) -> Usage | None:
        """Its quota as the provider's last answer stated it (None before one, or for free data)."""
        ...

    def circuit(self) -> str:
        """Its circuit breaker's state: closed, open or half-open ("none" without a breaker)."""
        ...

    def odds_cost(self, markets: Sequence[str]) -> int:
        """Quota units one refresh of a competition's odds in these markets costs."""
        ...

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

    def past_odds(self, competition: str, at: datetime) -> OddsBatch:
        """The prices as they stood at a past instant ("odds_history": the demo world alone can replay them)."""
        ...

    def standings(self, competition: str) -> list[StandingRecord]: ...

    def lineups(self, fixture_id: int | str) -> list[LineupRecord]: ...

    def events(self, fixture_id: int | str) -> list[MatchEventRecord]:
        """A match's goals, cards and substitutions."""
        ...

    def statistics(self, fixture_id: int | str) -> list[MatchStatsRecord]: ...

    def head_to_head(self, team_a_id: int | str, team_b_id: int | str, last: int = 10) -> list[FixtureRecord]:
        """The last meetings of two teams, by the provider's team ids."""
        ...


class _Breaker(Protocol):
    def state(self) -> str: ...


class _Transport(Protocol):
    """What ProviderBase reads of a client's HTTP layer (app/providers/http.py, which imports this module)."""

    @property
    def requests_sent(self) -> int: ...

    @property
    def last_usage(self) -> Usage | None: ...

    @property
    def breaker(self) -> _Breaker | None: ...


class ProviderBase:
    """What the clients share: quota and circuit read off their HTTP layer, and a refusal for each call the
    provider does not offer (its `capabilities` leave it out)."""

    name: str
    quota: Quota = "daily"
    http: _Transport | None = None

    @property
    def paid(self) -> bool:
        return self.quota != "free"

    @property
    def requests_sent(self) -> int:
        return self.http.requests_sent if self.http is not None else 0

    def usage(self) -> Usage | None:
        return self.http.last_usage if self.http is not None else None

    def circuit(self) -> str:
        breaker = self.http.breaker if self.http is not None else None
        return breaker.state() if breaker is not None else "none"

    def odds_cost(self, markets: Sequence[str]) -> int:
        return 1

    def _refuse(self, call: str) -> ProviderError:
        return ProviderError(self.name, call, "not offered by this provider")

    def odds(self, competition: str, markets: Sequence[str] | None = None) -> OddsBatch:
        raise self._refuse("odds")

    def past_odds(self, competition: str, at: datetime) -> OddsBatch:
        raise self._refuse("past_odds")

    def standings(self, competition: str) -> list[StandingRecord]:
        raise self._refuse("standings")

    def lineups(self, fixture_id: int | str) -> list[LineupRecord]:
        raise self._refuse("lineups")

    def events(self, fixture_id: int | str) -> list[MatchEventRecord]:
        raise self._refuse("events")

    def statistics(self, fixture_id: int | str) -> list[MatchStatsRecord]:
        raise self._refuse("statistics")

    def head_to_head(self, team_a_id: int | str, team_b_id: int | str, last: int = 10) -> list[FixtureRecord]:
        raise self._refuse("head_to_head")
