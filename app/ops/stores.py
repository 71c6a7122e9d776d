"""Where the metrics are kept: this process's memory (embedded), or Redis, a hash per metric and minute so that every
process adds up. app/ops/metrics.py records and reads through them; nothing else writes their keys."""

from __future__ import annotations

import atexit
import json
import logging
import os
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Protocol

from redis import Redis
from redis.exceptions import RedisError

log = logging.getLogger("betscore.metrics")
PREFIX = "betscore:metrics:"
BUCKET_TTL = timedelta(hours=25)
# Requests' figures are sent by a thread of each process this often, all together.
FLUSH_SECONDS = 1.0
# After a failure Redis is not asked again for this long, so an outage costs a request nothing.
BYPASS_SECONDS = 5.0
# Kept since forever too, besides the minute buckets: /metrics reports them as Prometheus counters and histograms of
# the whole deployment (the workers that record them serve no /metrics of their own).
LIFETIME = frozenset({"job.run", "provider.call"})
PROCESS_STARTED = time.time()


@dataclass
class Batch:
    """Writes waiting to be sent: increments (metric, field, delta), gauges (metric, key, value), notes."""

    def __bool__(self) -> bool:
        return bool(self.incs or self.gauges or self.notes)

    incs: list[tuple[str, str, float]] = field(default_factory=list)
    gauges: list[tuple[str, str, float]] = field(default_factory=list)
    notes: list[tuple[str, str, int]] = field(default_factory=list)


class Store(Protocol):
    def write(self, batch: Batch, now: float) -> None: ...
    def defer(self, batch: Batch, now: float) -> None: ...
    def buckets(self, name: str, minutes: range) -> list[dict[str, float]]: ...
    def gauges(self, name: str) -> dict[str, tuple[float, float]]: ...
    def recent(self, name: str, limit: int) -> list[dict[str, Any]]: ...
    def started(self, deployment: str) -> float | None: ...
    def lifetime(self, name: str) -> dict[str, float]: ...


