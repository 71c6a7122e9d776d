"""The app's own measurements: counters, histograms, gauges and recent entries, kept in per-minute buckets in Redis so
every process adds up (in this process when embedded). Recording never raises into a request: while Redis is down a
figure is skipped and the outage logged once. Inside a request or a job (batched()), writes wait for its end and go
in one round-trip.

Histograms count observations in fixed buckets (BOUNDS); a quantile is interpolated inside its bucket, as Prometheus's
histogram_quantile does. Reads are for the health dashboard: a 24-hour window reads 1,440 buckets in one pipeline.
"""

from __future__ import annotations

import bisect
import json
import math
import os
import re
import socket
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask, current_app, g, has_app_context, request

from app.ops.stores import PROCESS_STARTED, Batch, MemoryStore, RedisStore, Store

# A gauge its process has not set for this long is dropped from gauges(): the process is gone.
GAUGE_STALE = timedelta(minutes=15)
# Upper bounds of the histogram buckets (ms for durations; small ones for CLS), the last one open.
BOUNDS: tuple[float, ...] = (
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 75, 100, 150, 200, 300, 400, 500, 750,
    1000, 1500, 2000, 2500, 3000, 4000, 5000, 7500, 10000, 20000, 30000, 60000, 120000, math.inf,
)  # fmt: skip
DEFAULT_QS = (0.5, 0.95, 0.99)
_UNSAFE = re.compile(r"[^A-Za-z0-9_.:/\-]")


# -- recording ----------------------------------------------------------------------------------------------------


def count(name: str, value: float = 1.0, /, **labels: str) -> None:
    """Add `value` to a counter in this minute's bucket. Name and value are positional: "name" may be a label."""
    if not math.isfinite(value):  # Redis refuses NaN and infinity, and with it the whole pipeline
        return
    _write(incs=[(name, "c|" + _labels(labels), value)])


def observe(name: str, value: float, /, **labels: str) -> None:
    """One observation (ms for durations) into the histogram of this minute; NaN and infinity are no figure."""
    if not math.isfinite(value):
        return
    fields = _labels(labels)
    index = bisect.bisect_left(BOUNDS, value)
    _write(incs=[(name, f"b{index}|{fields}", 1.0), (name, "n|" + fields, 1.0), (name, "s|" + fields, value)])


def gauge(name: str, value: float, /, **labels: str) -> None:
    """The last value of something this process sees (its open sockets, say)."""
    if not math.isfinite(value):
        return
    key = instance() + ("|" + _labels(labels) if labels else "")
    _write(gauges=[(name, key, value)])


def note(name: str, entry: dict[str, Any], keep: int = 50) -> None:
    """Add an entry to a short list of recent ones (slow queries, say), newest first; `entry` must be JSON."""
    _write(notes=[(name, json.dumps(entry, default=str), keep)])


@contextmanager
def batched() -> Iterator[None]:
    """Hold what is recorded inside and send it at the end in one round-trip (each request and each job is one)."""
    if not has_app_context() or "_metrics_batch" in g:  # nested: the outer one sends
        yield
        return
    g._metrics_batch = Batch()
    try:
        yield
    finally:
        flush()


def flush(later: bool = False) -> None:
    """Send what the current batch holds; `later`: with this process's next flush (a request's end: it waits on
    nothing)."""
    batch: Batch | None = g.pop("_metrics_batch", None) if has_app_context() else None
    store = _store()
    if batch and store is not None:
        (store.defer if later else store.write)(batch, _now())


# -- reading ------------------------------------------------------------------------------------------------------


def totals(
    name: str, window: timedelta, by: str | None = None, where: Mapping[str, str] | None = None
) -> dict[str, float]:
    """Sum of a counter (or the number of a histogram's observations) over the last `window`, per value of label
    `by` ("" when `by` is None); with `where`, only of the figures whose labels have those values."""
    wanted = {f"{k}={v}" for k, v in (where or {}).items()}
    result: dict[str, float] = {}
    for kind, labels, value in _fields(name, window):
        if kind in ("c", "n") and wanted <= set(labels.split(",")):
            group = _group(labels, by)
            result[group] = result.get(group, 0.0) + value
    return result


def lifetime(name: str) -> dict[str, float]:
    """The all-time fields of a LIFETIME metric, by "<kind>|<labels>" (c: count; n, s, b<i>: histogram)."""
    store = _store()
    return store.lifetime(name) if store is not None else {}


def quantiles(
    name: str, window: timedelta, qs: Iterable[float] = DEFAULT_QS, by: str | None = None
) -> dict[str, dict[Any, Any]]:
    """Per value of label `by`: {"count": n, "sum": s, "mean": ms | None, q: ms | None for each q} over `window`."""
    counts: dict[str, list[float]] = {}
    sums: dict[str, float] = {}
    for kind, labels, value in _fields(name, window):
        group = _group(labels, by)
        if kind.startswith("b"):
            counts.setdefault(group, [0.0] * len(BOUNDS))[int(kind[1:])] += value
        elif kind == "s":
            sums[group] = sums.get(group, 0.0) + value
    result: dict[str, dict[Any, Any]] = {}
    for group, buckets in counts.items():
        n = sum(buckets)
        figures: dict[Any, Any] = {"count": n, "sum": sums.get(group, 0.0), "mean": sums.get(group, 0.0) / n}
        for q in qs:
            figures[q] = quantile(buckets, q)
        result[group] = figures
    return result


