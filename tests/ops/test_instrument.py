"""What feeds the metrics, as a visitor, a job, a provider and a socket cause it."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.ops import metrics
from app.providers.base import ProviderError
from app.providers.http import HTTPSettings
from tests.providers.conftest import ProviderServer, Reply

WINDOW = timedelta(minutes=5)


def test_a_page_is_timed_by_route_group_and_status(measured: Flask, client: FlaskClient) -> None:
    assert client.get("/").status_code == 200
    assert client.get("/no-such-page").status_code == 404

    with measured.app_context():
        by_group = metrics.quantiles("http.request", WINDOW, by="group")
        by_status = metrics.totals("http.request", WINDOW, by="status")
    assert by_group["matches"]["count"] == 1
    assert by_group["matches"][0.5] > 0
    assert by_group["unmatched"]["count"] == 1
    assert by_status == {"2xx": 1.0, "4xx": 1.0}


def test_a_page_view_says_whether_it_reached_the_database(measured: Flask, client: FlaskClient) -> None:
    client.get("/")  # a cold cache: the page reads the database
    with measured.app_context():
        assert metrics.totals("page.view", WINDOW, by="db").get("yes") == 1.0
        queries = metrics.quantiles("db.query", WINDOW)[""]["count"]
    assert queries > 0


def test_a_revalidated_page_is_a_page_view(measured: Flask, client: FlaskClient) -> None:
    tag = client.get("/").headers["ETag"]
    assert client.get("/", headers={"If-None-Match": tag}).status_code == 304
    with measured.app_context():
        assert sum(metrics.totals("page.view", WINDOW, by="db").values()) == 2
        assert metrics.totals("http.request", WINDOW, by="status") == {"2xx": 1.0, "3xx": 1.0}


def test_fragments_and_files_are_not_page_views(measured: Flask, htmx: FlaskClient, client: FlaskClient) -> None:
    htmx.get("/")
    client.get("/static/app.css").close()
    with measured.app_context():
        assert metrics.totals("page.view", WINDOW) == {}
        assert metrics.totals("http.request", WINDOW, by="group").get("static") == 1.0


def test_cache_reads_count_hits_and_misses(measured: Flask, client: FlaskClient) -> None:
    client.get("/")
    with measured.app_context():
        first = metrics.totals("cache.get", WINDOW, by="outcome")
    client.get("/")
    with measured.app_context():
        second = metrics.totals("cache.get", WINDOW, by="outcome")
    assert first.get("miss", 0) > 0
    assert second.get("hit", 0) > first.get("hit", 0)  # the second view reads what the first one stored


def test_a_slow_query_is_noted_without_its_parameters(measured: Flask) -> None:
    if db.engine.dialect.name != "postgresql":
        pytest.skip(reason="pg_sleep is PostgreSQL's; SQLite has no way to sleep in a query")
    with measured.app_context():
        db.session.execute(sa.text("SELECT pg_sleep(1.05), :secret"), {"secret": "hunter2-password"})
        metrics.flush()
        slow = metrics.recent("db.slow")
    assert len(slow) == 1
    assert "pg_sleep" in slow[0]["statement"]
    assert "hunter2" not in str(slow[0])
    assert slow[0]["ms"] >= 1000


def fails_like_a_bug() -> dict:
    raise RuntimeError("a bug")


def fails_like_an_outage() -> dict:
    raise ProviderError("the-odds-api", "odds", "HTTP 503")


def test_a_job_run_is_timed_with_its_outcome(measured: Flask) -> None:
    from app.jobs import runs
    from app.jobs.schedule import Periodic

    with measured.app_context():
        runs.run_periodic("settle")
        for func in ("fails_like_a_bug", "fails_like_an_outage"):
            with pytest.raises((RuntimeError, ProviderError)):
                runs.run_scheduled(Periodic(func, f"tests.ops.test_instrument:{func}", timedelta(minutes=1)))
        figures = metrics.quantiles("job.run", WINDOW, by="outcome")
        lifetime = metrics.lifetime("job.run")
    assert {outcome: f["count"] for outcome, f in figures.items()} == {"ok": 1, "failed": 1, "retried": 1}
    assert lifetime["n|name=settle,outcome=ok"] >= 1.0
    assert lifetime["n|name=fails_like_a_bug,outcome=failed"] >= 1.0


def test_provider_calls_are_counted_by_outcome(measured: Flask) -> None:
    from app.providers import registry

    server = ProviderServer()
    try:
        server.route("/v4/sports", Reply(body=b"[]"))
        server.route("/v4/broken", Reply(status=500))
        server.route("/v4/limited", Reply(status=429, headers={"Retry-After": "600"}))
        server.route("/v4/slow", Reply(delay=1.0))
        settings = {**measured.config, "ODDS_API_KEY": "k", "ODDS_API_BASE_URL": server.url + "/v4"}
        from app.ops import instrument

        with measured.app_context():
            odds = registry.build(settings, lambda: None, on_call=instrument.provider_called)["odds"][0]
            odds.http.settings = HTTPSettings(retries=0, read_timeout=0.2)
            assert instrument.last_success("the-odds-api") is None
            odds.http.get_json("sports", "/sports")
            succeeded = instrument.last_success("the-odds-api")
            for path in ("/broken", "/limited", "/slow"):
                with pytest.raises(ProviderError):
                    odds.http.get_json("x", path)
            calls = metrics.totals("provider.call", WINDOW, by="outcome")
            after_failures = instrument.last_success("the-odds-api")
    finally:
        server.close()
    assert calls == {"ok": 1.0, "error": 1.0, "quota": 1.0, "timeout": 1.0}
    # The health page's "last success": the good answer, which the failures after it do not move.
    assert succeeded is not None and after_failures == succeeded


def test_sockets_are_reported_by_the_heartbeat(measured: Flask) -> None:
    from app.live.hub import Connection
    from app.live.service import Live

    with measured.app_context():
        live = Live(measured)
        conn = Connection(None, address="192.0.2.1")
        assert live.hub.admit(conn) is None
        live.hub.sent(3)
        live.heartbeat()
        assert metrics.gauges("ws.connections") == {metrics.instance(): 1.0}
        live.hub.remove(conn, 1000)
        live.heartbeat()
        assert metrics.gauges("ws.connections") == {metrics.instance(): 0.0}
        assert metrics.totals("ws.opened", WINDOW) == {"": 1.0}
        assert metrics.totals("ws.messages", WINDOW) == {"": 3.0}
        assert metrics.totals("ws.disconnects", WINDOW) == {"": 1.0}
        live.stop()
