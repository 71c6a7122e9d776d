"""The metrics store on both backends: what is recorded is what is read back, over the window asked for."""

from __future__ import annotations

import math
import time
from datetime import timedelta

import pytest
from flask import Flask
from hypothesis import given
from hypothesis import strategies as st

from app.ops import metrics, stores

FIVE_MINUTES = timedelta(minutes=5)
DAY = timedelta(hours=24)


def test_counters_add_up_per_label(store_app: Flask) -> None:
    metrics.count("cache.get", outcome="hit")
    metrics.count("cache.get", outcome="hit")
    metrics.count("cache.get", 3, outcome="miss")

    assert metrics.totals("cache.get", FIVE_MINUTES, by="outcome") == {"hit": 2.0, "miss": 3.0}
    assert metrics.totals("cache.get", FIVE_MINUTES) == {"": 5.0}
    assert metrics.totals("cache.get", FIVE_MINUTES, by="absent") == {"": 5.0}
    assert metrics.totals("nothing.recorded", FIVE_MINUTES) == {}


def test_totals_of_the_figures_whose_labels_match(store_app: Flask) -> None:
    metrics.observe("http.request", 10, group="matches", status="5xx")
    metrics.observe("http.request", 10, group="matches", status="2xx")
    metrics.observe("http.request", 10, group="odds", status="2xx")

    assert metrics.totals("http.request", FIVE_MINUTES, by="status", where={"group": "matches"}) == {
        "5xx": 1.0,
        "2xx": 1.0,
    }
    assert metrics.totals("http.request", FIVE_MINUTES, where={"group": "odds", "status": "2xx"}) == {"": 1.0}
    assert metrics.totals("http.request", FIVE_MINUTES, where={"group": "odds", "status": "5xx"}) == {}
    assert metrics.totals("http.request", FIVE_MINUTES, where={"group": "match"}) == {}  # a whole value, not a prefix


def test_the_window_keeps_only_recent_minutes(store_app: Flask) -> None:
    clock = store_app.config["CLOCK"]
    metrics.count("page.view", db="yes")
    clock.advance(minutes=10)
    metrics.count("page.view", db="no")

    assert metrics.totals("page.view", FIVE_MINUTES, by="db") == {"no": 1.0}
    assert metrics.totals("page.view", DAY, by="db") == {"yes": 1.0, "no": 1.0}


def test_quantiles_are_interpolated_in_their_bucket(store_app: Flask) -> None:
    for ms in range(1, 101):  # 1..100 ms, evenly
        metrics.observe("http.request", float(ms), group="matches", status="2xx")
    metrics.observe("http.request", 900.0, group="admin", status="5xx")

    figures = metrics.quantiles("http.request", FIVE_MINUTES, by="group")
    matches = figures["matches"]
    assert matches["count"] == 100
    assert matches["sum"] == pytest.approx(5050)
    assert matches["mean"] == pytest.approx(50.5)
    # Bucket bounds ... 50, 75, 100: each estimate lies inside the bucket of the true value.
    assert 25 <= matches[0.5] <= 50
    assert 75 <= matches[0.95] <= 100
    assert 75 <= matches[0.99] <= 100
    assert 750 <= figures["admin"][0.5] <= 1000
    assert metrics.totals("http.request", FIVE_MINUTES, by="status") == {"2xx": 100.0, "5xx": 1.0}


def test_an_empty_window_has_no_quantiles(store_app: Flask) -> None:
    assert metrics.quantiles("http.request", FIVE_MINUTES) == {}
    assert metrics.quantile([0.0] * len(metrics.BOUNDS), 0.5) is None


def test_values_past_the_last_bound_read_as_the_last_bound(store_app: Flask) -> None:
    metrics.observe("job.run", 10_000_000.0, name="slow", outcome="ok")
    assert metrics.quantiles("job.run", FIVE_MINUTES)[""][0.5] == metrics.BOUNDS[-2]


@given(st.lists(st.floats(min_value=0, max_value=200_000, allow_nan=False), min_size=1, max_size=50))
def test_a_quantile_lies_within_the_observations_buckets(values: list[float]) -> None:
    buckets = [0.0] * len(metrics.BOUNDS)
    for v in values:
        buckets[metrics.bisect.bisect_left(metrics.BOUNDS, v)] += 1
    ordered = sorted(values)
    for q in (0.0, 0.5, 0.95, 1.0):
        estimate = metrics.quantile(buckets, q)
        assert estimate is not None
        true = ordered[max(0, math.ceil(q * len(ordered)) - 1)]  # the observation of rank q * n
        index = metrics.bisect.bisect_left(metrics.BOUNDS, true)
        lower = metrics.BOUNDS[index - 1] if index else 0.0
        upper = metrics.BOUNDS[index] if index < len(metrics.BOUNDS) - 1 else metrics.BOUNDS[-2]
        assert lower - 1e-9 <= estimate <= upper + 1e-9


def test_gauges_are_per_process_and_go_stale(store_app: Flask) -> None:
    metrics.gauge("ws.connections", 4)
    metrics.gauge("ws.connections", 7)
    metrics.gauge("quota.left", 120, provider="the_odds_api")

    assert metrics.gauges("ws.connections") == {metrics.instance(): 7.0}
    assert metrics.gauges("quota.left") == {f"{metrics.instance()}|provider=the_odds_api": 120.0}
    store_app.config["CLOCK"].advance(minutes=16)
    assert metrics.gauges("ws.connections") == {}


