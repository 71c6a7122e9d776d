"""Provider chains per capability, and the fallback from one provider to the next."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.providers.base import ProviderError
from app.providers.demo import DemoProvider
from app.providers.registry import CAPABILITIES, AllProvidersFailed, build, first_success


def now() -> datetime:
    return datetime(2026, 11, 21, 15, 40, tzinfo=UTC)


def test_no_keys_means_the_demo_world_serves_everything():
    chains = build({}, now)
    assert set(chains) == set(CAPABILITIES)  # lineups, events, stats, head-to-head and team stats too
    assert all(len(c) == 1 and isinstance(c[0], DemoProvider) for c in chains.values())


def test_the_first_provider_that_serves_wins_and_failures_hand_over():
    calls = []

    def call(provider: DemoProvider):
        calls.append(provider.name)
        if provider.name == "broken":
            raise ProviderError("broken", "odds", "HTTP 503 after 3 attempts")
        return "served"

    broken, demo = DemoProvider(seed=7, clock=now), DemoProvider(seed=7, clock=now)
    broken.name = "broken"
    provider, result = first_success("odds", [broken, demo], call)
    assert (provider, result, calls) == (demo, "served", ["broken", "demo"])


def test_when_every_provider_fails_the_error_lists_each_reason():
    broken = DemoProvider(seed=7, clock=now)
    with pytest.raises(AllProvidersFailed) as failure:
        first_success("standings", [broken, broken], lambda p: p.standings("no-such-league"))
    assert str(failure.value).count("unknown competition 'no-such-league'") == 2
    with pytest.raises(AllProvidersFailed, match="no provider configured"):
        first_success("lineups", [], lambda p: p)
