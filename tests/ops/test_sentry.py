"""Error tracking against a Sentry of the test's own (a real HTTP server on loopback decoding the SDK's envelopes):
a failure in a view and one in a job each arrive once, tagged with the request or job id, with no secret in them."""

from __future__ import annotations

import pytest
import sentry_sdk
from flask import request

from app import config
from app.jobs import queues
from app.jobs.job import job
from tests.jobs.test_queues import InProcess, redis  # noqa: F401  (redis: RQ's fixture, RQ state cleared around it)
from tests.ops.test_logs import EMAIL, OTHER_KEY, PASSWORD, PROVIDER_KEY, SECRETS

SESSION_ID = "Xk2m9QpL7vR3tY8wZ1aB4cD6eF0gH5jK2lN"


def careless_view():
    """A view that fails with the visitor's address and password in its message and its variables."""
    password, email = request.form["password"], request.form["email"]
    raise RuntimeError(f"could not sign in {email} with {password!r} at {request.url}")


def test_an_exception_in_a_view_arrives_once_with_its_request_id_and_no_secret(app_with, sentry_server):
    app = app_with(SENTRY_DSN=sentry_server.dsn, ODDS_API_KEY=PROVIDER_KEY)
    app.add_url_rule("/careless", view_func=careless_view, methods=["POST"])
    answer = app.test_client().post(
        f"/careless?apiKey={OTHER_KEY}&q={PROVIDER_KEY}&email={EMAIL}",
        data={"email": EMAIL, "password": PASSWORD},
        headers={
            "X-Request-ID": "sentry-view-0001",
            "Authorization": f"Bearer {OTHER_KEY}",
            "Cookie": f"session={SESSION_ID}",
        },
    )
    assert answer.status_code == 500
    sentry_sdk.flush()
    [event] = sentry_server.items("event")
    assert event["tags"]["request_id"] == "sentry-view-0001"
    [error] = event["exception"]["values"]
    assert error["type"] == "RuntimeError" and error["value"].startswith(
        "could not sign in [redacted] with '[redacted]'"
    )
    assert event["environment"] == "development" and event["release"] == app.extensions["betscore.asset_version"]
    assert event["request"]["query_string"] == "apiKey=[redacted]&q=[redacted]&email=[redacted]"
    assert sentry_server.items("transaction") == []  # tracing is off unless SENTRY_TRACES_SAMPLE_RATE says
    everything = sentry_server.everything()
    assert [s for s in (*SECRETS, SESSION_ID) if s in everything] == []


@job
def refresh_nothing(address: str) -> dict:
    """A job on the app's own path (the job decorator logs each failed attempt with its traceback)."""
    raise KeyError(f"no account for {address} with key {PROVIDER_KEY}")


@pytest.mark.usefixtures("redis")
def test_an_exception_in_a_job_arrives_once_after_its_retries_with_its_job_id(app_with, sentry_server):
    """Two retries at once (no wait): three failures of one job, one event, when no retry is left."""
    app = app_with(SENTRY_DSN=sentry_server.dsn, ODDS_API_KEY=PROVIDER_KEY, JOB_RETRY_INTERVALS=(0, 0))
    with app.app_context():
        job_id = queues.enqueue("tests.ops.test_sentry:refresh_nothing", EMAIL)
    queues.make_worker(app, ["default"], worker_class=InProcess).work(burst=True)
    sentry_sdk.flush()
    [event] = sentry_server.items("event")
    assert event["tags"]["job_id"] == job_id
    assert event["exception"]["values"][-1]["type"] == "KeyError"
    assert event["extra"]["rq-job"]["job_id"] == job_id
    assert [s for s in SECRETS if s in sentry_server.everything()] == []


def test_tracing_at_the_configured_rate_sends_scrubbed_transactions(app_with, sentry_server):
    app = app_with(SENTRY_DSN=sentry_server.dsn, SENTRY_TRACES_SAMPLE_RATE=1.0, SENTRY_RELEASE="abc1234")
    answer = app.test_client().get(f"/leagues/epl?email={EMAIL}", headers={"X-Request-ID": "sentry-trace-0001"})
    assert answer.status_code == 200
    sentry_sdk.flush()
    [transaction] = sentry_server.items("transaction")
    assert transaction["transaction"] == "/leagues/<key>" and transaction["release"] == "abc1234"
    assert transaction["tags"]["request_id"] == "sentry-trace-0001"
    assert sentry_server.items("event") == [] and EMAIL not in sentry_server.everything()


def test_the_sample_rate_is_a_share():
    assert config.load({"SENTRY_TRACES_SAMPLE_RATE": "0.25"})["SENTRY_TRACES_SAMPLE_RATE"] == 0.25
    assert config.load({})["SENTRY_TRACES_SAMPLE_RATE"] == 0.0
    for bad in ("1.5", "-0.1"):
        with pytest.raises(ValueError, match="SENTRY_TRACES_SAMPLE_RATE"):
            config.load({"SENTRY_TRACES_SAMPLE_RATE": bad})