def test_notes_keep_the_newest(store_app: Flask) -> None:
    for i in range(5):
        metrics.note("db.slow", {"statement": f"SELECT {i}", "ms": 1000 + i}, keep=3)

    assert [e["statement"] for e in metrics.recent("db.slow")] == ["SELECT 4", "SELECT 3", "SELECT 2"]
    assert len(metrics.recent("db.slow", limit=1)) == 1


def test_started_is_no_later_than_now(store_app: Flask) -> None:
    metrics.count("page.view", db="no")  # the first figure of a process announces it (Redis)
    assert metrics.started() <= metrics.datetime.now(metrics.UTC)


def test_hostile_label_values_stay_inside_their_label(store_app: Flask) -> None:
    metrics.count("provider.call", provider="x,outcome=ok|c", outcome="error")
    metrics.count("provider.call", provider="a" * 500, outcome="ok")

    by_outcome = metrics.totals("provider.call", FIVE_MINUTES, by="outcome")
    assert by_outcome == {"error": 1.0, "ok": 1.0}
    assert all(len(p) <= 80 for p in metrics.totals("provider.call", FIVE_MINUTES, by="provider"))


def test_a_batch_sends_its_figures_when_it_ends(store_app: Flask) -> None:
    with metrics.batched():
        metrics.count("cache.get", outcome="hit")
        with metrics.batched():
            metrics.count("cache.get", outcome="hit")
        assert metrics.totals("cache.get", FIVE_MINUTES) == {}  # waiting for the outer batch's end
    assert metrics.totals("cache.get", FIVE_MINUTES) == {"": 2.0}


def test_a_request_sends_its_figures_when_it_ends(store_app: Flask) -> None:
    seen = {}

    @store_app.get("/_metrics_probe")
    def probe() -> str:
        metrics.count("probe.hit", outcome="hit")
        seen["during"] = metrics.totals("probe.hit", FIVE_MINUTES)
        return "ok"

    assert store_app.test_client().get("/_metrics_probe").status_code == 200
    assert seen["during"] == {}
    assert metrics.totals("probe.hit", FIVE_MINUTES) == {"": 1.0}


def test_lifetime_totals_outlive_the_window(store_app: Flask) -> None:
    metrics.count("provider.call", provider="the-odds-api", outcome="ok")
    metrics.observe("job.run", 40.0, name="refresh_odds", outcome="ok")
    store_app.config["CLOCK"].advance(hours=30)
    metrics.count("provider.call", provider="the-odds-api", outcome="ok")

    assert metrics.totals("provider.call", DAY) == {"": 1.0}
    assert metrics.lifetime("provider.call") == {"c|outcome=ok,provider=the-odds-api": 2.0}
    assert metrics.lifetime("job.run")["n|name=refresh_odds,outcome=ok"] == 1.0
    assert metrics.lifetime("cache.get") == {}


def test_switched_off_nothing_is_recorded() -> None:
    from tests.ops.conftest import make_app

    app = make_app(None, METRICS_ENABLED=False)
    with app.app_context():
        metrics.count("cache.get", outcome="hit")
        metrics.observe("http.request", 5.0)
        assert metrics.totals("cache.get", FIVE_MINUTES) == {}
        assert metrics.quantiles("http.request", FIVE_MINUTES) == {}


def test_outside_an_app_nothing_is_recorded_and_nothing_raises() -> None:
    metrics.count("cache.get", outcome="hit")
    assert metrics.totals("cache.get", FIVE_MINUTES) == {}


def test_every_redis_key_expires(store_app: Flask) -> None:
    url = store_app.config["REDIS_URL"]
    if not url:
        pytest.skip(reason="expiry is the Redis store's")
    import redis

    for _ in range(3):
        with metrics.batched():
            metrics.count("cache.get", outcome="hit")
            metrics.observe("db.query", 3.0)
            metrics.observe("db.query", 4.0)
            metrics.gauge("ws.connections", 1)
            metrics.note("db.slow", {"statement": "SELECT 1"})
    client = redis.Redis.from_url(url)
    ttls = {k.decode(): client.ttl(k) for k in client.scan_iter(stores.PREFIX + "*")}
    client.close()
    assert ttls and all(ttl > 0 for key, ttl in ttls.items() if ":started:" not in key), ttls
    assert metrics.quantiles("db.query", FIVE_MINUTES)[""]["count"] == 6


def test_a_requests_figures_reach_other_processes_with_the_next_flush(store_app: Flask) -> None:
    url = store_app.config["REDIS_URL"]
    if not url:
        pytest.skip(reason="deferred sending is the Redis store's")

    @store_app.get("/_metrics_deferred")
    def probe() -> str:
        metrics.count("probe.deferred")
        return "ok"

    assert store_app.test_client().get("/_metrics_deferred").status_code == 200
    elsewhere = stores.RedisStore(url)  # what another process reads: nothing of this one's pending figures
    now = int(store_app.config["CLOCK"]().timestamp() // 60)
    minute = range(now, now + 1)
    deadline = time.monotonic() + 30
    while elsewhere.buckets("probe.deferred", minute) != [{"c|": 1.0}]:
        assert time.monotonic() < deadline, "the flush thread never sent the request's figures"
        time.sleep(0.1)


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_a_value_that_is_no_number_is_no_figure_and_spoils_none(store_app: Flask, bad: float) -> None:
    with metrics.batched():
        metrics.observe("vitals", bad, metric="CLS", page="match")
        metrics.count("cache.get", bad, outcome="hit")
        metrics.gauge("ws.connections", bad)
        metrics.observe("vitals", 0.05, metric="CLS", page="match")
    assert metrics.quantiles("vitals", FIVE_MINUTES)[""]["count"] == 1
    assert metrics.totals("cache.get", FIVE_MINUTES) == {}
    assert metrics.gauges("ws.connections") == {}