class MemoryStore:
    """This process's figures only (embedded: one process serves everything)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._buckets: dict[tuple[str, int], dict[str, float]] = {}
        self._gauges: dict[str, dict[str, tuple[float, float]]] = {}
        self._notes: dict[str, list[dict[str, Any]]] = {}
        self._pruned = 0

    def write(self, batch: Batch, now: float) -> None:
        minute = int(now // 60)
        with self._lock:
            for name, key, delta in batch.incs:
                for when in (minute, -1) if name in LIFETIME else (minute,):  # -1: since forever
                    bucket = self._buckets.setdefault((name, when), {})
                    bucket[key] = bucket.get(key, 0.0) + delta
            for name, key, value in batch.gauges:
                self._gauges.setdefault(name, {})[key] = (value, now)
            for name, entry, keep in batch.notes:
                entries = self._notes.setdefault(name, [])
                entries.insert(0, json.loads(entry))
                del entries[keep:]
            if minute != self._pruned:
                self._pruned = minute
                oldest = minute - int(BUCKET_TTL.total_seconds() // 60)
                for stale in [k for k in self._buckets if 0 <= k[1] < oldest]:
                    del self._buckets[stale]

    def defer(self, batch: Batch, now: float) -> None:
        self.write(batch, now)  # in-process: nothing to wait for

    def buckets(self, name: str, minutes: range) -> list[dict[str, float]]:
        with self._lock:
            return [dict(self._buckets.get((name, m), {})) for m in minutes]

    def gauges(self, name: str) -> dict[str, tuple[float, float]]:
        with self._lock:
            return dict(self._gauges.get(name, {}))

    def recent(self, name: str, limit: int) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._notes.get(name, [])[:limit])

    def started(self, deployment: str) -> float | None:
        return None

    def lifetime(self, name: str) -> dict[str, float]:
        with self._lock:
            return dict(self._buckets.get((name, -1), {}))


class RedisStore:
    """Figures of every process in Redis: a hash per metric and minute, expiring after BUCKET_TTL.

    Requests' figures are deferred: added up in the process and sent by a thread of its own every FLUSH_SECONDS, one
    pipeline for all the requests of that second, so a request waits on no round-trip. A job's are sent when it ends
    (its work horse may exit right after). A process reads what it deferred: reads send it first.
    """

    def __init__(self, url: str, deployment: Callable[[], str] = str) -> None:
        # A client of its own with short timeouts: a figure is not worth a request waiting on an unreachable Redis.
        self.client = Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=1.0)
        self.deployment = deployment
        self._down_until = 0.0
        self._down = False
        self._announced = False
        self._guard = threading.Lock()
        # One drain at a time: a read's drain waits for the flusher's send in flight (a process reads all it recorded).
        self._draining = threading.Lock()
        self._pending: list[tuple[Batch, float]] = []
        self._flusher_pid = 0
        # Keys whose expiry this process set in the current minute: each gets one EXPIRE a minute, not one a write.
        self._expiring: set[str] = set()
        self._expiring_minute = 0

    def _failed(self, exc: Exception) -> None:
        with self._guard:
            if not self._down:  # once an outage, not once a figure
                log.warning("metrics skipped while Redis is down (asked again every %.0f s): %s", BYPASS_SECONDS, exc)
            self._down, self._down_until = True, time.monotonic() + BYPASS_SECONDS
            self._expiring = set()  # Redis may come back empty: set every expiry again

    def _recovered(self) -> None:
        if self._down:
            self._down = False
            log.info("metrics recorded again: Redis is back")

    def _up(self) -> bool:
        return time.monotonic() >= self._down_until

    def write(self, batch: Batch, now: float) -> None:
        self._send([(batch, now)])

    def defer(self, batch: Batch, now: float) -> None:
        """Keep the batch for the next flush of this process's thread (started with the first one, after a fork too)."""
        if self._flusher_pid != os.getpid():
            with self._guard:
                if self._flusher_pid != os.getpid():
                    self._flusher_pid, self._pending = os.getpid(), []  # a parent's figures are the parent's to send
                    threading.Thread(target=self._flush_forever, name="metrics-flush", daemon=True).start()
                    atexit.register(self.drain)
        with self._guard:
            self._pending.append((batch, now))

    def drain(self) -> None:
        """Send what this process has deferred."""
        with self._draining:
            with self._guard:
                pending, self._pending = self._pending, []
            if pending:
                self._send(pending)

    def _flush_forever(self) -> None:
        while True:
            time.sleep(FLUSH_SECONDS)
            try:
                self.drain()
            except Exception:  # the thread must outlive anything
                log.exception("metrics flush failed")

    def _send(self, batches: list[tuple[Batch, float]]) -> None:
        if not self._up():
            return
        ttl = int(BUCKET_TTL.total_seconds())
        pipe = self.client.pipeline(transaction=False)
        touched: set[str] = set()
        summed: defaultdict[tuple[str, str], float] = defaultdict(float)  # many requests' figures, one increment
        for batch, now in batches:
            minute = int(now // 60)
            for name, key, delta in batch.incs:
                summed[f"{PREFIX}{name}:{minute}", key] += delta
                if name in LIFETIME:  # no expiry: counted since forever
                    summed[f"{PREFIX}lifetime:{name}", key] += delta
            for name, key, value in batch.gauges:
                pipe.hset(f"{PREFIX}gauge:{name}", key, f"{value!r} {now!r}")
                touched.add(f"{PREFIX}gauge:{name}")
            for name, entry, keep in batch.notes:
                pipe.lpush(f"{PREFIX}note:{name}", entry)
                pipe.ltrim(f"{PREFIX}note:{name}", 0, keep - 1)
                touched.add(f"{PREFIX}note:{name}")
        for (bucket, key), delta in summed.items():
            pipe.hincrbyfloat(bucket, key, delta)
            if ":lifetime:" not in bucket:
                touched.add(bucket)
        minute = int(batches[-1][1] // 60)
        if minute != self._expiring_minute:
            self._expiring, self._expiring_minute = set(), minute
        fresh = touched - self._expiring
        for bucket in fresh:
            pipe.expire(bucket, ttl)
        if not self._announced:
            pipe.set(f"{PREFIX}started:{self.deployment()}", repr(PROCESS_STARTED), nx=True, ex=ttl * 30)
        try:
            pipe.execute()
            self._announced = True
            self._expiring |= fresh
            self._recovered()
        except (RedisError, OSError) as exc:
            self._failed(exc)

    def _read(self, call: Any, fallback: Any) -> Any:
        if not self._up():
            return fallback
        try:
            return call()
        except (RedisError, OSError) as exc:
            self._failed(exc)
            return fallback

    def buckets(self, name: str, minutes: range) -> list[dict[str, float]]:
        self.drain()

        def read() -> list[dict[str, float]]:
            pipe = self.client.pipeline(transaction=False)
            for minute in minutes:
                pipe.hgetall(f"{PREFIX}{name}:{minute}")
            return [{k.decode(): float(v) for k, v in h.items()} for h in pipe.execute()]

        result: list[dict[str, float]] = self._read(read, [])
        return result

    def gauges(self, name: str) -> dict[str, tuple[float, float]]:
        self.drain()

        def read() -> dict[str, tuple[float, float]]:
            found = {}
            raw: dict[Any, Any] = self.client.hgetall(f"{PREFIX}gauge:{name}")
            for key, text in raw.items():
                value, _, at = text.decode().partition(" ")
                found[key.decode()] = (float(value), float(at))
            return found

        result: dict[str, tuple[float, float]] = self._read(read, {})
        return result

    def recent(self, name: str, limit: int) -> list[dict[str, Any]]:
        self.drain()
        result: list[dict[str, Any]] = self._read(
            lambda: [json.loads(e) for e in self.client.lrange(f"{PREFIX}note:{name}", 0, limit - 1)], []
        )
        return result

    def lifetime(self, name: str) -> dict[str, float]:
        self.drain()

        def read() -> dict[str, float]:
            raw: dict[Any, Any] = self.client.hgetall(f"{PREFIX}lifetime:{name}")
            return {k.decode(): float(v) for k, v in raw.items()}

        result: dict[str, float] = self._read(read, {})
        return result

    def started(self, deployment: str) -> float | None:
        text = self._read(lambda: self.client.get(f"{PREFIX}started:{deployment}"), None)
        return float(text) if text is not None else None
