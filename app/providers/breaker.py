"""A circuit breaker per provider whose state lives in a store: in-process, or Redis for every process.

Closed: calls go through. Open (after `threshold` consecutive failures): calls are refused until
`cooldown` has passed. Half-open: exactly one caller, across processes, probes; its success closes
the breaker, its failure opens it again for another cooldown.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, Protocol, TypeVar

import redis

from app.providers.base import ProviderError

log = logging.getLogger("betscore.providers.breaker")

State = Literal["closed", "open", "half_open"]
T = TypeVar("T")


class BreakerStore(Protocol):
    """Where breakers keep their counts; every method is atomic for concurrent callers."""

    def load(self, provider: str, now: float) -> tuple[int, float | None]:
        """(consecutive failures, opened_at) of the provider."""
        ...

    def add_failure(self, provider: str, threshold: int, now: float, ttl: float) -> int:
        """Count one failure, opening (again) from `threshold` on; the new count."""
        ...

    def reset(self, provider: str) -> None:
        """Forget failures, opening and probe: the breaker is closed."""
        ...

    def claim_probe(self, provider: str, now: float, ttl: float) -> bool:
        """True for one caller only, until `ttl` passes or the breaker is reset or reopened."""
        ...


@dataclass
class _Entry:
    failures: int = 0
    opened_at: float | None = None
    expires_at: float = math.inf
    probe_until: float | None = None


class MemoryBreakerStore:
    """In-process store for embedded mode: a dict under a lock, with the same expiry as Redis keys."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[str, _Entry] = {}

    def _entry(self, provider: str, now: float) -> _Entry:
        """The provider's live entry; the caller holds the lock."""
        entry = self._entries.get(provider)
        if entry is None or now >= entry.expires_at:
            entry = self._entries[provider] = _Entry()
        return entry

    def load(self, provider: str, now: float) -> tuple[int, float | None]:
        with self._lock:
            entry = self._entry(provider, now)
            return entry.failures, entry.opened_at

    def add_failure(self, provider: str, threshold: int, now: float, ttl: float) -> int:
        with self._lock:
            entry = self._entry(provider, now)
            entry.failures += 1
            entry.expires_at = now + ttl
            if entry.failures >= threshold:
                entry.opened_at, entry.probe_until = now, None
            return entry.failures

    def reset(self, provider: str) -> None:
        with self._lock:
            self._entries.pop(provider, None)

    def claim_probe(self, provider: str, now: float, ttl: float) -> bool:
        with self._lock:
            entry = self._entry(provider, now)
            if entry.probe_until is not None and now < entry.probe_until:
                return False
            entry.probe_until = now + ttl
            return True


# KEYS: failures, opened_at, probe. ARGV: threshold, now, ttl. Counts a failure; opens (again) at the
# threshold and frees the probe slot, so a failed probe lets the next half-open period probe anew.
_ADD_FAILURE = """
local count = redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[3])
if count >= tonumber(ARGV[1]) then
  redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[3])
  redis.call('DEL', KEYS[3])
end
return count
"""


class RedisBreakerStore:
    """Shared by every process: INCR (in a script) counts failures, SET NX EX elects the one probe; keys expire."""

    def __init__(self, redis_client: Any, prefix: str = "betscore:breaker:") -> None:
        self.redis = redis_client
        self.prefix = prefix
        self._add_failure = redis_client.register_script(_ADD_FAILURE)

    def _keys(self, provider: str) -> tuple[str, str, str]:
        base = f"{self.prefix}{provider}:"
        return base + "failures", base + "opened_at", base + "probe"

    def load(self, provider: str, now: float) -> tuple[int, float | None]:
        failures, opened_at = self.redis.mget(self._keys(provider)[:2])
        return int(failures or 0), float(opened_at) if opened_at is not None else None

    def add_failure(self, provider: str, threshold: int, now: float, ttl: float) -> int:
        # One script, so a success (reset) cannot land between the count and the opening.
        count = self._add_failure(keys=self._keys(provider), args=[threshold, repr(now), max(1, math.ceil(ttl))])
        return int(count)

    def reset(self, provider: str) -> None:
        self.redis.delete(*self._keys(provider))

    def claim_probe(self, provider: str, now: float, ttl: float) -> bool:
        return bool(self.redis.set(self._keys(provider)[2], repr(now), nx=True, ex=max(1, math.ceil(ttl))))


