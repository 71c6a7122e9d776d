"""The health page's panels, each with its target and a status mark, from the app's own measurements: requests,
caching, real users and sockets here; providers, database, Redis and jobs in app/admin/health_backends.py.

A panel is a table of cells, each a text and, where the figure has a target, a mark (ok, warn, bad) that the page
shows in words as well as colour. A panel with nothing measured yet says so instead of showing zeros.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from app import clock
from app.live import service as live
from app.ops import metrics

FIVE_MINUTES = timedelta(minutes=5)
DAY = timedelta(hours=24)
WINDOWS = (("5 min", FIVE_MINUTES), ("24 h", DAY))
RESPONSE_MS = 200.0  # p50, p95 and p99 of each route group under this
ERROR_RATE = 0.01  # 5xx answers under this share
HIT_RATE = 0.90  # cache reads that hit, over this share
# Google's thresholds for each vital at the 75th percentile: good up to the first, poor past the second.
VITALS = {"LCP": (2500.0, 4000.0, "ms"), "INP": (200.0, 500.0, "ms"), "CLS": (0.1, 0.25, "")}
ORDER = {"ok": 0, "none": 0, "warn": 1, "bad": 2}


@dataclass(frozen=True)
class Cell:
    text: str
    mark: str | None = None  # ok, warn or bad: measured against a target


@dataclass
class Panel:
    id: str  # the DOM id's tail: health-<id>
    title: str
    target: str
    columns: tuple[str, ...] = ()
    rows: list[tuple[Cell, ...]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    empty: str | None = None  # why there are no figures yet

    def or_empty(self, why: str) -> Panel:
        """The panel, saying `why` there are no figures when it has no rows."""
        if not self.rows:
            self.empty = why
        return self

    @property
    def mark(self) -> str:
        """The worst mark of its cells: "none" when nothing is measured against a target."""
        marks = [c.mark for row in self.rows for c in row if c.mark]
        return max(marks, key=ORDER.__getitem__) if marks else "none"


def below(value: float | None, good: float, poor: float) -> str | None:
    """ok up to `good`, warn up to `poor`, bad past it (None when nothing was measured)."""
    if value is None:
        return None
    return "ok" if value <= good else "warn" if value <= poor else "bad"


def above(value: float | None, good: float, poor: float) -> str | None:
    """ok from `good` up, warn from `poor`, bad under it."""
    if value is None:
        return None
    return "ok" if value >= good else "warn" if value >= poor else "bad"


def ms(value: float | None) -> str:
    return "–" if value is None else f"{value:,.0f} ms" if value >= 10 else f"{value:.1f} ms"


def share(value: float | None) -> str:
    return "–" if value is None else f"{value:.1%}" if value < 0.999 or value == 1 else f"{value:.2%}"


def count(value: float) -> str:
    return f"{value:,.0f}"


def duration(seconds: float) -> str:
    """3 d 4 h, 5 h 12 min, 7 min: the two largest units ("under a minute" below one)."""
    minutes = int(seconds // 60)
    if not minutes:
        return "under a minute"
    days, hours, mins = minutes // 1440, minutes % 1440 // 60, minutes % 60
    if days:
        return f"{days} d {hours} h"
    return f"{hours} h {mins} min" if hours else f"{mins} min"


# -- requests -----------------------------------------------------------------------------------------------------


def requests() -> Panel:
    panel = Panel(
        "requests",
        "Requests",
        f"p50, p95 and p99 under {RESPONSE_MS:.0f} ms; errors (5xx) under {ERROR_RATE:.0%}",
        ("Route group", "Window", "Requests", "Errors", "p50", "p95", "p99"),
    )
    for label, window in WINDOWS:
        overall = metrics.quantiles("http.request", window).get("")
        if overall is None:
            continue
        panel.rows.append(_latency_row("all", label, overall, _errors(window)))
        by_group = metrics.quantiles("http.request", window, by="group")
        for group in sorted(by_group, key=lambda g: -by_group[g]["count"]):
            panel.rows.append(_latency_row(group, label, by_group[group], _errors(window, group)))
    panel.or_empty("No requests measured in the last 24 hours.")
    up = time.time() - metrics.started().timestamp()
    panel.notes.append(f"Up {duration(max(up, 0))} (since this release's first process started).")
    return panel


def _errors(window: timedelta, group: str | None = None) -> Cell:
    errors = error_rate(window, group)
    mark = None if errors is None else "ok" if errors < ERROR_RATE else "warn" if errors < 5 * ERROR_RATE else "bad"
    return Cell(share(errors), mark)


def _latency_row(group: str, window: str, figures: dict[Any, Any], errors: Cell) -> tuple[Cell, ...]:
    quantiles = (Cell(ms(figures[q]), below(figures[q], RESPONSE_MS, 2 * RESPONSE_MS)) for q in (0.5, 0.95, 0.99))
    return (Cell(group), Cell(window), Cell(count(figures["count"])), errors, *quantiles)


def error_rate(window: timedelta, group: str | None = None) -> float | None:
    """The share of answers that were server errors (5xx) over the window, of one route group or all; None with no
    requests."""
    by_status = metrics.totals("http.request", window, by="status", where={"group": group} if group else None)
    total = sum(by_status.values())
    return by_status.get("5xx", 0.0) / total if total else None


# -- caching ------------------------------------------------------------------------------------------------------


def caching() -> Panel:
    panel = Panel(
        "caching",
        "Caching",
        f"hit rate over {HIT_RATE:.0%}",
        ("Window", "Cache reads", "Hit rate", "Page views", "Reached the database"),
    )
    for label, window in WINDOWS:
        reads = metrics.totals("cache.get", window, by="outcome")
        views = metrics.totals("page.view", window, by="db")
        n_reads, n_views = sum(reads.values()), sum(views.values())
        if not (n_reads or n_views):
            continue
        hit = reads.get("hit", 0.0) / n_reads if n_reads else None
        reached = views.get("yes", 0.0) / n_views if n_views else None
        panel.rows.append(
            (
                Cell(label),
                Cell(count(n_reads)),
                Cell(share(hit), above(hit, HIT_RATE, HIT_RATE - 0.15)),
                Cell(count(n_views)),
                Cell(share(reached)),
            )
        )
    return panel.or_empty("No cache reads or page views measured in the last 24 hours.")


# -- real users ---------------------------------------------------------------------------------------------------


def real_users() -> Panel:
    panel = Panel(
        "vitals",
        "Real users",
        "p75 good by Google's thresholds: LCP ≤ 2.5 s, INP ≤ 200 ms, CLS ≤ 0.1 (24 h)",
        ("Page type", "LCP p75", "INP p75", "CLS p75", "Samples"),
    )
    figures = metrics.quantiles("vitals", DAY, qs=(0.75,), by="view")
    pages = sorted({view.partition(":")[2] for view in figures})
    for page in pages:
        cells, samples = [], 0.0
        for name in ("LCP", "INP", "CLS"):
            found = figures.get(f"{name}:{page}")
            good, poor, unit = VITALS[name]
            value = found[0.75] if found else None
            samples += found["count"] if found else 0
            text = "–" if value is None else f"{value:,.0f} ms" if unit else f"{value:.3f}"
            cells.append(Cell(text, below(value, good, poor)))
        panel.rows.append((Cell(page), *cells, Cell(count(samples))))
    return panel.or_empty("No visitor's browser has reported web vitals in the last 24 hours (they are sampled).")


# -- sockets ------------------------------------------------------------------------------------------------------


def websockets() -> Panel:
    panel = Panel(
        "sockets",
        "Websockets",
        "every instance accepting; none refused or dropped for being slow",
        ("Instance", "Connections", "Messages/s", "Disconnects/min", "Refused", "Dropped slow"),
    )
    now = time.time()
    for snapshot in live.current().cluster_metrics():
        panel.rows.append(_instance_row(snapshot, now))
    return panel.or_empty("No live instance has reported in the last minute.")


def _instance_row(snapshot: dict[str, Any], now: float) -> tuple[Cell, ...]:
    minutes = max((now - float(snapshot.get("started_at") or now)) / 60, 1.0)
    closed = sum(snapshot.get("closed", {}).values())
    refused = snapshot.get("refused_full", 0) + snapshot.get("refused_address", 0)
    dropped = snapshot.get("dropped_slow", 0)
    accepting = snapshot.get("accepting", True)
    return (
        Cell(str(snapshot.get("instance", "?")), "ok" if accepting else "bad"),
        Cell(f"{snapshot.get('connections', 0):,} of {snapshot.get('max_connections', 0):,}"),
        Cell(f"{snapshot.get('messages_out_per_second', 0):,.1f}"),
        Cell(f"{closed / minutes:,.2f}"),
        Cell(count(refused), "ok" if not refused else "warn"),
        Cell(count(dropped), "ok" if not dropped else "warn"),
    )


# -- the page -----------------------------------------------------------------------------------------------------

PanelMaker = Callable[[], Panel]


def panels(makers: Sequence[PanelMaker]) -> list[Panel]:
    """Each panel as measured now."""
    return [make() for make in makers]


def measured_at() -> str:
    return f"{clock.now():%Y-%m-%d %H:%M:%S} UTC"
