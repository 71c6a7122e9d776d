"""The Redis cache, failing soft: while Redis is down (or answers what this release cannot read) a read is a miss
and a write is skipped, so pages render from the database instead of answering 500.

After a failure the cache is bypassed for a few seconds without asking Redis again, so an outage costs each request
nothing, not a connect timeout; then the next call tries Redis again, and the cache is back when Redis is.
"""

from __future__ import annotations

import logging
import pickle
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from flask_caching.backends.rediscache import RedisCache
from redis.exceptions import RedisError

log = logging.getLogger("betscore.cache")
T = TypeVar("T")
BYPASS_SECONDS = 5.0
# What a failed read may raise: Redis itself, or an entry pickled by another release (a moved class).
UNREADABLE = (RedisError, OSError, pickle.UnpicklingError, ImportError, AttributeError, EOFError)


class FailSoftRedisCache(RedisCache):
    """Flask-Caching's RedisCache whose every call survives Redis being down (CACHE_TYPE names it)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._down_until = 0.0
        self._guard = threading.Lock()

    @property
    def available(self) -> bool:
        """False while the cache is bypassed after a failure."""
        return time.monotonic() >= self._down_until

    def _soft(self, call: Callable[[], T], fallback: T) -> T:
        if not self.available:
            return fallback
        try:
            return call()
        except UNREADABLE as exc:
            with self._guard:
                if self.available:
                    log.warning("cache bypassed for %.0f s: %s", BYPASS_SECONDS, exc)
                self._down_until = time.monotonic() + BYPASS_SECONDS
            return fallback

    def get(self, key: str) -> Any:
        return self._soft(lambda: super(FailSoftRedisCache, self).get(key), None)

    def get_many(self, *keys: str) -> list[Any]:
        return self._soft(lambda: super(FailSoftRedisCache, self).get_many(*keys), [None] * len(keys))

    def set(self, key: str, value: Any, timeout: Any = None) -> Any:
        return self._soft(lambda: super(FailSoftRedisCache, self).set(key, value, timeout), False)

    def add(self, key: str, value: Any, timeout: Any = None) -> Any:
        return self._soft(lambda: super(FailSoftRedisCache, self).add(key, value, timeout), False)

    def set_many(self, mapping: Any, timeout: Any = None) -> list[Any]:
        return self._soft(lambda: super(FailSoftRedisCache, self).set_many(mapping, timeout), [])

    def delete(self, key: str) -> bool:
        return self._soft(lambda: super(FailSoftRedisCache, self).delete(key), False)

    def delete_many(self, *keys: str) -> list[Any]:
        return self._soft(lambda: super(FailSoftRedisCache, self).delete_many(*keys), [])

    def has(self, key: str) -> bool:
        return self._soft(lambda: super(FailSoftRedisCache, self).has(key), False)

    def inc(self, key: str, delta: int = 1) -> Any:
        return self._soft(lambda: super(FailSoftRedisCache, self).inc(key, delta), None)

    def dec(self, key: str, delta: int = 1) -> Any:
        return self._soft(lambda: super(FailSoftRedisCache, self).dec(key, delta), None)
