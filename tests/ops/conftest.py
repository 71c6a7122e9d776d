"""Apps for the metrics tests: on each store (in-process, and Redis when TEST_REDIS_URL is set), with a settable clock;
they take no database: the store is all they test, and Redis keys of the metrics are removed before each test.

For the logs and Sentry tests: apps of their own on the test backends, the log lines as parsed JSON, and a Sentry of
their own: a real HTTP server on loopback that receives and decodes the SDK's envelopes.
"""

from __future__ import annotations

import gzip
import io
import json
import logging
import os
import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import brotli
import pytest
import redis
import sentry_sdk
from flask import Flask

from app import create_app
from app.ops import logs, metrics, stores
from tests.conftest import NOW, Clock


def redis_url() -> str | None:
    return os.environ.get("TEST_REDIS_URL")


def clear_metrics(url: str) -> None:
    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(stores.PREFIX + "*"))
    if keys:
        client.delete(*keys)
    client.close()


def make_app(url: str | None, clock: Clock | None = None, **settings: object) -> Flask:
    return create_app(
        {
            "TESTING": True,
            "SCHEDULER": "off",
            "SQLALCHEMY_DATABASE_URI": "sqlite://",
            "REDIS_URL": url,
            "CACHE_TYPE": "SimpleCache",
            "RATELIMIT_STORAGE_URI": "memory://",
            **({"CLOCK": clock} if clock else {}),
            **settings,
        }
    )


@pytest.fixture(params=["embedded", "redis"])
def store_app(request: pytest.FixtureRequest) -> Iterator[Flask]:
    """An app recording to one of the two stores, its clock pinned at NOW (settable: app.config["CLOCK"])."""
    url = None
    if request.param == "redis":
        url = redis_url()
        if not url:
            pytest.skip(reason="the Redis store needs a Redis server: set TEST_REDIS_URL")
        clear_metrics(url)
    app = make_app(url, Clock(NOW))
    with app.app_context():
        yield app


@pytest.fixture
def measured(app: Flask) -> Flask:
    """The shared test app (tests/conftest.py) with its metrics emptied: what a test reads is what it caused."""
    reset_metrics(app)
    return app


def reset_metrics(app: Flask) -> None:
    """Forget every figure so far: the in-process store is made anew; Redis's keys are removed, after a read, which
    sends what earlier requests deferred (a process sends its requests' figures a second later)."""
    url = app.config.get("REDIS_URL")
    if url:
        with app.app_context():
            metrics.totals("http.request", timedelta(minutes=1))
        clear_metrics(url)
    else:
        app.extensions["betscore.metrics"] = stores.MemoryStore()


# The settings that put an app on the test backend (database, Redis, sessions, media) of the session's `app`.
BACKEND = (
    "SQLALCHEMY_DATABASE_URI",
    "REDIS_URL",
    "CACHE_TYPE",
    "CACHE_REDIS_URL",
    "RATELIMIT_STORAGE_URI",
    "SESSION_FILE_DIR",
    "MEDIA_ROOT",
    "BACKEND",
)


@pytest.fixture
def app_with(app: Flask) -> Callable[..., Flask]:
    """create_app on the test backend with these settings: for what is set up only when an app is made (Sentry, the
    secrets the logs mask). Not testing mode: a failing view answers 500, as in production."""

    def make(**overrides: Any) -> Flask:
        settings = {key: app.config[key] for key in BACKEND if key in app.config}
        return create_app({**settings, "SCHEDULER": "off", "WTF_CSRF_ENABLED": False, **overrides})

    return make


class Lines:
    """What the process logged while the fixture ran, a dict per JSON line."""

    def __init__(self, stream: io.StringIO) -> None:
        self.stream = stream

    def text(self) -> str:
        return self.stream.getvalue()

    def all(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.text().splitlines()]

    def of(self, logger: str, **fields: Any) -> list[dict[str, Any]]:
        return [d for d in self.all() if d["logger"] == logger and all(d.get(k) == v for k, v in fields.items())]


@pytest.fixture
def json_lines() -> Iterator[Lines]:
    """The process's logging as production sets it up (logs.configure, JSON), into a buffer; put back afterwards."""
    root = logging.getLogger()
    level, stream = root.level, io.StringIO()
    handler = logs.configure({"LOG_FORMAT": "json", "LOG_LEVEL": "INFO"}, stream)
    yield Lines(stream)
    root.removeHandler(handler)
    root.setLevel(level)


class Envelopes(ThreadingHTTPServer):
    """Sentry's ingestion endpoint, reduced to recording each envelope it is sent (decompressed, split in items)."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Receive)
        self.received: list[tuple[dict[str, Any], list[tuple[dict[str, Any], bytes]]]] = []
        self.raw: list[bytes] = []

    @property
    def dsn(self) -> str:
        return f"http://publickey@127.0.0.1:{self.server_address[1]}/1"

    def items(self, kind: str) -> list[dict[str, Any]]:
        """The JSON payloads of every item of this type ('event', 'transaction', ...) received."""
        return [json.loads(payload) for _, items in self.received for head, payload in items if head["type"] == kind]

    def everything(self) -> str:
        return b"\n".join(self.raw).decode("utf-8", "replace")


def parse_envelope(body: bytes) -> tuple[dict[str, Any], list[tuple[dict[str, Any], bytes]]]:
    """Sentry's envelope format: a header line, then items, each a header line and a payload (of `length` bytes
    when the header says, else up to the next newline)."""
    head, _, rest = body.partition(b"\n")
    items = []
    while rest.strip():
        item_head, _, rest = rest.partition(b"\n")
        header = json.loads(item_head)
        if "length" in header:
            payload, rest = rest[: header["length"]], rest[header["length"] :].removeprefix(b"\n")
        else:
            payload, _, rest = rest.partition(b"\n")
        items.append((header, payload))
    return json.loads(head), items


class _Receive(BaseHTTPRequestHandler):
    server: Envelopes

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        encoding = self.headers.get("Content-Encoding")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "br":
            body = brotli.decompress(body)
        self.server.raw.append(body)
        self.server.received.append(parse_envelope(body))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:  # the SDK's posts are the test's to read, not stderr's
        pass


@pytest.fixture
def sentry_server() -> Iterator[Envelopes]:
    """A Sentry on loopback. sentry-sdk is process-wide: the client an app made is closed and taken away afterwards,
    so later tests run without it."""
    server = Envelopes()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    sentry_sdk.get_client().close()
    sentry_sdk.get_global_scope().set_client(None)
    server.shutdown()
    server.server_close()
    thread.join()