@dataclass(frozen=True, slots=True)
class BreakerSnapshot:
    """A breaker's state for a status page."""

    provider: str
    state: State
    failures: int
    opened_at: datetime | None
    next_probe_at: datetime | None


def _utc(timestamp: float | None) -> datetime | None:
    return datetime.fromtimestamp(timestamp, UTC) if timestamp is not None else None


class CircuitBreaker:
    """One provider's breaker; instances in many processes agree through a shared store."""

    def __init__(
        self,
        provider: str,
        store: BreakerStore,
        *,
        threshold: int = 5,
        cooldown: float = 60.0,
        clock: Callable[[], float] = time.time,
        probe_ttl: float | None = None,
        ttl: float = 24 * 3600.0,
    ) -> None:
        self.provider = provider
        self.store = store
        self.threshold = threshold
        self.cooldown = cooldown
        self.clock = clock  # wall-clock epoch seconds: processes (and hosts) compare opened_at
        # A probe that dies without reporting frees its slot after this long.
        self.probe_ttl = probe_ttl if probe_ttl is not None else cooldown
        # Counts untouched this long are forgotten: five failures spread over days are no outage.
        self.ttl = max(ttl, 2 * cooldown)

    def snapshot(self) -> BreakerSnapshot:
        """The current state, failures, when it opened and when the next probe may run."""
        now = self.clock()
        closed: tuple[int, float | None] = (0, None)
        failures, opened_at = self._safely(lambda: self.store.load(self.provider, now), closed)
        if opened_at is None:
            return BreakerSnapshot(self.provider, "closed", failures, None, None)
        probe_at = opened_at + self.cooldown
        state: State = "open" if now < probe_at else "half_open"
        return BreakerSnapshot(self.provider, state, failures, _utc(opened_at), _utc(probe_at))

    def state(self) -> State:
        return self.snapshot().state

    def before_call(self, call: str = "call") -> None:
        """Return if the call may go out; else ProviderError (open, or another caller holds the probe)."""
        snap = self.snapshot()
        if snap.state == "closed":
            return
        if snap.state == "open":
            assert snap.next_probe_at is not None
            raise ProviderError(self.provider, call, f"circuit open until {snap.next_probe_at:%H:%M:%S} UTC")
        now = self.clock()
        if not self._safely(lambda: self.store.claim_probe(self.provider, now, self.probe_ttl), True):
            raise ProviderError(self.provider, call, "circuit half-open, another call is probing")
        log.info("%s: circuit half-open, probing", self.provider)

    def record_success(self) -> None:
        """A call succeeded: the provider is up, the breaker closes."""
        self._safely(lambda: self.store.reset(self.provider), None)

    def record_failure(self) -> None:
        """A call failed (after its retries): one more consecutive failure; opens at the threshold."""
        now = self.clock()
        count = self._safely(lambda: self.store.add_failure(self.provider, self.threshold, now, self.ttl), 0)
        if count >= self.threshold:
            log.warning(
                "%s: circuit open after %d consecutive failures, next probe in %g s",
                self.provider,
                count,
                self.cooldown,
            )

    def _safely(self, action: Callable[[], T], fallback: T) -> T:
        """The store's answer; if the store is unreachable, the fallback (the breaker lets calls through)."""
        try:
            return action()
        except (redis.RedisError, OSError) as exc:
            # Only the type: a Redis error text may carry the server's address or credentials.
            log.warning("%s: breaker store unavailable (%s); calls go unguarded", self.provider, type(exc).__name__)
            return fallback
