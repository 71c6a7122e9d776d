"""Apps for the metrics tests: on each store (in-process, and Redis when TEST_REDIS_URL is set), with a settable clock.

They take no database: the store is all they test. Redis keys of the metrics are removed before each test.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import timedelta

import pytest
import redis
from flask import Flask

from app import create_app
from app.ops import metrics, stores
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
