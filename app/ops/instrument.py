"""What feeds the metrics: requests (latency by route group, page views and whether they reached the database), cache
reads, database queries, provider calls, jobs and sockets. Each lands in the store (app/ops/metrics.py, the health
dashboard) and, where Prometheus wants it per process, in app/ops/prometheus.py's collectors.

Storage and web know nothing of this: the cache's backend is wrapped here, the database is listened to through
SQLAlchemy's events, providers tell a callback handed to the registry. Jobs and the live service call in.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from flask import Flask, Response, current_app, g, has_app_context, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

from app.ops import metrics, prometheus

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

STARTED = "betscore.ops.started"
# A query slower than this is noted with its statement (never its parameters: they may be personal data).
SLOW_QUERY_MS = 1000.0
STATEMENT_CHARS = 2000
_counting = threading.local()  # inside a get_many that calls get: count the keys once


def init_app(app: Flask) -> None:
    """Measure this app's requests, cache reads and queries (after the cache is set up; nothing when switched off)."""
    if not app.config.get("METRICS_ENABLED", True):
        return
    app.wsgi_app = _Timer(app.wsgi_app)  # type: ignore[method-assign]
    # Runs last (after_request functions run last-registered first), so the time includes the others' work.
    app.after_request_funcs.setdefault(None, []).insert(0, _measure)
    _watch_cache(app)
    if not event.contains(Engine, "before_cursor_execute", _before_query):
        event.listen(Engine, "before_cursor_execute", _before_query)
        event.listen(Engine, "after_cursor_execute", _after_query)
        event.listen(Engine, "handle_error", _forget_failed_query)


# -- requests -----------------------------------------------------------------------------------------------------


class _Timer:
    """Notes when the request arrived, before Flask (routing, session) does anything with it."""

    def __init__(self, wsgi_app: WSGIApplication) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        environ[STARTED] = time.perf_counter()
        return self.wsgi_app(environ, start_response)


def route_group(endpoint: str | None, blueprint: str | None) -> str:
    """The blueprint, "static", "app" for the app's own routes, "unmatched" for a URL that matches none."""
    if endpoint == "static":
        return "static"
    if blueprint:
        return blueprint
    return "app" if endpoint else "unmatched"


def _measure(response: Response) -> Response:
    started = request.environ.get(STARTED)
    if started is None or request.environ.get("HTTP_UPGRADE", "").lower() == "websocket":
        return response
    ms = (time.perf_counter() - started) * 1000
    group = route_group(request.endpoint, request.blueprint)
    status = f"{response.status_code // 100}xx"
    metrics.observe("http.request", ms, group=group, status=status)
    prometheus.REQUESTS.labels(group, status).observe(ms / 1000)
    if _is_page_view(response):
        reached = "yes" if g.get("_ops_queries") else "no"
        metrics.count("page.view", db=reached)
        prometheus.PAGE_VIEWS.labels(reached).inc()
    return response


def _is_page_view(response: Response) -> bool:
    """A page as a visitor opens it: a GET answered with a whole HTML page, or 304 when theirs is still current (not
    an htmx fragment, not a file)."""
    return (
        request.method == "GET"
        and (response.status_code == 304 or (response.status_code == 200 and response.mimetype == "text/html"))
        and request.endpoint not in (None, "static")
        and request.headers.get("HX-Request") != "true"
    )


# -- cache --------------------------------------------------------------------------------------------------------


def _watch_cache(app: Flask) -> None:
    """Count each key a request reads from the cache as a hit or a miss, by wrapping this app's cache backend."""
    backends = app.extensions.get("cache", {})
    for backend in backends.values():
        get, get_many = backend.get, backend.get_many

        def counted_get(key: str, _get: Callable[[str], Any] = get) -> Any:
            value = _get(key)
            if not getattr(_counting, "inside", False):
                _count_reads([value])
            return value

        def counted_get_many(*keys: str, _get_many: Callable[..., list[Any]] = get_many) -> list[Any]:
            _counting.inside = True
            try:
                values = _get_many(*keys)
            finally:
                _counting.inside = False
            _count_reads(values)
            return values

        backend.get, backend.get_many = counted_get, counted_get_many


def _count_reads(values: list[Any]) -> None:
    # Requests only: a job reading its marks is not a visitor served from the cache.
    if not has_request_context() or not values:
        return
    hits = sum(v is not None for v in values)
    for outcome, n in (("hit", hits), ("miss", len(values) - hits)):
        if n:
            metrics.count("cache.get", n, outcome=outcome)
            prometheus.CACHE_GETS.labels(outcome).inc(n)


# -- database -----------------------------------------------------------------------------------------------------


def _before_query(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
    conn.info.setdefault(STARTED, []).append(time.perf_counter())


def _after_query(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
    stack = conn.info.get(STARTED)
    if not stack:
        return
    ms = (time.perf_counter() - stack.pop()) * 1000
    if not has_app_context() or current_app.extensions.get("betscore.metrics") is None:
        return
    metrics.observe("db.query", ms)
    if has_request_context():
        g._ops_queries = g.get("_ops_queries", 0) + 1
    if ms > SLOW_QUERY_MS:
        at = datetime.now(UTC).isoformat(timespec="seconds")
        metrics.note("db.slow", {"statement": statement[:STATEMENT_CHARS], "ms": round(ms, 1), "at": at})


def _forget_failed_query(context: Any) -> None:
    """A statement that raised has no after_cursor_execute: drop its start time."""
    stack = context.connection.info.get(STARTED) if context.connection is not None else None
    if stack:
        stack.pop()


# -- providers, jobs, sockets -------------------------------------------------------------------------------------


def provider_called(provider: str, call: str, outcome: str) -> None:
    """The registry's on_call: one call sent to a provider, and how it went; a good answer is its last success."""
    metrics.count("provider.call", provider=provider, outcome=outcome)
    if outcome == "ok":
        metrics.note(f"provider.ok.{provider}", {"call": call, "at": metrics.now().isoformat()}, keep=1)


def last_success(provider: str) -> datetime | None:
    """When the provider last answered a call well, by any process (None: not in the metrics' memory)."""
    for entry in metrics.recent(f"provider.ok.{provider}", 1):
        try:
            return datetime.fromisoformat(entry["at"])
        except (KeyError, TypeError, ValueError):
            return None
    return None


def job_ran(name: str, seconds: float, outcome: str) -> None:
    """One run of a job: ok, failed (a bug), or retried (a passing failure: provider, database, Redis)."""
    metrics.observe("job.run", seconds * 1000, name=name, outcome=outcome)


def sockets(connections: int, opened: int, messages: int, disconnects: int) -> None:
    """The live service's heartbeat: open sockets now; opened, messages sent and disconnects since the last beat."""
    metrics.gauge("ws.connections", connections)
    prometheus.SOCKETS.set(connections)
    for name, n, counter in (
        ("ws.opened", opened, prometheus.SOCKETS_OPENED),
        ("ws.messages", messages, prometheus.SOCKET_MESSAGES),
        ("ws.disconnects", disconnects, prometheus.SOCKET_DISCONNECTS),
    ):
        if n:
            metrics.count(name, n)
            counter.inc(n)
