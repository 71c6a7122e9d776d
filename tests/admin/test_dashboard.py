"""/admin/rq: RQ's dashboard for administrators (with Redis), or a page saying jobs run in-process (embedded)."""

from __future__ import annotations

import pytest

PAGE = "/admin/rq/"
QUEUES_JSON = "/admin/rq/0/data/queues.json"
HARMLESS_POST = "/admin/rq/requeue/betscore-test-nothing"  # requeues the failed jobs of a queue nobody uses


def guarded_paths(client) -> list[str]:
    """The page, and with Redis one of the dashboard's JSON endpoints too (embedded has none)."""
    return [PAGE, QUEUES_JSON] if client.application.config.get("REDIS_URL") else [PAGE]


def services_only(client) -> None:
    if not client.application.config.get("REDIS_URL"):
        pytest.skip(reason="RQ's dashboard is mounted on the services backend only (needs TEST_REDIS_URL)")


def test_signed_out_visitor_gets_403_not_a_redirect(client):
    for path in guarded_paths(client):
        assert client.get(path).status_code == 403, path
    assert client.get("/admin/rq").status_code in (301, 308)  # to the page with its slash, which is 403


def test_non_admin_gets_403(as_fan):
    for path in guarded_paths(as_fan):
        answer = as_fan.get(path)
        assert answer.status_code == 403 and "for administrators" in answer.get_data(as_text=True), path


def test_admin_index_links_to_the_queue(as_admin):
    assert 'href="/admin/rq/"' in as_admin.get("/admin/").get_data(as_text=True)


def test_embedded_admin_is_told_jobs_run_in_process(as_admin):
    if as_admin.application.config.get("REDIS_URL"):
        pytest.skip(reason="embedded backend only: with Redis, /admin/rq is RQ's dashboard")
    answer = as_admin.get(PAGE)
    assert answer.status_code == 200
    html = answer.get_data(as_text=True)
    assert "No queue in embedded mode" in html and "in-process" in html and 'href="/admin/jobs"' in html
    assert answer.headers["Content-Security-Policy"] == as_admin.get("/").headers["Content-Security-Policy"]
    assert as_admin.get(QUEUES_JSON).status_code == 404


def test_admin_sees_rqs_dashboard_with_its_own_csp(as_admin):
    services_only(as_admin)
    page = as_admin.get(PAGE)
    assert page.status_code == 200 and "RQ dashboard" in page.get_data(as_text=True)
    assert "'unsafe-inline'" in page.headers["Content-Security-Policy"]
    data = as_admin.get(QUEUES_JSON)
    assert data.status_code == 200 and "queues" in data.get_json()
    for path in ("/admin/rq/0/data/workers.json", "/admin/rq/0/view/workers", "/admin/rq/0/view/jobs"):
        assert as_admin.get(path).status_code == 200, path
    # The looser policy stays on the dashboard.
    site_policy = as_admin.get("/").headers["Content-Security-Policy"]
    assert as_admin.get("/admin/jobs").headers["Content-Security-Policy"] == site_policy


@pytest.mark.parametrize(
    "headers", [{"Origin": "https://evil.example"}, {"Referer": "https://evil.example/x"}, {"Origin": "null"}, {}]
)
def test_dashboard_refuses_changes_from_other_sites(as_admin, headers):
    services_only(as_admin)
    answer = as_admin.post(HARMLESS_POST, headers=headers)
    assert answer.status_code == 403 and "accepted only from the dashboard" in answer.get_data(as_text=True)
    assert as_admin.get(HARMLESS_POST, headers=headers).status_code == 403  # it answers GET too


@pytest.mark.parametrize("headers", [{"Origin": "http://localhost"}, {"Referer": "http://localhost/admin/rq/"}])
def test_dashboard_accepts_changes_from_its_own_pages_without_a_csrf_token(as_admin, headers):
    services_only(as_admin)
    answer = as_admin.post(HARMLESS_POST, headers=headers)
    assert answer.status_code == 200 and answer.get_json() == {"status": "OK", "count": 0}


def test_non_admin_cannot_change_the_queue_even_from_its_pages(as_fan):
    answer = as_fan.post(HARMLESS_POST, headers={"Origin": "http://localhost"})
    assert answer.status_code in (403, 404)  # 404 embedded: there is no dashboard to post to
    if as_fan.application.config.get("REDIS_URL"):
        assert answer.status_code == 403
