"""The health page's panels of what the app stands on: providers (quota and its burn-down, circuit, last answer),
the database (pool, query times, slow statements), Redis (its INFO) and the background jobs (queues, failures,
lateness). The page's shape and marks are in app/admin/health.py."""

from __future__ import annotations

import calendar
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import QueuePool

from app import clock
from app.admin import backups
from app.admin.health import DAY, FIVE_MINUTES, Cell, Panel, count, duration, ms
from app.extensions import db
from app.jobs import queues, runs
from app.jobs.runs import JobRun
from app.jobs.schedule import PERIODIC, Periodic
from app.ops import instrument, metrics
from app.refresh import providers, usage
from app.refresh.usage import ProviderUsage

SLOW_MS = 1000.0
AVERAGE_QUERY_MS = 20.0  # the average query under this
QUEUE_DEPTH = 100  # jobs waiting past this: workers are not keeping up
SLOW_SHOWN = 5
STATEMENT_SHOWN = 300
# Providers as their own sites name them.
NAMES = {"the-odds-api": "The Odds API", "api-football": "API-Football", "football-data": "football-data.org"}
RPO = timedelta(hours=24)  # the newest proven backup no older than this (README: Backups and restore)
CIRCUIT_MARK = {"closed": "ok", "half_open": "warn", "open": "bad", "none": None}


# -- providers ----------------------------------------------------------------------------------------------------


def providers_panel() -> Panel:
    panel = Panel(
        "providers",
        "Providers",
        "quota lasts until it resets; circuits closed",
        ("Provider", "Quota used", "Left", "Forecast", "Circuit", "Last success", "Calls 24 h"),
    )
    readings = usage.latest()
    calls = metrics.totals("provider.call", DAY, by="provider")
    now = clock.now()
    for name, provider in sorted(providers.configured().items()):
        reading = readings.get(name)
        circuit = provider.circuit()
        panel.rows.append(
            (
                Cell(NAMES.get(name, name)),
                Cell(_used(reading)),
                Cell("–" if reading is None or reading.remaining is None else count(reading.remaining)),
                _forecast(NAMES.get(name, name), reading, now) if provider.paid else Cell("free: no quota"),
                Cell(circuit.replace("_", "-"), CIRCUIT_MARK.get(circuit)),
                _last_success(name, now),
                Cell(count(calls.get(name, 0.0))),
            )
        )
    return panel.or_empty("No provider is configured.")


def _last_success(name: str, now: datetime) -> Cell:
    """When the provider last answered a call well (kept with the metrics, 25 hours in Redis)."""
    at = instrument.last_success(name)
    if at is None:
        return Cell("none recorded")
    return Cell(f"{duration(max((now - at).total_seconds(), 0))} ago")


def _used(reading: ProviderUsage | None) -> str:
    if reading is None or reading.used is None:
        return "–"
    return f"{reading.used:,}" + (f" of {reading.limit:,}" if reading.limit else "")


def runs_out(reading: ProviderUsage, now: datetime) -> tuple[datetime | None, datetime]:
    """When the quota runs out at the rate it has been spent since its period began (None: not before it resets),
    and when it resets. The period is a day when the provider says it resets within one, else the calendar month."""
    resets = reading.resets_at or _month_end(reading.observed_at)
    daily = resets - reading.observed_at <= timedelta(days=1)
    begun = resets - timedelta(days=1) if daily else reading.observed_at.replace(day=1, hour=0, minute=0, second=0)
    elapsed = (reading.observed_at - begun).total_seconds()
    if not reading.used or elapsed <= 0 or reading.remaining is None:
        return None, resets
    rate = reading.used / elapsed  # units a second
    empty = reading.observed_at + timedelta(seconds=reading.remaining / rate)
    return (empty if empty < resets else None), resets


def _month_end(instant: datetime) -> datetime:
    days = calendar.monthrange(instant.year, instant.month)[1]
    return instant.replace(day=days, hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)


def _ordinal(day: int) -> str:
    return f"{day}{'th' if 11 <= day % 100 <= 13 else {1: 'st', 2: 'nd', 3: 'rd'}.get(day % 10, 'th')}"


