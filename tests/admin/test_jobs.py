"""The jobs panel, "Run now" and the run's self-replacing progress, as an admin uses them."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from rq import Queue
from sqlalchemy import func, select

from app.extensions import db
from app.jobs import runs
from app.jobs.runs import JobRun
from app.jobs.schedule import PERIODIC, find
from tests.admin.conftest import token

JOB = "standings:epl"  # cheap: one table from the demo provider
POLLS = 30


def run_count() -> int:
    return db.session.scalar(select(func.count()).select_from(JobRun)) or 0


def run_id_in(html: str) -> int:
    match = re.search(r'id="admin-run-(\d+)"', html)
    assert match, f"no run fragment in: {html[:300]}"
    return int(match.group(1))


def fresh_get(app: Flask, client: FlaskClient, path: str, **options):
    """A request in its own app context, so its own session, as in production: the test's session
    may still hold a run as it was before another session (the run's thread, a worker) changed it."""
    with app.app_context():
        return client.get(path, **options)


def poll_until_finished(app: Flask, client: FlaskClient, run_id: int) -> str:
    """Ask for the fragment as htmx does until it stops asking for itself (a bounded number of times)."""
    html = ""
    for _ in range(POLLS):
        answer = fresh_get(app, client, f"/admin/jobs/runs/{run_id}", headers={"HX-Request": "true"})
        assert answer.status_code == 200
        html = answer.get_data(as_text=True)
        if "hx-get" not in html:
            return html
    raise AssertionError(f"run {run_id} still unfinished after {POLLS} polls; last fragment:\n{html}")


@pytest.mark.parametrize("path", ["/admin/jobs", "/admin/jobs/runs/1"])
def test_signed_out_visitor_is_sent_to_sign_in(client, path):
    answer = client.get(path)
    assert answer.status_code == 302
    assert answer.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize("path", ["/admin/jobs", "/admin/jobs/runs/1"])
def test_non_admin_gets_403(as_fan, path):
    answer = as_fan.get(path)
    assert answer.status_code == 403 and "for administrators" in answer.get_data(as_text=True)


def test_only_admins_can_run_a_job(client, as_fan, auth, runners):
    before = run_count()
    assert as_fan.post(f"/admin/jobs/{JOB}/run", data={"csrf_token": auth.csrf("/")}).status_code == 403
    auth.logout()
    answer = client.post(f"/admin/jobs/{JOB}/run", data={"csrf_token": auth.csrf()})
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/login")
    assert run_count() == before
    assert runners.held == []


def test_admin_index_links_to_the_jobs_panel(as_admin):
    html = as_admin.get("/admin/").get_data(as_text=True)
    assert "<title>Demo · Admin · BetScore</title>" in html
    assert 'href="/admin/jobs"' in html.split('<main id="main">', 1)[1]


def test_panel_lists_every_declared_job_with_its_cadence_and_a_run_button(as_admin):
    answer = as_admin.get("/admin/jobs")
    assert answer.status_code == 200
    html = answer.get_data(as_text=True)
    for p in PERIODIC:
        row = html.split(f'id="admin-job-{p.id.replace(":", "-")}"', 1)[1].split("</tr>", 1)[0]
        assert f">{p.id}</th>" in row and p.cadence in row and p.queue in row
        assert f'action="/admin/jobs/{p.id}/run"' in row and 'name="csrf_token"' in row
        assert f'hx-target="#admin-job-{p.id.replace(":", "-")}-result"' in row


def test_panel_shows_the_last_run_and_the_recent_runs_with_their_detail(app, as_admin, runners):
    run = runs.submit(JOB)
    runners.finish(run.id)
    html = fresh_get(app, as_admin, "/admin/jobs").get_data(as_text=True)
    row = html.split('id="admin-job-standings-epl"', 1)[1].split("</tr>", 1)[0]
    assert '<span class="state ok">ok</span>' in row
    recent = html.split(f'id="admin-runs-{run.id}"', 1)[1].split("</tr>", 1)[0]
    assert ">admin<" in recent and "<details>" in recent and "<pre>{" in recent


def test_run_now_without_csrf_token_is_400_and_starts_nothing(as_admin, runners):
    before = run_count()
    answer = as_admin.post(f"/admin/jobs/{JOB}/run", data={})
    assert answer.status_code == 400
    assert "expired" in answer.get_data(as_text=True)
    assert run_count() == before and runners.held == []


@pytest.mark.parametrize(
    ("periodic_id", "message"),
    [
        ("nope", "No job is declared as “nope”"),
        ("fixtures:atlantis", "No job is declared"),
        ("x" * 65, "We can’t find that page"),
    ],
)
def test_run_now_of_an_undeclared_job_is_404_and_starts_nothing(as_admin, runners, periodic_id, message):
    before = run_count()
    answer = as_admin.post(f"/admin/jobs/{periodic_id}/run", data={"csrf_token": token(as_admin)})
    assert answer.status_code == 404
    assert message in answer.get_data(as_text=True)
    assert run_count() == before and runners.held == []


@pytest.mark.parametrize("run_id", ["2147483647", "99999999999999999999999", "-1", "abc"])
def test_unknown_or_huge_run_id_is_404(as_admin, run_id):
    assert as_admin.get(f"/admin/jobs/runs/{run_id}").status_code == 404


def test_run_now_without_htmx_redirects_to_the_run_page(as_admin, runners):
    answer = as_admin.post(f"/admin/jobs/{JOB}/run", data={"csrf_token": token(as_admin)})
    assert answer.status_code == 303
    run = db.session.scalars(select(JobRun).order_by(JobRun.id.desc())).first()
    assert run is not None and run.name == JOB and run.trigger == "admin"
    assert answer.headers["Location"] == f"/admin/jobs/runs/{run.id}"
    page = as_admin.get(answer.headers["Location"])
    assert page.status_code == 200 and "HX-Request" in page.headers["Vary"]
    html = page.get_data(as_text=True)
    assert "<html" in html and f'id="admin-run-{run.id}"' in html and 'hx-trigger="load delay:1s"' in html


def test_run_now_shows_progress_until_the_outcome(app, as_admin, runners):
    answer = as_admin.post(
        f"/admin/jobs/{JOB}/run", data={"csrf_token": token(as_admin)}, headers={"HX-Request": "true"}
    )
    assert answer.status_code == 200 and "HX-Request" in answer.headers["Vary"]
    html = answer.get_data(as_text=True)
    run_id = run_id_in(html)
    assert "<html" not in html and "queued" in html
    assert f'hx-get="/admin/jobs/runs/{run_id}"' in html
    assert 'hx-trigger="load delay:1s"' in html and 'hx-swap="outerHTML"' in html

    runners.finish(run_id)  # the thread, or the worker, runs it
    html = poll_until_finished(app, as_admin, run_id)
    assert f'id="admin-run-{run_id}"' in html and "hx-trigger" not in html and "hx-swap" not in html
    assert '<span class="state ok">ok</span>' in html
    assert re.search(r"[\d.]+ s · \d+ rows? written · \d+ provider requests?", html)
    assert '<pre class="run-detail">{' in html
    with app.app_context():
        run = db.session.get(JobRun, run_id)
        assert run is not None and run.finished and run.state == "ok"
        assert run.started_at is not None and run.finished_at is not None and run.attempt == 1


def test_a_running_run_shows_its_attempt_and_elapsed_time(htmx, as_admin, clock):
    run = JobRun(name=JOB, trigger="admin", state="running", queued_at=clock.now, started_at=clock.now, attempt=2)
    db.session.add(run)
    db.session.commit()
    clock.advance(seconds=42)
    html = as_admin.get(f"/admin/jobs/runs/{run.id}", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "running</span>, attempt 2, for 42 s" in html and "hx-get" in html


def test_a_failed_run_shows_the_end_of_its_traceback(as_admin, clock):
    trace = "Traceback (most recent call last):\n" + "  a frame\n" * 400 + "ProviderError: demo: standings: down"
    run = JobRun(
        name=JOB,
        trigger="admin",
        state="failed",
        queued_at=clock.now,
        started_at=clock.now,
        finished_at=clock.now,
        seconds=0.5,
        attempt=1,
        detail=trace,
    )
    db.session.add(run)
    db.session.commit()
    html = as_admin.get(f"/admin/jobs/runs/{run.id}", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "hx-get" not in html and '<span class="state failed">failed</span>' in html
    shown = html.split('<pre class="run-detail">', 1)[1].split("</pre>", 1)[0]
    assert shown.startswith("Traceback") and shown.endswith("ProviderError: demo: standings: down")
    assert len(shown) < 900


def test_on_the_embedded_backend_submit_starts_a_thread_of_this_process(app, as_admin, runners):
    if runners.redis is not None:
        pytest.skip(reason="with Redis configured, submit() queues on RQ (see the next test)")
    run = runs.submit(JOB)
    thread = runners.thread_for(run.id)
    assert thread.started and thread.target is runs._execute_in and thread.args == (app, run.id)
    assert thread.options.get("daemon") is True
    assert run.state == "queued"


def test_on_the_services_backend_submit_queues_the_run_on_rq(app, as_admin, runners):
    if runners.redis is None:
        pytest.skip(reason="the services backend only: needs TEST_DATABASE_URL and TEST_REDIS_URL")
    html = as_admin.post(
        f"/admin/jobs/{JOB}/run", data={"csrf_token": token(as_admin)}, headers={"HX-Request": "true"}
    ).get_data(as_text=True)
    run_id = run_id_in(html)
    queue = Queue(find(JOB).queue, connection=runners.redis)
    assert f"run-{run_id}" in queue.job_ids
    job = runners.rq_job(run_id)
    assert job.func_name == "app.jobs.runs.execute" and job.func is runs.execute and job.args == (run_id,)
    assert runners.held == []
    with app.app_context():
        run = db.session.get(JobRun, run_id)
        assert run is not None and run.job_id == f"run-{run_id}"

    runners.finish(run_id)
    assert '<span class="state ok">ok</span>' in poll_until_finished(app, as_admin, run_id)
