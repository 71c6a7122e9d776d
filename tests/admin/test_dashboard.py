"""/admin/rq: RQ's dashboard for administrators (with Redis), or a page saying jobs run in-process (embedded)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from rq import Queue

from app.storage import redis_client

PAGE = "/admin/rq/"
QUEUES_JSON = "/admin/rq/0/data/queues.json"
QUIET = "betscore-test-nothing"
HARMLESS_POST = f"/admin/rq/requeue/{QUIET}"  # requeues the failed jobs of a queue that has none
SAME_SITE = {"Origin": "http://localhost"}


def guarded_paths(client) -> list[str]:
    """The page, and with Redis one of the dashboard's JSON endpoints too (embedded has none)."""
    return [PAGE, QUEUES_JSON] if client.application.config.get("REDIS_URL") else [PAGE]


def services_only(client) -> None:
    if not client.application.config.get("REDIS_URL"):
        pytest.skip(reason="RQ's dashboard is mounted on the services backend only (needs TEST_REDIS_URL)")


@pytest.fixture
def quiet(app) -> Iterator[Queue | None]:
    """A queue RQ knows (a job was queued on it once) that holds no jobs now, removed after the test."""
    redis = redis_client.connection()
    if redis is None:
        yield None  # embedded: there is no RQ, and the tests using it skip
        return
    queue = Queue(QUIET, connection=redis)
    queue.enqueue("app.jobs.queues.noop")
    queue.empty()
    yield queue
    queue.delete(delete_jobs=True)


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
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Referer": "https://evil.example/x"},
        {"Origin": "null"},
        {"Origin": "http://["},  # no URL at all: urlsplit raises
        {"Referer": "http://[::1"},
        {},
    ],
)
def test_dashboard_refuses_changes_from_other_sites(as_admin, headers):
    services_only(as_admin)
    answer = as_admin.post(HARMLESS_POST, headers=headers)
    assert answer.status_code == 403 and "accepted only from the dashboard" in answer.get_data(as_text=True)
    assert as_admin.get(HARMLESS_POST, headers=headers).status_code == 403  # it answers GET too


@pytest.mark.parametrize("headers", [{"Origin": "http://localhost"}, {"Referer": "http://localhost/admin/rq/"}])
def test_dashboard_accepts_changes_from_its_own_pages_without_a_csrf_token(as_admin, quiet, headers):
    services_only(as_admin)
    answer = as_admin.post(HARMLESS_POST, headers=headers)
    assert answer.status_code == 200 and answer.get_json() == {"status": "OK", "count": 0}


def test_non_admin_cannot_change_the_queue_even_from_its_pages(as_fan):
    answer = as_fan.post(HARMLESS_POST, headers={"Origin": "http://localhost"})
    assert answer.status_code in (403, 404)  # 404 embedded: there is no dashboard to post to
    if as_fan.application.config.get("REDIS_URL"):
        assert answer.status_code == 403


# --- what a URL names must exist and be well formed: 404 or 400, never a 500 ----------------------------------


@pytest.mark.parametrize(
    ("method", "path", "status", "message"),
    [
        ("GET", "/admin/rq/1/", 404, "There is no Redis instance 1"),
        ("GET", "/admin/rq/99/view/workers", 404, "There is no Redis instance 99"),
        ("GET", "/admin/rq/0/view/job/no-such-job", 404, "There is no job &#39;no-such-job&#39;"),
        ("GET", "/admin/rq/0/data/job/no-such-job.json", 404, "There is no job"),
        ("POST", "/admin/rq/job/no-such-job/requeue", 404, "There is no job"),
        ("POST", "/admin/rq/job/no-such-job/delete", 404, "There is no job"),
        ("GET", f"/admin/rq/0/data/jobs/{QUIET}/bogus/8/asc/1.json", 404, "There is no registry &#39;bogus&#39;"),
        ("GET", f"/admin/rq/0/view/jobs/{QUIET}/bogus/8/asc/1", 404, "There is no registry"),
        ("POST", f"/admin/rq/queue/{QUIET}/bogus/empty", 404, "There is no registry"),
        ("GET", f"/admin/rq/0/data/jobs/{QUIET}/failed/x/asc/1.json", 400, "&#39;per_page&#39; must be a whole number"),
        ("GET", f"/admin/rq/0/data/jobs/{QUIET}/failed/0/asc/1.json", 400, "&#39;per_page&#39; must be a whole"),
        ("GET", f"/admin/rq/0/data/jobs/{QUIET}/failed/8/asc/0.json", 400, "&#39;page&#39; must be a whole number"),
        ("GET", f"/admin/rq/0/data/jobs/{QUIET}/failed/8/asc/-1.json", 400, "&#39;page&#39; must be a whole number"),
        ("GET", f"/admin/rq/0/data/jobs/{QUIET}/failed/8/asc/{'9' * 5000}.json", 400, "&#39;page&#39; must be"),
        ("GET", f"/admin/rq/0/view/jobs/{QUIET}/failed/0/asc/1", 400, "&#39;per_page&#39; must be a whole"),
        ("GET", f"/admin/rq/0/data/jobs/{QUIET}/failed/8/sideways/1.json", 400, "The order must be one of"),
        ("POST", "/admin/rq/queue/no-such-queue/compact", 404, "There is no queue &#39;no-such-queue&#39;"),
        ("POST", "/admin/rq/queue/no-such-queue/queued/empty", 404, "There is no queue"),
        ("POST", "/admin/rq/requeue/no-such-queue", 404, "There is no queue"),
        ("GET", "/admin/rq/requeue/no-such-queue", 404, "There is no queue"),
    ],
)
def test_what_does_not_exist_is_404_and_what_is_malformed_400(as_admin, quiet, method, path, status, message):
    services_only(as_admin)
    answer = as_admin.open(path, method=method, headers=SAME_SITE)
    assert answer.status_code == status and message in answer.get_data(as_text=True)


def test_compacting_a_queue_with_no_jobs_has_nothing_to_do(as_admin, quiet):
    services_only(as_admin)
    answer = as_admin.post(f"/admin/rq/queue/{QUIET}/compact", headers=SAME_SITE)
    assert answer.status_code == 200 and answer.get_json() == {"status": "OK"}


def test_compacting_a_queue_keeps_its_jobs(as_admin, quiet):
    services_only(as_admin)
    job = quiet.enqueue("app.jobs.queues.noop")
    answer = as_admin.post(f"/admin/rq/queue/{QUIET}/compact", headers=SAME_SITE)
    assert answer.status_code == 200 and answer.get_json() == {"status": "OK"}
    assert quiet.job_ids == [job.id]


def test_a_job_that_exists_is_shown(as_admin, quiet):
    services_only(as_admin)
    job = quiet.enqueue("app.jobs.queues.noop")
    assert as_admin.get(f"/admin/rq/0/view/job/{job.id}").status_code == 200
    data = as_admin.get(f"/admin/rq/0/data/job/{job.id}.json")
    assert data.status_code == 200 and data.get_json()["id"] == job.id
    listing = as_admin.get(f"/admin/rq/0/data/jobs/{QUIET}/queued/8/asc/1.json")
    assert listing.status_code == 200 and [j["id"] for j in listing.get_json()["jobs"]] == [job.id]


def test_a_queue_nobody_used_is_shown_empty(as_admin):
    services_only(as_admin)
    answer = as_admin.get("/admin/rq/0/data/jobs/no-such-queue/queued/8/asc/1.json")
    assert answer.status_code == 200 and answer.get_json()["jobs"] == []
    assert as_admin.get("/admin/rq/0/view/jobs/no-such-queue/failed/8/asc/1").status_code == 200
