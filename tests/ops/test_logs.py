"""Production's JSON log lines: one per request and per job, with their ids, and nothing secret or personal in any
line; the X-Request-ID a client sends is taken only when sane; `make run` keeps its readable text."""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import request
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.jobs import queues
from app.ops import logs
from tests.jobs.test_queues import InProcess, redis  # noqa: F401  (redis: RQ's fixture, RQ state cleared around it)

ROOT = Path(__file__).resolve().parents[2]
PROVIDER_KEY = "0dd5ap1k3y7f9c2e4b6a8d0f1e3c5a7b"  # the configured ODDS_API_KEY, found by its value
OTHER_KEY = "9a8b7c6d5e4f3a2b"  # a key under a name that says it is one (apiKey), not configured here
EMAIL = "private.fan@example.com"
PASSWORD = "a long enough secret"
SECRETS = (PROVIDER_KEY, OTHER_KEY, EMAIL, PASSWORD, "private.fan%40example.com", "a+long+enough+secret")


def test_a_request_has_one_line_with_its_id_route_status_duration_and_hashed_user(
    app, client, auth, make_user, json_lines, monkeypatch
):
    monkeypatch.setitem(app.config, "LOG_FORMAT", "json")
    user = make_user(EMAIL, PASSWORD)
    auth.login(EMAIL, PASSWORD)
    answer = client.get("/leagues/epl", headers={"X-Request-ID": "edge-7f3a9c01"})
    assert answer.status_code == 200 and answer.headers["X-Request-ID"] == "edge-7f3a9c01"
    [line] = json_lines.of("betscore.request", request_id="edge-7f3a9c01")
    assert line["level"] == "INFO" and line["method"] == "GET" and line["status"] == 200
    assert line["route"] == "/leagues/<key>" and line["path"] == "/leagues/epl" and line["query"] is None
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert line["user"] == logs.user_hash(str(user.id), app.config["SECRET_KEY"]) and str(user.id) != line["user"]
    assert datetime.fromisoformat(line["time"]).tzinfo == UTC
    assert EMAIL not in json_lines.text()


def test_a_request_without_an_id_gets_a_new_one_on_every_line_and_in_the_response(app, client, json_lines, monkeypatch):
    monkeypatch.setitem(app.config, "LOG_FORMAT", "json")
    first, second = client.get("/static/app.css"), client.get("/no-such-page")
    first.close()
    ids = first.headers["X-Request-ID"], second.headers["X-Request-ID"]
    assert ids[0] != ids[1] and all(logs.REQUEST_ID.fullmatch(i) for i in ids)
    assert json_lines.of("betscore.request", request_id=ids[1])[0]["status"] == 404
    assert json_lines.of("betscore.request", request_id=ids[1])[0]["route"] is None


def test_secrets_and_personal_data_in_a_request_are_on_no_line(app_with, json_lines):
    """A careless view logs the whole form and fails with the password in its message: no line carries the provider
    key, the other key, the address or the password, whether they came in the query string or the form."""
    app = app_with(LOG_FORMAT="json", ODDS_API_KEY=PROVIDER_KEY)

    @app.post("/careless")
    def careless():
        logging.getLogger("betscore.careless").warning("form %s, query %s", request.form, request.args)
        raise RuntimeError(f"could not sign in {request.form['email']} with {request.form['password']!r}")

    query = f"apiKey={OTHER_KEY}&q={PROVIDER_KEY}&email=private.fan%40example.com&password=a+long+enough+secret"
    form = {"email": EMAIL, "password": PASSWORD, "note": f"key {PROVIDER_KEY}"}
    answer = app.test_client().post(f"/careless?{query}", data=form, headers={"X-Request-ID": "careless-0001"})
    assert answer.status_code == 500
    lines = [line for line in json_lines.all() if line.get("request_id") == "careless-0001"]
    assert {line["logger"] for line in lines} == {"betscore.careless", "betscore.errors", "betscore.request"}
    [failure] = [line for line in lines if line["logger"] == "betscore.errors"]
    assert "RuntimeError: could not sign in [redacted] with '[redacted]'" in failure["traceback"]
    [request_line] = json_lines.of("betscore.request", request_id="careless-0001")
    assert request_line["status"] == 500 and request_line["level"] == "WARNING"
    assert request_line["query"] == "apiKey=[redacted]&q=[redacted]&email=[redacted]&password=[redacted]"
    everything = json_lines.text()
    assert [s for s in SECRETS if s in everything] == []


def test_a_sign_in_with_secrets_in_the_query_string_and_the_form_leaves_none_in_the_logs(
    app_with, json_lines, make_user
):
    """The real sign-in form, failing (wrong password), with a provider key and the address in the query string."""
    app = app_with(LOG_FORMAT="json", ODDS_API_KEY=PROVIDER_KEY)
    client = app.test_client()
    answer = client.post(
        f"/login?apiKey={OTHER_KEY}&q={PROVIDER_KEY}&email={EMAIL}",
        data={"email": EMAIL, "password": PASSWORD},
        headers={"X-Request-ID": "signin-0001"},
    )
    assert answer.status_code == 400
    [line] = json_lines.of("betscore.request", request_id="signin-0001")
    assert line["route"] == "/login" and line["method"] == "POST" and line["user"] is None
    assert [s for s in SECRETS if s in json_lines.text()] == []


