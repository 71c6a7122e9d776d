"""Exclusive locks with expiry: a job of one kind and target never runs twice at once.

Redis holds them when configured, so they hold across processes and machines; embedded mode is
one process and keeps them in memory. A lock belongs to its owner: the RQ job id when running
under a worker, so the retry of a job whose worker was killed takes its own lock back instead
of waiting for it to expire.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from app.storage import redis_client

log = logging.getLogger("betscore.locks")

_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"
_RENEW = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0"
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
def exclusive(name: str, ttl: timedelta, owner: str | None = None, renew: bool = False) -> Iterator[bool]:
    """Yields True when this caller holds the lock `name` (until the block ends or `ttl` passes). With `renew` the
    lock is a lease: kept for as long as the block runs, renewed every third of `ttl`, and free within `ttl` of its
    holder dying (a killed worker's job does not block the next one for long)."""
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
    stop = threading.Event()
    if held and renew and redis is not None:
        threading.Thread(
            target=_renew, args=(redis, key, owner, millis, stop), name=f"lease {name}", daemon=True
        ).start()
    try:
        yield held
    finally:
        stop.set()
        if held:
            if redis is None:
                _release_local(key, owner)
            else:
                redis.eval(_RELEASE, 1, key, owner)


def _renew(redis: Any, key: str, owner: str, millis: int, stop: threading.Event) -> None:
    """Extend the lease while its block runs; a failed renewal is tried again at the next turn."""
    while not stop.wait(millis / 3000):
        try:
            if not redis.eval(_RENEW, 1, key, owner, millis):
                return  # no longer ours (it expired and another took it): nothing left to keep
        except Exception:  # Redis gone for a moment: the lease may lapse, the job itself carries on
            log.warning("could not renew the lock %s", key, exc_info=True)