def _forecast(name: str, reading: ProviderUsage | None, now: datetime) -> Cell:
    if reading is None or reading.remaining is None:
        return Cell("no quota reading yet")
    if reading.remaining <= 0:
        return Cell(f"{name} has run out until it resets", "bad")
    empty, resets = runs_out(reading, now)
    if empty is None:
        return Cell(f"lasts until it resets ({resets:%d %b %H:%M} UTC)", "ok")
    when = f"at {empty:%H:%M} UTC" if empty.date() == now.date() else f"on the {_ordinal(empty.day)}"
    return Cell(f"at this rate {name} runs out {when}", "bad" if empty - now < timedelta(days=1) else "warn")


# -- database -----------------------------------------------------------------------------------------------------


def database_panel() -> Panel:
    panel = Panel(
        "database",
        "Database",
        f"average query under {AVERAGE_QUERY_MS:.0f} ms; no query over {SLOW_MS / 1000:.0f} s",
        ("Figure", "Value"),
    )
    pool = db.engine.pool
    if isinstance(pool, QueuePool):
        in_use = f"{pool.checkedout()} (pool of {pool.size()}, {max(pool.overflow(), 0)} over)"
        panel.rows.append((Cell("Connections in use, this process"), Cell(in_use)))
    for label, window in (("5 min", FIVE_MINUTES), ("24 h", DAY)):
        figures = metrics.quantiles("db.query", window).get("")
        if figures is None:
            continue
        mean = figures["mean"]
        panel.rows.append((Cell(f"Queries, {label}"), Cell(count(figures["count"]))))
        panel.rows.append(
            (Cell(f"Average query, {label}"), Cell(ms(mean), "ok" if mean < AVERAGE_QUERY_MS else "warn"))
        )
    slow = slow_statements()
    panel.rows.append((Cell("Statements over 1 s"), Cell(count(len(slow)), "ok" if not slow else "warn")))
    for statement, took, source in slow[:SLOW_SHOWN]:
        panel.rows.append((Cell(statement[:STATEMENT_SHOWN]), Cell(f"{ms(took)} ({source})")))
    return panel


def slow_statements() -> list[tuple[str, float, str]]:
    """Statements slower than a second: (statement, ms, where from), from pg_stat_statements where the extension is
    there, else the app's own notes of its slow queries."""
    if db.engine.dialect.name == "postgresql":
        found = _pg_stat_statements()
        if found is not None:
            return found
    return [(e["statement"], float(e["ms"]), f"at {e['at']}") for e in metrics.recent("db.slow", limit=SLOW_SHOWN)]


def _pg_stat_statements() -> list[tuple[str, float, str]] | None:
    query = text(
        "SELECT query, mean_exec_time, calls FROM pg_stat_statements "
        "WHERE mean_exec_time > :slow ORDER BY mean_exec_time DESC LIMIT :n"
    )
    try:
        with db.engine.connect() as conn:  # its own connection: a failure here must not spoil the page's
            if conn.scalar(text("SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements'")) is None:
                return None
            rows = conn.execute(query, {"slow": SLOW_MS, "n": SLOW_SHOWN}).all()
    except SQLAlchemyError:  # not preloaded (shared_preload_libraries), or not readable by this role
        return None
    return [(row.query, float(row.mean_exec_time), f"mean of {row.calls:,} calls") for row in rows]


# -- Redis --------------------------------------------------------------------------------------------------------


