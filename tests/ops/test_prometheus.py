"""/metrics: only for the scraper with the token, in Prometheus's text format, with every family the issue asks for."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from prometheus_client.parser import text_string_to_metric_families

from app.extensions import db
from app.ops import metrics
from app.refresh.usage import ProviderUsage
from tests.ops.conftest import make_app

TOKEN = "s3cret-scrape-token"
RIGHT = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def scraped(measured: Flask) -> Flask:
    measured.config["METRICS_TOKEN"] = TOKEN
    yield measured
    measured.config["METRICS_TOKEN"] = None


def test_without_a_token_set_there_is_no_metrics_page(client: FlaskClient) -> None:
    assert client.get("/metrics", headers=RIGHT).status_code == 404


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        "Bearer",
        "Bearer ",
        "Bearer wrong",
        f"Bearer {TOKEN}x",
        f"Bearer {TOKEN[:-1]}",
        f"Basic {TOKEN}",
        TOKEN,
        f"Bearer {'x' * 10_000}",
        "Bearer s3cret-scrape-tokén",
        "Bearer \x00\x01",
    ],
)
def test_a_wrong_or_missing_token_is_401(scraped: Flask, client: FlaskClient, authorization: str | None) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert "betscore_" not in response.get_data(as_text=True)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=255), max_size=200))
def test_no_authorization_header_but_the_token_opens_it(scraped: Flask, client: FlaskClient, header: str) -> None:
    response = client.get("/metrics", headers={"Authorization": header})
    expected = 200 if header.strip() in (f"Bearer {TOKEN}", f"bearer {TOKEN}") else 401
    assert response.status_code == expected


def test_the_scrape_has_every_family(scraped: Flask, client: FlaskClient) -> None:
    client.get("/")
    with scraped.app_context():
        metrics.count("provider.call", provider="the-odds-api", outcome="ok")
        metrics.observe("job.run", 1500.0, name="odds", outcome="ok")
        db.session.add(
            ProviderUsage(provider="the-odds-api", observed_at=datetime.now(UTC), remaining=321, used=179, limit=500)
        )
        db.session.flush()
        response = client.get("/metrics", headers=RIGHT)
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    families = {f.name: f for f in text_string_to_metric_families(response.get_data(as_text=True))}
    for name in (
        "betscore_http_request_duration_seconds",
        "betscore_page_views",
        "betscore_cache_gets",
        "betscore_ws_connections",
        "betscore_job_duration_seconds",
        "betscore_provider_calls",
        "betscore_provider_quota_remaining",
        "betscore_provider_quota_limit",
    ):
        assert name in families, name
    samples = {(s.name, tuple(sorted(s.labels.items()))): s.value for f in families.values() for s in f.samples}
    assert samples[("betscore_provider_calls_total", (("outcome", "ok"), ("provider", "the-odds-api")))] >= 1
    assert samples[("betscore_provider_quota_remaining", (("provider", "the-odds-api"),))] == 321
    job = (("name", "odds"), ("outcome", "ok"))
    assert samples[("betscore_job_duration_seconds_count", job)] >= 1
    assert samples[("betscore_job_duration_seconds_bucket", (("le", "1.0"), *job))] == 0  # 1.5 s is above 1 s
    assert samples[("betscore_job_duration_seconds_bucket", (("le", "2.0"), *job))] >= 1
    requests = [s for s in families["betscore_http_request_duration_seconds"].samples if s.labels.get("group")]
    assert any(s.labels["group"] == "matches" and s.labels["status"] == "2xx" for s in requests)


def test_only_the_token_holder_passes_the_rate_limit() -> None:
    app = make_app(None, METRICS_TOKEN=TOKEN, RATELIMIT_ENABLED=True, RATELIMIT_APPLICATION="3 per minute")
    scraper, stranger = app.test_client(), app.test_client()
    assert [scraper.get("/metrics", headers=RIGHT).status_code for _ in range(6)] == [200] * 6
    assert [stranger.get("/metrics").status_code for _ in range(4)] == [401, 401, 401, 429]
