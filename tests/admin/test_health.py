"""/admin/health: for admins only; each panel's figures after real requests, beacons and job runs, on both backends;
the marks against each target; and what an empty panel says."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.admin import health, health_backends
from app.extensions import db
from app.ops import instrument, metrics
from app.refresh.usage import ProviderUsage
from tests.conftest import NOW
from tests.ops.conftest import reset_metrics

SITE = {"Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"}


@pytest.fixture(autouse=True)
def _no_earlier_figures(app: Flask) -> None:
    """Each test reads only the figures it made."""
    reset_metrics(app)


def panel(page: str, name: str) -> str:
    found = re.search(rf'<section class="card health-panel[^"]*" id="health-{name}">(.*?)</section>', page, re.S)
    assert found, f"no {name} panel"
    return found.group(1)


def test_only_admins_see_it(client: FlaskClient, as_fan: FlaskClient) -> None:
    assert as_fan.get("/admin/health").status_code == 403
    assert as_fan.get("/admin/health/panels").status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(client: FlaskClient) -> None:
    for path in ("/admin/health", "/admin/health/panels"):
        answer = client.get(path)
        assert answer.status_code in (302, 303) and "/login" in answer.headers["Location"]


def test_the_admin_page_links_to_it(as_admin: FlaskClient) -> None:
    assert 'href="/admin/health"' in as_admin.get("/admin/").get_data(as_text=True)


def test_the_page_polls_its_panels_every_15_seconds(as_admin: FlaskClient, htmx: FlaskClient) -> None:
    page = as_admin.get("/admin/health").get_data(as_text=True)
    assert 'hx-get="/admin/health/panels"' in page and 'hx-trigger="every 15s"' in page
    fragment = as_admin.get("/admin/health/panels", headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "HX-Request" in fragment.headers["Vary"]
    body = fragment.get_data(as_text=True)
    assert body.lstrip().startswith("{#") is False and "<html" not in body and 'id="health-panels"' in body
    for name in ("requests", "caching", "vitals", "providers", "database", "redis", "sockets", "jobs"):
        assert f'id="health-{name}"' in body


def test_requests_and_caching_after_real_requests(app: Flask, as_admin: FlaskClient) -> None:
    for _ in range(3):
        assert as_admin.get("/").status_code == 200
    assert as_admin.get("/model").status_code == 200
    page = as_admin.get("/admin/health").get_data(as_text=True)
    requests = panel(page, "requests")
    assert "<td>matches</td>" in requests and "<td>predictions</td>" in requests and "<td>all</td>" in requests
    assert "Target: p50, p95 and p99 under 200 ms" in requests
    assert re.search(r"<td>all</td><td>5 min</td><td>\d+</td><td[^>]*>0.0%", requests), "no error rate"
    assert "Up " in requests
    caching = panel(page, "caching")
    assert "Hit rate" in caching and re.search(r"<td>5 min</td><td>\d+</td>", caching)
    views = metrics.totals("page.view", health.FIVE_MINUTES)
    assert views[""] >= 5  # the four pages and the admin's own


def test_server_errors_turn_the_error_rate_bad(app: Flask, as_admin: FlaskClient) -> None:
    assert health.error_rate(health.FIVE_MINUTES) == 0  # signing in: no server error
    for _ in range(10):
        metrics.observe("http.request", 15.0, group="matches", status="5xx")
    assert health.error_rate(health.FIVE_MINUTES) > 0.05
    requests = panel(as_admin.get("/admin/health").get_data(as_text=True), "requests")
    assert re.search(r"<td>all</td><td>5 min</td><td>\d+</td><td class=\"mark-cell bad\">[\d.]+% <span", requests)
    # Per route group: the errors are the matches group's; signing in (accounts) erred nothing.
    assert health.error_rate(health.FIVE_MINUTES, "matches") == 1.0
    assert health.error_rate(health.FIVE_MINUTES, "accounts") == 0
    assert health.error_rate(health.FIVE_MINUTES, "nobody") is None
    assert re.search(r"<td>matches</td><td>5 min</td><td>10</td><td class=\"mark-cell bad\">100.0% <span", requests)
    assert re.search(r"<td>accounts</td><td>5 min</td><td>\d+</td><td class=\"mark-cell ok\">0.0% <span", requests)


def test_latency_marks_against_200_ms() -> None:
    assert health.below(150, 200, 400) == "ok"
    assert health.below(250, 200, 400) == "warn"
    assert health.below(900, 200, 400) == "bad"
    assert health.below(None, 200, 400) is None
    assert health.above(0.95, 0.9, 0.75) == "ok" and health.above(0.8, 0.9, 0.75) == "warn"
    assert health.above(0.5, 0.9, 0.75) == "bad"


def test_real_users_per_page_type_from_beacons(as_admin: FlaskClient, client: FlaskClient) -> None:
    beacons = [("LCP", 1800, "match"), ("LCP", 5200, "matches"), ("CLS", 0.3, "matches"), ("INP", 90, "match")]
    for name, value, page in beacons:
        body = f'{{"name": "{name}", "value": {value}, "page": "{page}"}}'
        assert client.post("/vitals", data=body, content_type="text/plain", headers=SITE).status_code == 204
    vitals = panel(as_admin.get("/admin/health").get_data(as_text=True), "vitals")
    rows = dict(re.findall(r"<tr><td>(\w+)</td>(.*?)</tr>", vitals, re.S))
    assert set(rows) == {"match", "matches"}
    assert '<span class="mark ok">OK</span>' in rows["match"] and "Bad" not in rows["match"]
    assert rows["matches"].count('<span class="mark bad">Bad</span>') == 2  # LCP over 4 s, CLS over 0.25


def test_providers_show_circuits_and_a_quota_forecast(app: Flask, as_admin: FlaskClient) -> None:
    providers = panel(as_admin.get("/admin/health").get_data(as_text=True), "providers")
    assert "<td>demo</td>" in providers and "free: no quota" in providers


def test_the_forecast_says_when_a_quota_runs_out() -> None:
    # 300 of 500 credits used by the 10th: at 30 a day the other 200 last until the 16th or so, before the month ends.
    reading = ProviderUsage(
        provider="the-odds-api",
        observed_at=datetime(2026, 11, 10, tzinfo=UTC),
        used=300,
        remaining=200,
        limit=500,
        resets_at=None,
    )
    empty, resets = health_backends.runs_out(reading, reading.observed_at)
    assert resets == datetime(2026, 12, 1, tzinfo=UTC)
    assert empty is not None and empty.date() == datetime(2026, 11, 16, 16, tzinfo=UTC).date()
    cell = health_backends._forecast("The Odds API", reading, reading.observed_at)
    assert cell.text == "at this rate The Odds API runs out on the 16th" and cell.mark == "warn"
    thrifty = ProviderUsage(
        provider="the-odds-api", observed_at=reading.observed_at, used=50, remaining=450, limit=500, resets_at=None
    )
    assert health_backends.runs_out(thrifty, thrifty.observed_at)[0] is None
    assert health_backends._forecast("The Odds API", thrifty, thrifty.observed_at).mark == "ok"


def test_a_daily_quota_forecasts_within_the_day() -> None:
    midnight = datetime(2026, 11, 22, tzinfo=UTC)
    reading = ProviderUsage(
        provider="api-football",
        observed_at=midnight - timedelta(hours=12),
        used=80,
        remaining=20,
        limit=100,
        resets_at=midnight,
    )
    empty, _ = health_backends.runs_out(reading, reading.observed_at)
    assert empty == midnight - timedelta(hours=9)  # 80 in 12 h: the last 20 in 3 h
    assert health_backends._forecast("api-football", reading, reading.observed_at).text == (
        "at this rate api-football runs out at 15:00 UTC"
    )


def test_database_panel_after_real_queries(app: Flask, as_admin: FlaskClient) -> None:
    as_admin.get("/")
    database = panel(as_admin.get("/admin/health").get_data(as_text=True), "database")
    assert re.search(r"<td>Queries, 5 min</td><td>\d+</td>", database)
    assert "Average query, 5 min" in database and "Statements over 1 s" in database


def test_slow_queries_are_listed_with_their_statements(app: Flask, as_admin: FlaskClient) -> None:
    metrics.note("db.slow", {"statement": "SELECT pg_sleep(1.2)", "ms": 1203.4, "at": "2026-11-21T15:39:00+00:00"})
    slow = health_backends.slow_statements()
    if app.config["BACKEND"] == "embedded":
        assert slow == [("SELECT pg_sleep(1.2)", 1203.4, "at 2026-11-21T15:39:00+00:00")]
    database = panel(as_admin.get("/admin/health").get_data(as_text=True), "database")
    mark = "ok" if not slow else "warn"
    assert f'Statements over 1 s</td><td class="mark-cell {mark}">{len(slow)} <span' in database
    assert all(statement[:80] in database for statement, _, _ in slow)


def test_redis_panel_reads_info_or_says_embedded(app: Flask, as_admin: FlaskClient) -> None:
    panel_html = panel(as_admin.get("/admin/health").get_data(as_text=True), "redis")
    if app.config.get("REDIS_URL"):
        assert "Connected clients" in panel_html and "Evicted keys" in panel_html and "Memory" in panel_html
    else:
        assert "Embedded: no Redis" in panel_html


def test_websockets_panel_per_instance(app: Flask, as_admin: FlaskClient) -> None:
    service = app.extensions["betscore.live"]
    service.ensure_started()
    if app.config.get("REDIS_URL"):
        service.heartbeat()
    sockets = panel(as_admin.get("/admin/health").get_data(as_text=True), "sockets")
    assert "Disconnects/min" in sockets and re.search(r"<td>\d+ of [\d,]+</td>", sockets)


def test_jobs_panel_after_a_run(app: Flask, as_admin: FlaskClient, runners) -> None:
    from tests.admin.conftest import token

    answer = as_admin.post("/admin/jobs/competitions/run", data={"csrf_token": token(as_admin)})
    run_id = int(answer.headers["Location"].rsplit("/", 1)[1])
    runners.finish(run_id)
    jobs = panel(as_admin.get("/admin/health").get_data(as_text=True), "jobs")
    row = re.search(r"<tr><td>competitions</td>(.*?)</tr>", jobs, re.S)
    assert row and "ago" in row.group(1) and 'mark-cell ok">ok' in row.group(1)
    assert re.search(r"<tr><td>live</td><td>never</td>", jobs)  # the schedule is off in tests
    if app.config.get("REDIS_URL"):
        assert "Queue default" in jobs
    else:
        assert "Embedded: jobs run in a thread" in jobs


def test_a_late_job_is_marked_late(app: Flask) -> None:
    from app.jobs.runs import JobRun
    from app.jobs.schedule import find

    periodic = find("competitions")
    ten_hours_ago = NOW - timedelta(hours=10)
    run = JobRun(name="competitions", trigger="schedule", state="ok", queued_at=NOW, started_at=ten_hours_ago)
    cells = health_backends._job_row(periodic, run, NOW)
    assert cells[3].text.startswith("late by") and cells[3].mark == "bad"
    nightly = find("cleanup")
    assert health_backends._job_row(nightly, None, NOW)[3].mark is None  # at set times: maybe not due yet
    assert health_backends._job_row(periodic, None, NOW)[3].mark == "warn"  # on an interval: should have run
    on_time = JobRun(name="competitions", trigger="schedule", state="ok", queued_at=NOW, started_at=NOW)
    assert health_backends._job_row(periodic, on_time, NOW)[3].mark == "ok"


def test_empty_panels_say_so(app: Flask) -> None:
    page = health.panels((health.real_users, health.caching, health.requests))
    assert page[0].empty and "No visitor's browser has reported" in page[0].empty and page[0].mark == "none"
    assert page[1].empty and page[1].rows == [] and page[2].empty and page[2].rows == []


def test_an_empty_panel_shows_why_and_no_mark(as_admin: FlaskClient) -> None:
    vitals = panel(as_admin.get("/admin/health").get_data(as_text=True), "vitals")
    assert "No visitor&#39;s browser has reported web vitals" in vitals and "No target measured" in vitals


def test_a_panel_takes_its_worst_mark() -> None:
    mixed = health.Panel("x", "X", "t", rows=[(health.Cell("a", "ok"), health.Cell("b", "warn"))])
    assert mixed.mark == "warn"
    mixed.rows.append((health.Cell("c", "bad"),))
    assert mixed.mark == "bad"


def test_quota_readings_show_on_the_page(app: Flask, as_admin: FlaskClient) -> None:
    db.session.add(
        ProviderUsage(provider="demo", observed_at=NOW - timedelta(minutes=3), used=12, remaining=88, limit=100)
    )
    db.session.commit()
    providers = panel(as_admin.get("/admin/health").get_data(as_text=True), "providers")
    assert "12 of 100" in providers and "<td>88</td>" in providers


def test_a_provider_s_last_success_shows_on_the_page(app: Flask, as_admin: FlaskClient) -> None:
    assert "none recorded" in panel(as_admin.get("/admin/health").get_data(as_text=True), "providers")
    instrument.provider_called("demo", "fixtures", "ok")
    instrument.provider_called("demo", "odds", "error")
    providers = panel(as_admin.get("/admin/health").get_data(as_text=True), "providers")
    assert "under a minute ago" in providers and "none recorded" not in providers


def proven(hours_ago: float, file: str, size: int):
    """A backup a restore proved, finished `hours_ago`."""
    from app.admin.backups import BackupRun

    done = NOW - timedelta(hours=hours_ago)
    return BackupRun(started_at=done - timedelta(hours=1), finished_at=done, file=file, size=size, verified="ok")


def test_backups_panel_shows_the_last_verified_backup(app: Flask, as_admin: FlaskClient) -> None:
    from app.admin.backups import BackupRun

    empty = panel(as_admin.get("/admin/health").get_data(as_text=True), "backups")
    if app.config["BACKEND"] == "embedded":
        assert "Embedded (SQLite): backups are of PostgreSQL" in empty
        return
    assert "No backup has been verified by a restore yet" in empty
    db.session.add(proven(hours_ago=30, file="/backups/betscore-old.dump", size=2_000_000))
    db.session.add(BackupRun(started_at=NOW - timedelta(hours=3), finished_at=NOW, file="/x.dump", verified="failed"))
    db.session.commit()
    stale = panel(as_admin.get("/admin/health").get_data(as_text=True), "backups")
    assert "betscore-old.dump" in stale and "1 d 6 h ago" in stale and "Warning" in stale  # past the 24 h RPO
    db.session.add(proven(hours_ago=1, file="/backups/betscore-new.dump", size=3_500_000))
    db.session.commit()
    fresh = panel(as_admin.get("/admin/health").get_data(as_text=True), "backups")
    assert "betscore-new.dump" in fresh and "3.5 MB" in fresh and '<span class="mark ok">OK</span> Backups' in fresh


def test_a_failed_run_is_a_warning(app: Flask, as_admin: FlaskClient) -> None:
    from app.jobs.runs import JobRun

    calm = panel(as_admin.get("/admin/health").get_data(as_text=True), "jobs")
    assert 'Failed runs, 24 h</td><td class="mark-cell ok">0 ' in calm
    db.session.add(JobRun(name="live", trigger="schedule", state="failed", queued_at=NOW - timedelta(hours=1)))
    db.session.commit()
    jobs = panel(as_admin.get("/admin/health").get_data(as_text=True), "jobs")
    assert 'Failed runs, 24 h</td><td class="mark-cell warn">1 ' in jobs
    if app.config.get("REDIS_URL"):
        assert re.search(r'Queue live</td><td class="mark-cell ok">\d+ waiting', jobs)