def redis_panel() -> Panel:
    panel = Panel("redis", "Redis", "no evictions; memory under its limit", ("Figure", "Value"))
    url = current_app.config.get("REDIS_URL")
    if not url:
        panel.empty = "Embedded: no Redis (cache, limits and jobs live in this process)."
        return panel
    info = _info(url)
    if info is None:
        panel.rows.append((Cell("Reachable"), Cell("no: Redis did not answer", "bad")))
        return panel
    limit = int(info.get("maxmemory", 0))
    used = int(info.get("used_memory", 0))
    full = used / limit if limit else None
    evicted = int(info.get("evicted_keys", 0))
    panel.rows += [
        (
            Cell("Memory"),
            Cell(
                f"{info.get('used_memory_human', used)}" + (f" of {info.get('maxmemory_human')}" if limit else ""),
                None if full is None else "ok" if full < 0.9 else "warn",
            ),
        ),
        (Cell("Operations/s"), Cell(count(float(info.get("instantaneous_ops_per_sec", 0))))),
        (Cell("Evicted keys"), Cell(count(evicted), "ok" if not evicted else "warn")),
        (Cell("Connected clients"), Cell(count(float(info.get("connected_clients", 0))))),
        (Cell("Up"), Cell(duration(float(info.get("uptime_in_seconds", 0))))),
    ]
    return panel


def _info(url: str) -> dict[str, Any] | None:
    client = Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=1.0)
    try:
        info: dict[str, Any] = client.info()
        return info
    except (RedisError, OSError):
        return None
    finally:
        client.close()


# -- jobs ---------------------------------------------------------------------------------------------------------


def jobs_panel() -> Panel:
    panel = Panel(
        "jobs",
        "Jobs",
        f"no job late; no failed runs; under {QUEUE_DEPTH} waiting",
        ("Job", "Last run", "State", "On time"),
    )
    now = clock.now()
    last = runs.latest()
    for periodic in PERIODIC:
        panel.rows.append(_job_row(periodic, last.get(periodic.id), now))
    since = now - DAY
    failed = db.session.scalar(select(func.count()).where(JobRun.state == "failed", JobRun.queued_at >= since)) or 0
    panel.rows.append(
        (Cell("Failed runs, 24 h"), Cell(count(failed), "ok" if not failed else "warn"), Cell(""), Cell(""))
    )
    for queue, (waiting, dead) in queues.depths().items():
        waiting_cell = Cell(f"{waiting:,} waiting", "ok" if waiting < QUEUE_DEPTH else "warn")
        panel.rows.append((Cell(f"Queue {queue}"), waiting_cell, Cell(f"{dead:,} failed for good"), Cell("")))
    if not current_app.config.get("REDIS_URL"):
        panel.notes.append("Embedded: jobs run in a thread of this process, with no queue.")
    return panel


def _job_row(periodic: Periodic, run: JobRun | None, now: datetime) -> tuple[Cell, ...]:
    if run is None or run.started_at is None:
        # A job at set times (the nightly cleanup) may not have been due yet; one on an interval should have run.
        mark = None if periodic.cron else "warn"
        return (Cell(periodic.id), Cell("never"), Cell("–"), Cell("not run yet", mark))
    due = periodic.next_after(run.started_at)
    grace = max(timedelta(minutes=2), (periodic.every or timedelta(hours=1)) / 2)
    late = now - due if now > due + grace else None
    state_mark = "bad" if run.state == "failed" else "ok"
    return (
        Cell(periodic.id),
        Cell(f"{duration((now - run.started_at).total_seconds())} ago"),
        Cell(run.state, state_mark),
        Cell(f"late by {duration(late.total_seconds())}" if late else "yes", "bad" if late else "ok"),
    )


# -- backups ------------------------------------------------------------------------------------------------------


def backups_panel() -> Panel:
    panel = Panel("backups", "Backups", "a backup proven by a restore within the last 24 h (RPO)", ("Figure", "Value"))
    if db.engine.dialect.name != "postgresql":
        return panel.or_empty("Embedded (SQLite): backups are of PostgreSQL (the README's Backups and restore).")
    last = backups.last_verified()
    if last is None or last.finished_at is None:
        return panel.or_empty("No backup has been verified by a restore yet (`flask backup create`, then `verify`).")
    age = clock.now() - last.finished_at
    mark = "ok" if age <= RPO else "warn" if age <= 2 * RPO else "bad"
    panel.rows += [
        (Cell("Last verified"), Cell(f"{duration(age.total_seconds())} ago", mark)),
        (Cell("File"), Cell(last.file or "–")),
        (Cell("Size"), Cell("–" if last.size is None else f"{last.size / 1e6:,.1f} MB")),
    ]
    return panel