def quantile(buckets: list[float], q: float) -> float | None:
    """The q-quantile of counts per bucket of BOUNDS, interpolated linearly inside its bucket (None when empty)."""
    n = sum(buckets)
    if n <= 0:
        return None
    rank = q * n
    below = 0.0
    for index, c in enumerate(buckets):
        if c and below + c >= rank:
            lower = BOUNDS[index - 1] if index else 0.0
            upper = BOUNDS[index]
            if math.isinf(upper):
                return lower  # the open bucket: no more is known than that it is past the last bound
            return lower + (upper - lower) * max(rank - below, 0.0) / c
        below += c
    return BOUNDS[-2]


def gauges(name: str) -> dict[str, float]:
    """Each live process's last value ("host:pid", or "host:pid|label=value,..." with labels)."""
    store = _store()
    if store is None:
        return {}
    fresh_after = _now() - GAUGE_STALE.total_seconds()
    return {key: value for key, (value, at) in store.gauges(name).items() if at >= fresh_after}


def recent(name: str, limit: int = 50) -> list[dict[str, Any]]:
    """The newest entries noted under `name`, newest first."""
    store = _store()
    return store.recent(name, limit) if store is not None else []


def started() -> datetime:
    """When this deployment's first process recorded a figure (this process's start when none did, or embedded)."""
    store = _store()
    at = store.started(_deployment()) if store is not None else None
    return datetime.fromtimestamp(at if at is not None else PROCESS_STARTED, UTC)


def instance() -> str:
    """This process: host and pid (a forked worker is an instance of its own)."""
    return f"{socket.gethostname()}:{os.getpid()}"


# -- plumbing -----------------------------------------------------------------------------------------------------


def init_app(app: Flask) -> None:
    """Choose the store (None when METRICS_ENABLED is off), and send each request's figures at its end."""
    app.extensions["betscore.metrics"] = _make_store(app) if app.config.get("METRICS_ENABLED", True) else None

    @app.before_request
    def batch_the_request() -> None:
        # Not a websocket: its request lasts as long as the socket, and its figures would wait for the end.
        if request.environ.get("HTTP_UPGRADE", "").lower() != "websocket":
            g._metrics_batch = Batch()

    app.teardown_request(lambda _exc: flush(later=True))


def _make_store(app: Flask) -> Store:
    url = app.config.get("REDIS_URL")
    if not url:
        return MemoryStore()
    return RedisStore(url, deployment=lambda: str(app.extensions.get("betscore.asset_version", "")))


def _store() -> Store | None:
    if not has_app_context():
        return None
    extensions = current_app.extensions
    if "betscore.metrics" not in extensions:  # an app that did not call init_app: record as it goes
        extensions["betscore.metrics"] = _make_store(current_app)
    store: Store | None = extensions["betscore.metrics"]
    return store


def _now() -> float:
    pinned = current_app.config.get("CLOCK") if has_app_context() else None
    return pinned().timestamp() if pinned else time.time()


def now() -> datetime:
    """The store's time: the app's clock (pinned in tests) or the system's."""
    return datetime.fromtimestamp(_now(), UTC)


def _deployment() -> str:
    return str(current_app.extensions.get("betscore.asset_version", "")) if has_app_context() else ""


def _write(
    incs: list[tuple[str, str, float]] | None = None,
    gauges: list[tuple[str, str, float]] | None = None,
    notes: list[tuple[str, str, int]] | None = None,
) -> None:
    store = _store()
    if store is None:
        return
    batch = Batch(incs or [], gauges or [], notes or [])
    pending: Batch | None = g.get("_metrics_batch")
    if pending is not None:
        pending.incs += batch.incs
        pending.gauges += batch.gauges
        pending.notes += batch.notes
        return
    store.write(batch, _now())


def _labels(labels: dict[str, str]) -> str:
    """Labels as one hash field: "k=v,k2=v2", sorted, each value made safe and short (they may come from outside)."""
    return ",".join(f"{k}={_UNSAFE.sub('_', str(v))[:80]}" for k, v in sorted(labels.items()))


def _group(labels: str, by: str | None) -> str:
    if by is None:
        return ""
    for pair in labels.split(","):
        key, _, value = pair.partition("=")
        if key == by:
            return value
    return ""


def _fields(name: str, window: timedelta) -> Iterable[tuple[str, str, float]]:
    """(kind, labels, value) of every field of the metric's buckets within `window` (the current minute included)."""
    store = _store()
    if store is None:
        return []
    now_minute = int(_now() // 60)
    minutes = max(1, math.ceil(window.total_seconds() / 60))
    found = []
    for bucket in store.buckets(name, range(now_minute - minutes + 1, now_minute + 1)):
        for key, value in bucket.items():
            kind, _, labels = key.partition("|")
            found.append((kind, labels, value))
    return found
