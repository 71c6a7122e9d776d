"""Log lines: the readable text `make run` prints (LOG_FORMAT=text), or one JSON object a line (LOG_FORMAT=json, the
production default) with one line more per request and per RQ job; every line through the redaction filter.

Each request has an id: the X-Request-ID it came with when that is a sane token (a proxy's or load balancer's), else
one made here. It is echoed in the response and written on every JSON line logged while the request runs, as an RQ
job's id is on every line of its job; Sentry tags its events with the same ids (app/ops/sentry.py)."""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import sys
import time
import uuid
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import IO, TYPE_CHECKING, Any

from flask import Flask, Response, g, request
from pythonjsonlogger.json import JsonFormatter

from app.ops import redaction

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

TEXT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
HEADER = "X-Request-ID"
# A sane id: 8 to 128 letters, digits and . _ : - (a UUID, a hex digest, a load balancer's trace id); anything else
# offered (spaces, quotes, control characters, a whole paragraph) is replaced, never written to a log or a header.
REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,127}")
OWN_FIELDS = ("time", "level", "logger")
LONGEST = 1000  # characters of a path or query string kept on a request's line
_ROUTE, _USER = "betscore.logs.route", "betscore.logs.user"
_ids: ContextVar[dict[str, str] | None] = ContextVar("betscore.log_ids", default=None)
request_log = logging.getLogger("betscore.request")
job_log = logging.getLogger("betscore.job")


def ids() -> dict[str, str]:
    """The id of the request or job this code runs in: {"request_id": ...} or {"job_id": ...}, else {}."""
    return dict(_ids.get() or {})


def request_id(offered: str | None) -> str:
    """The offered X-Request-ID when it is a sane token, else a new one."""
    if offered and REQUEST_ID.fullmatch(offered):
        return offered
    return uuid.uuid4().hex


def user_hash(user_id: str, secret_key: str) -> str:
    """A signed-in user as the logs name them: the same on every line, and no way back to the account without the
    secret key (HMAC-SHA256 of the id)."""
    return hmac.new(secret_key.encode(), f"user:{user_id}".encode(), hashlib.sha256).hexdigest()[:16]


class JsonLines(JsonFormatter):
    """time (UTC, ISO 8601), level, logger, message, the request or job id, the line's own fields (extra=...) and a
    traceback if any; every string redacted, every value under a secret-sounding name masked."""

    def __init__(self) -> None:
        super().__init__(
            "%(levelname)s %(name)s %(message)s",
            rename_fields={"levelname": "level", "name": "logger", "exc_info": "traceback"},
            timestamp="time",
        )

    def process_log_record(self, log_data: dict[str, Any]) -> dict[str, Any]:
        # The fields this formatter fills itself need no redaction: time, level and logger name.
        own = {key: log_data.pop(key) for key in OWN_FIELDS if key in log_data}
        return {**own, **redaction.scrub(log_data), **ids()}


def formatter(fmt: str) -> logging.Formatter:
    return JsonLines() if fmt == "json" else logging.Formatter(TEXT)


class Handler(logging.StreamHandler):
    """The one handler of a process, on the root logger: every line in the chosen format, redacted."""

    def __init__(self, fmt: str = "text", stream: IO[str] | None = None) -> None:
        super().__init__(stream if stream is not None else sys.stderr)
        self.setFormatter(formatter(fmt))
        self.addFilter(redaction.Redact())


