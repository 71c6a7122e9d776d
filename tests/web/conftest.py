"""Apps of a test's own on the shared backend (`make_app`), and a small rate-limit budget."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from flask import Flask

from app import create_app
from app.extensions import db

BUDGET = 6  # a small RATELIMIT_APPLICATION keeps the tests short; production's is 200 a minute and 2,000 an hour
SHARED = ("SQLALCHEMY_DATABASE_URI", "REDIS_URL", "CACHE_TYPE", "CACHE_REDIS_URL", "RATELIMIT_STORAGE_URI", "CLOCK")


@pytest.fixture
def make_app(app: Flask) -> Iterator[Callable[..., Flask]]:
    """`make_app(TRUSTED_PROXIES=1)`: an app on `app`'s backend and seeded database, with these settings besides. Its
    requests run in the test's rolled-back transaction too."""
    made: list[Flask] = []

    def make(**overrides) -> Flask:
        settings = {key: app.config[key] for key in SHARED}
        made.append(create_app({"TESTING": True, "SCHEDULER": "off", "SECRET_KEY": "test", **settings, **overrides}))
        return made[-1]

    yield make
    for other in made:
        with other.app_context():
            db.engine.dispose()


@pytest.fixture
def budget(app: Flask, monkeypatch: pytest.MonkeyPatch) -> int:
    """`app` with a site-wide limit of BUDGET requests a minute per address."""
    monkeypatch.setitem(app.config, "RATELIMIT_APPLICATION", f"{BUDGET} per minute")
    return BUDGET
