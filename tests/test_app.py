"""App-wide behaviour: configuration, headers, errors, health, PWA files."""

from __future__ import annotations

import pytest

from app import config, create_app


def test_defaults_run_embedded():
    settings = config.load({})
    assert settings["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    assert settings["SCHEDULER"] == "embedded" and settings["CACHE_TYPE"] == "SimpleCache"
    assert settings["RATELIMIT_STORAGE_URI"] == "memory://"


def test_redis_url_switches_cache_limits_and_scheduler():
    settings = config.load({"REDIS_URL": "redis://localhost:6379/0", "DATABASE_URL": "postgres://u@h/db"})
    assert settings["CACHE_TYPE"] == "app.storage.cache_backend.FailSoftRedisCache" and settings[
        "RATELIMIT_STORAGE_URI"
    ].startswith("redis://")
    assert settings["SCHEDULER"] == "off"
    assert settings["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg2://u@h/db"


def test_production_refuses_to_start_without_a_secret_key():
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        config.load({"BETSCORE_ENV": "production"})
    assert config.load({"BETSCORE_ENV": "production", "SECRET_KEY": "s"})["SESSION_COOKIE_SECURE"] is True


def test_pages_carry_security_headers(client):
    headers = client.get("/").headers
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert "unsafe-inline" not in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Cache-Control"] == "no-cache"


def test_pages_have_no_inline_script(client):
    html = client.get("/").get_data(as_text=True)
    assert "<script>" not in html and "onclick=" not in html and "onchange=" not in html


def test_health_asks_nothing_but_the_process(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_static_files_are_fingerprinted_and_kept_for_a_year(client):
    import re

    html = client.get("/").get_data(as_text=True)
    css = re.search(r'href="(/static/app\.css\?v=[0-9a-f]{10})"', html).group(1)
    with client.get(css) as answer:
        assert answer.status_code == 200 and answer.cache_control.max_age == 365 * 24 * 3600
        assert answer.cache_control.immutable
    with client.get("/static/app.css") as plain:
        assert plain.cache_control.max_age != 365 * 24 * 3600


def test_wrong_method_is_405_page(client):
    answer = client.delete("/")
    assert answer.status_code == 405 and "Back to today" in answer.get_data(as_text=True)


def test_oversized_request_is_413(client):
    answer = client.post("/settings/odds-format", data={"format": "x" * 200_000})
    assert answer.status_code == 413


def test_unexpected_error_is_a_friendly_500(tmp_path):
    fresh = create_app(
        {"TESTING": True, "SCHEDULER": "off", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}"}
    )

    @fresh.get("/__boom")
    def boom():
        raise RuntimeError("kaboom")

    answer = fresh.test_client().get("/__boom")
    assert answer.status_code == 500
    html = answer.get_data(as_text=True)
    assert "Something went wrong on our side" in html and "kaboom" not in html