SANE = st.from_regex(logs.REQUEST_ID, fullmatch=True)


# The property reads no database: the per-test rollback around it (a function-scoped fixture) changes nothing.
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(offered=st.one_of(SANE, st.text(max_size=300), st.text(alphabet=st.characters(max_codepoint=255))))
def test_a_hostile_request_id_is_replaced_never_echoed(app, json_lines, offered):
    app.config["LOG_FORMAT"] = "json"
    try:
        answer = app.test_client().get("/static/app.css", environ_overrides={"HTTP_X_REQUEST_ID": offered})
        answer.close()
    finally:
        app.config["LOG_FORMAT"] = "text"
    given_back = answer.headers["X-Request-ID"]
    assert logs.REQUEST_ID.fullmatch(given_back)
    assert (given_back == offered) == bool(logs.REQUEST_ID.fullmatch(offered))
    assert json_lines.of("betscore.request", request_id=given_back)


def said(**summary):
    logging.getLogger("betscore.jobs").info("working on %s for %s", summary, EMAIL)
    return summary


def fails():
    raise KeyError(f"no such thing for {EMAIL}")


@pytest.mark.usefixtures("redis")
@pytest.mark.parametrize(("func", "outcome", "level"), [("said", "ok", "INFO"), ("fails", "failed", "WARNING")])
def test_a_job_has_one_line_with_its_rq_id_and_its_lines_carry_it(app, json_lines, monkeypatch, func, outcome, level):
    monkeypatch.setitem(app.config, "LOG_FORMAT", "json")
    with app.app_context():
        job_id = queues.enqueue(f"tests.ops.test_logs:{func}", retries=False)
    queues.make_worker(app, ["default"], worker_class=InProcess).work(burst=True)
    [line] = json_lines.of("betscore.job", job_id=job_id)
    assert line["job"] == f"tests.ops.test_logs.{func}" and line["queue"] == "default"
    assert line["outcome"] == outcome and line["level"] == level and line["duration_ms"] >= 0
    own = [d for d in json_lines.all() if d.get("job_id") == job_id and d["logger"] != "betscore.job"]
    assert own, "the job's own lines carry its id"
    assert EMAIL not in json_lines.text()


@pytest.mark.usefixtures("redis")
def test_a_retried_job_says_so(app, json_lines, monkeypatch):
    monkeypatch.setitem(app.config, "LOG_FORMAT", "json")
    with app.app_context():
        job_id = queues.enqueue("tests.ops.test_logs:fails")
    queues.make_worker(app, ["default"], worker_class=InProcess).work(burst=True)
    assert json_lines.of("betscore.job", job_id=job_id)[0]["outcome"] == "retried"


TEXT_LINE = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (DEBUG|INFO|WARNING|ERROR|CRITICAL) [\w.]+: .*")
PROBE = """
import logging, wsgi
answer = wsgi.app.test_client().get("/static/app.css", headers={"X-Request-ID": "probe-0001"})
answer.close()
logging.getLogger("betscore.probe").info("served %s as %s", answer.status_code, answer.headers["X-Request-ID"])
"""


def run_wsgi(tmp_path: Path, **env: str) -> list[str]:
    """wsgi.py, as `make run` and gunicorn import it, in a process of its own: what it wrote to stderr, by line."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("LOG_", "BETSCORE_", "SENTRY_"))}
    environ.update(DATABASE_URL=f"sqlite:///{tmp_path / 'probe.db'}", SCHEDULER="off", REDIS_URL="", **env)
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=environ, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stderr.splitlines()


def test_make_run_keeps_its_readable_text_lines(tmp_path):
    lines = run_wsgi(tmp_path)
    assert "INFO betscore.probe: served 200 as probe-0001" in "\n".join(lines)
    assert [line for line in lines if not TEXT_LINE.fullmatch(line)] == []
    assert not any("betscore.request" in line for line in lines)  # the development server writes its own


def test_production_writes_json_lines_and_a_line_per_request(tmp_path):
    lines = run_wsgi(tmp_path, BETSCORE_ENV="production", SECRET_KEY="a production secret, long enough")
    parsed = [json.loads(line) for line in lines]
    assert {"time", "level", "logger", "message"} <= set(parsed[-1])
    [request_line] = [d for d in parsed if d["logger"] == "betscore.request"]
    assert request_line["request_id"] == "probe-0001" and request_line["status"] == 200


def test_log_settings_refuse_unknown_values():
    from app import config

    assert config.log_settings({"BETSCORE_ENV": "production"}) == {"LOG_FORMAT": "json", "LOG_LEVEL": "INFO"}
    assert config.log_settings({"LOG_FORMAT": "JSON", "LOG_LEVEL": "debug"}) == {
        "LOG_FORMAT": "json",
        "LOG_LEVEL": "DEBUG",
    }
    for bad in ({"LOG_FORMAT": "xml"}, {"LOG_LEVEL": "loud"}):
        with pytest.raises(ValueError, match="LOG_"):
            config.log_settings(bad)
