"""`/metrics` for Prometheus, behind a token (METRICS_TOKEN, sent as `Authorization: Bearer <token>`).

Two kinds of figures. Per process, kept by prometheus-client: request latency by route group, page views, cache
reads, sockets; under gunicorn each worker writes them to files in PROMETHEUS_MULTIPROC_DIR and a scrape adds them up
(gunicorn.conf.py wipes the folder at start and forgets a dead worker's gauges). For the whole deployment, read at
scrape time: job durations and outcomes and provider calls from the store's lifetime totals (the workers recording
them serve no /metrics), and the quota each provider has left.
"""

from __future__ import annotations

import hmac
import logging
import math
from collections.abc import Callable, Iterator, Mapping

from flask import Blueprint, Flask, Response, abort, current_app, request
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from prometheus_client.metrics_core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector

from app.extensions import limiter
from app.ops import metrics

log = logging.getLogger("betscore.metrics")
bp = Blueprint("metrics", __name__)
# What provider usage the scrape reports: provider -> (remaining, limit), either None when unknown.
QuotaReader = Callable[[], Mapping[str, tuple[int | None, int | None]]]

REGISTRY = CollectorRegistry(auto_describe=False)  # this process's own figures (not the library's default ones)
SECONDS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0, 2.5, 5.0, 10.0)
REQUESTS = Histogram(
    "betscore_http_request_duration_seconds",
    "Time to answer a request, by route group (blueprint) and status class",
    ["group", "status"],
    buckets=SECONDS,
    registry=REGISTRY,
)
PAGE_VIEWS = Counter(
    "betscore_page_views", "Whole pages served, by whether they reached the database", ["db"], registry=REGISTRY
)
CACHE_GETS = Counter(
    "betscore_cache_gets", "Keys requests read from the cache, by hit or miss", ["outcome"], registry=REGISTRY
)
SOCKETS = Gauge("betscore_ws_connections", "Open live sockets", multiprocess_mode="livesum", registry=REGISTRY)
SOCKETS_OPENED = Counter("betscore_ws_opened", "Live sockets accepted", registry=REGISTRY)
SOCKET_MESSAGES = Counter("betscore_ws_messages", "Messages sent to live sockets", registry=REGISTRY)
SOCKET_DISCONNECTS = Counter("betscore_ws_disconnects", "Live sockets closed", registry=REGISTRY)


_filtering = False


def init_app(app: Flask, quota: QuotaReader) -> None:
    app.extensions["betscore.metrics.quota"] = quota
    app.register_blueprint(bp)
    global _filtering
    if not _filtering:  # one Limiter serves every app of the process: its filter is added once
        limiter.request_filter(_scraper_with_token)
        _filtering = True


@bp.get("/metrics")
def index() -> Response:
    """The exposition; 404 without METRICS_TOKEN (no such page), 401 with a wrong or missing token."""
    if not current_app.config.get("METRICS_TOKEN"):
        abort(404)
    if not _authorized():
        return Response("A valid token is required.\n", 401, {"WWW-Authenticate": 'Bearer realm="metrics"'})
    registry = CollectorRegistry(auto_describe=False)
    directory = current_app.config.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        MultiProcessCollector(registry, path=directory)
    else:
        registry.register(REGISTRY)
    registry.register(_Deployment(current_app.extensions["betscore.metrics.quota"]))
    return Response(generate_latest(registry), 200, {"Content-Type": CONTENT_TYPE_PLAIN_0_0_4})


def _authorized() -> bool:
    """`Authorization: Bearer <METRICS_TOKEN>`, compared in constant time."""
    token: str = current_app.config.get("METRICS_TOKEN") or ""
    scheme, _, given = request.headers.get("Authorization", "").strip().partition(" ")
    if not token or scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(given.strip().encode("utf-8", "surrogateescape"), token.encode("utf-8"))


def _scraper_with_token() -> bool:
    """Flask-Limiter's request filter: the scraper with the right token is not rate limited (anyone else is)."""
    return request.endpoint == "metrics.index" and _authorized()


class _Deployment:
    """Figures of the whole deployment, read when scraped."""

    def __init__(self, quota: QuotaReader) -> None:
        self.quota = quota

    def collect(self) -> Iterator[Metric]:
        yield self._jobs()
        yield self._provider_calls()
        yield from self._quota()

    def _jobs(self) -> Metric:
        family = HistogramMetricFamily(
            "betscore_job_duration_seconds",
            "Job runs by job and outcome (ok, failed, retried)",
            labels=["name", "outcome"],
        )
        runs: dict[str, dict[str, float]] = {}
        for key, value in metrics.lifetime("job.run").items():
            kind, _, labels = key.partition("|")
            runs.setdefault(labels, {})[kind] = value
        for labels, fields in sorted(runs.items()):
            cumulative, buckets = 0.0, []
            for index, bound in enumerate(metrics.BOUNDS):
                cumulative += fields.get(f"b{index}", 0.0)
                buckets.append(("+Inf" if math.isinf(bound) else repr(bound / 1000), cumulative))
            family.add_metric(_values(labels, ("name", "outcome")), buckets, sum_value=fields.get("s", 0.0) / 1000)
        return family

    def _provider_calls(self) -> Metric:
        family = CounterMetricFamily(
            "betscore_provider_calls", "Calls sent to providers by outcome (ok, error, timeout, quota)",
            labels=["provider", "outcome"],
        )  # fmt: skip
        for key, value in sorted(metrics.lifetime("provider.call").items()):
            family.add_metric(_values(key.partition("|")[2], ("provider", "outcome")), value)
        return family

    def _quota(self) -> Iterator[Metric]:
        remaining = GaugeMetricFamily(
            "betscore_provider_quota_remaining", "Quota a provider has left", labels=["provider"]
        )
        limit = GaugeMetricFamily(
            "betscore_provider_quota_limit", "A provider's quota for its period", labels=["provider"]
        )
        try:
            readings = self.quota()
        except Exception as exc:  # the database is down: the other figures still go out
            log.warning("quota not scraped: %s", type(exc).__name__)
            readings = {}
        for provider, (left, total) in sorted(readings.items()):
            if left is not None:
                remaining.add_metric([provider], left)
            if total is not None:
                limit.add_metric([provider], total)
        yield remaining
        yield limit


def _values(labels: str, names: tuple[str, ...]) -> list[str]:
    """Label values in the order of `names`, from the store's "k=v,k2=v2"."""
    pairs = dict(pair.partition("=")[::2] for pair in labels.split(",") if pair)
    return [pairs.get(name, "") for name in names]
