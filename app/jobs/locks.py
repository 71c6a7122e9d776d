"""Exclusive locks with expiry: a job of one kind and target never runs twice at once.

Redis holds them when configured, so they hold across processes and machines; embedded mode is
one process and keeps them in memory. A lock belongs to its owner: the RQ job id when running
under a worker, so the retry of a job whose worker was killed takes its own lock back instead
of waiting for it to expire.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from app.storage import redis_client

_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"
_local: dict[str, tuple[str, float]] = {}
_local_guard = threading.Lock()


def _acquire_local(key: str, owner: str, ttl: float) -> bool:
    with _local_guard:
        held = _local.get(key)
        if held is not None and held[0] != owner and held[1] > time.monotonic():
            return False
        _local[key] = (owner, time.monotonic() + ttl)
        return True


def _release_local(key: str, owner: str) -> None:
    with _local_guard:
        if _local.get(key, ("",))[0] == owner:
            del _local[key]


@contextmanager
def exclusive(name: str, ttl: timedelta, owner: str | None = None) -> Iterator[bool]:
    """Yields True when this caller holds the lock `name` (until the block ends or `ttl` passes)."""
    key = f"betscore:lock:{name}"
    owner = owner or uuid.uuid4().hex
    redis = redis_client.connection()
    millis = max(1, int(ttl.total_seconds() * 1000))
    if redis is None:
        held = _acquire_local(key, owner, ttl.total_seconds())
    else:
        held = bool(redis.set(key, owner, nx=True, px=millis))
        if not held and redis.get(key) == owner.encode():
            held = bool(redis.set(key, owner, xx=True, px=millis))  # our own, left by a killed attempt
    try:
        yield held
    finally:
        if held:
            if redis is None:
                _release_local(key, owner)
            else:
                redis.eval(_RELEASE, 1, key, owner)
