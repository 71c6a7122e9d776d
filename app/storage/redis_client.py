"""The app's Redis connection when REDIS_URL is set (None embedded): one client per app, shared by threads."""

from __future__ import annotations

from flask import current_app
from redis import Redis


def connection() -> Redis | None:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    url = app.config.get("REDIS_URL")
    if not url:
        return None
    client: Redis | None = app.extensions.get("betscore.redis")
    if client is None:
        client = app.extensions["betscore.redis"] = Redis.from_url(url, health_check_interval=30)
    return client