def configure(settings: Mapping[str, Any], stream: IO[str] | None = None) -> Handler:
    """Set up a process's logging (wsgi.py, worker.py): the root logger's one Handler, replacing an earlier one (the
    one gunicorn's logconfig_dict made, in a gunicorn worker). RQ's worker finds it and adds no handler of its own."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, Handler)]:
        root.removeHandler(old)
    handler = Handler(settings["LOG_FORMAT"], stream)
    root.addHandler(handler)
    root.setLevel(settings["LOG_LEVEL"])
    return handler


def gunicorn_config(settings: Mapping[str, Any], access: bool) -> dict[str, Any]:
    """gunicorn's logconfig_dict: its own lines through the app's handler. Its access lines only when ACCESS_LOG asks
    for them: the app writes a line per request of its own (in JSON)."""
    level = settings["LOG_LEVEL"]
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {},
        "handlers": {"app": {"()": Handler, "fmt": settings["LOG_FORMAT"]}},
        "root": {"level": level, "handlers": ["app"]},
        "loggers": {
            "gunicorn.error": {"level": level, "handlers": [], "propagate": True},
            "gunicorn.access": {"level": "INFO" if access else "WARNING", "handlers": [], "propagate": True},
        },
    }


class RequestLog:
    """WSGI middleware, outermost: the request's id for its lines and its response header; its line when it ends
    (JSON only: `make run` keeps the development server's own access lines)."""

    def __init__(self, app: Flask, wsgi_app: WSGIApplication) -> None:
        self.app, self.wsgi_app = app, wsgi_app

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        rid = request_id(environ.get("HTTP_X_REQUEST_ID"))
        token = _ids.set({"request_id": rid})
        started = time.perf_counter()
        statuses: list[str] = []

        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            statuses.append(status)
            headers.append((HEADER, rid))
            return start_response(status, headers, exc_info)

        try:
            return self.wsgi_app(environ, start)
        finally:
            if self.app.config["LOG_FORMAT"] == "json":
                _request_line(environ, statuses[-1] if statuses else "500", time.perf_counter() - started)
            _ids.reset(token)


def _request_line(environ: WSGIEnvironment, status_line: str, seconds: float) -> None:
    status = int(status_line.split(" ", 1)[0])
    method, route, path = environ.get("REQUEST_METHOD", ""), environ.get(_ROUTE), environ.get("PATH_INFO", "")
    fields = {
        "method": method,
        "route": route,
        "path": path[:LONGEST],
        "query": environ.get("QUERY_STRING", "")[:LONGEST] or None,
        "status": status,
        "duration_ms": round(seconds * 1000, 1),
        "user": environ.get(_USER),
    }
    level = logging.WARNING if status >= 500 else logging.INFO  # not ERROR: Sentry reports the failure itself, once
    request_log.log(level, "%s %s %s", method, route or path[:LONGEST], status, extra=fields)


@contextmanager
def job_line(app: Flask, job_id: str, name: str, queue: str) -> Iterator[dict[str, str]]:
    """Around an RQ job: its id on its lines, then its line (JSON only) with the outcome the caller sets (ok,
    retried or failed; failed unless set)."""
    token = _ids.set({"job_id": job_id})
    started = time.perf_counter()
    result = {"outcome": "failed"}
    try:
        yield result
    finally:
        if app.config["LOG_FORMAT"] == "json":
            outcome, ms = result["outcome"], round((time.perf_counter() - started) * 1000, 1)
            fields = {"job": name, "queue": queue, "outcome": outcome, "duration_ms": ms}
            level = logging.INFO if outcome == "ok" else logging.WARNING
            job_log.log(level, "job %s %s", name, outcome, extra=fields)
        _ids.reset(token)


def init_app(app: Flask) -> None:
    redaction.init_app(app)
    app.wsgi_app = RequestLog(app, app.wsgi_app)  # type: ignore[method-assign]

    @app.after_request
    def note_route_and_user(response: Response) -> Response:
        request.environ[_ROUTE] = request.url_rule.rule if request.url_rule else None
        # The user a page already looked up (every page's menu does): the line costs no query of its own. By the
        # account's id, not Flask-Login's session id, which changes when the account's sessions are ended.
        user = g.get("_login_user")
        if user is not None and user.is_authenticated:
            request.environ[_USER] = user_hash(str(user.id), str(app.secret_key))
        return response
