"""Which providers serve each capability, in order, and the fallback between them. No Flask here."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, TypeVar

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from app.providers.base import Provider, ProviderError
from app.providers.breaker import BreakerStore, CircuitBreaker, MemoryBreakerStore, RedisBreakerStore
from app.providers.demo import DemoProvider

T = TypeVar("T")
CAPABILITIES = (
    "competitions",
    "fixtures",
    "live",
    "odds",
    "odds_history",
    "standings",
    "lineups",
    "events",
    "stats",
    "head_to_head",
    "team_stats",
)
# Preference per capability: API-Football is the richest for the match itself, The Odds API for
# prices; football-data.org backs up fixtures, scores and standings.
ORDER: dict[str, tuple[str, ...]] = {
    "odds": ("the-odds-api", "api-football"),
    "fixtures": ("api-football", "football-data", "the-odds-api"),
    "live": ("api-football", "football-data", "the-odds-api"),
    "standings": ("api-football", "football-data"),
    "competitions": ("api-football", "football-data"),
}


def _clients(settings: Mapping[str, Any], clock: Callable[[], datetime]) -> dict[str, Any]:
    """A client for every provider whose key is configured (each imported only when it is)."""

    def base(name: str) -> dict[str, Any]:
        return {"base_url": settings[name]} if settings.get(name) else {}

    clients: dict[str, Any] = {}
    if settings.get("API_FOOTBALL_KEY") or settings.get("RAPIDAPI_KEY"):
        from app.providers.api_football import APIFootball

        clients["api-football"] = APIFootball(
            settings.get("API_FOOTBALL_KEY") or settings["RAPIDAPI_KEY"],
            via_rapidapi=not settings.get("API_FOOTBALL_KEY"),
            clock=clock,
            **base("API_FOOTBALL_BASE_URL"),
        )
    if settings.get("FOOTBALL_DATA_KEY"):
        from app.providers.football_data import FootballData

        clients["football-data"] = FootballData(
            settings["FOOTBALL_DATA_KEY"], clock=clock, **base("FOOTBALL_DATA_BASE_URL")
        )
    if settings.get("ODDS_API_KEY"):
        from app.providers.the_odds_api import TheOddsAPI

        clients["the-odds-api"] = TheOddsAPI(settings["ODDS_API_KEY"], clock=clock, **base("ODDS_API_BASE_URL"))
    return clients


def _breaker_store(settings: Mapping[str, Any]) -> BreakerStore:
    """Shared by every process through Redis when there is one; in-process in embedded mode."""
    if not settings.get("REDIS_URL"):
        return MemoryBreakerStore()
    # Short timeouts and no client retries: an unreachable Redis must not stall every provider call.
    client = redis.Redis.from_url(
        settings["REDIS_URL"], socket_timeout=1, socket_connect_timeout=1, retry=Retry(NoBackoff(), 0)
    )
    return RedisBreakerStore(client)


def build(
    settings: Mapping[str, Any],
    clock: Callable[[], datetime],
    on_call: Callable[[str, str, str], None] | None = None,
) -> dict[str, list[Provider]]:
    """Ordered providers per capability; with no key configured, the demo world serves everything. `on_call` hears
    (provider, call, outcome) after each call sent (the app's metrics)."""
    clients = _clients(settings, clock)
    if clients:
        store = _breaker_store(settings)
        for client in clients.values():
            client.http.on_call = on_call
            client.http.breaker = CircuitBreaker(
                client.name,
                store,
                threshold=int(settings.get("BREAKER_THRESHOLD", 5)),
                cooldown=float(settings.get("BREAKER_COOLDOWN", 60.0)),
            )
    if not clients:
        demo = DemoProvider(seed=int(settings.get("DEMO_SEED", 7)), clock=clock)
        return {capability: [demo] for capability in CAPABILITIES if capability in demo.capabilities}
    chains = {
        capability: [
            clients[name]
            for name in ORDER.get(capability, ("api-football",))
            if name in clients and capability in clients[name].capabilities
        ]
        for capability in CAPABILITIES
    }
    # The first source of fixtures seeds the canonical teams; every other provider resolves to them.
    for client in clients.values():
        client.authoritative = bool(chains["fixtures"]) and client is chains["fixtures"][0]
    return {capability: chain for capability, chain in chains.items() if chain}


def is_demo(chains: dict[str, list[Provider]]) -> bool:
    """Whether the simulated demo world feeds the app (no provider key is set): pages must say so."""
    return any(isinstance(p, DemoProvider) for chain in chains.values() for p in chain)


class AllProvidersFailed(ProviderError):
    """No provider could serve a capability; pages keep showing the stored data with its age."""


def first_success(capability: str, chain: list[Provider], call: Callable[[Provider], T]) -> tuple[Provider, T]:
    """The first provider of the chain that serves the call; each failure moves on to the next."""
    reasons = []
    for provider in chain:
        try:
            return provider, call(provider)
        except ProviderError as exc:
            reasons.append(str(exc))
    raise AllProvidersFailed("all", capability, "; ".join(reasons) or "no provider configured")
