"""The app's Redis connection when REDIS_URL is set (None embedded): one client per app, shared by threads."""

from __future__ import annotations

from flask import current_app
from redis import Redis
from redis.exceptions import RedisError


def connection() -> Redis | None:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    url = app.config.get("REDIS_URL")
    if not url:
        return None
    client: Redis | None = app.extensions.get("betscore.redis")
    if client is None:
        client = app.extensions["betscore.redis"] = Redis.from_url(url, health_check_interval=30)
    return client


def reachable(timeout: float = 0.5) -> bool | None:
    """Whether Redis answers a PING within `timeout` (None when none is configured), on a short-lived connection of
    its own: the shared client has no socket timeout, since RQ's blocking reads must not time out."""
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    client = Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
    try:
        return bool(client.ping())
    except (RedisError, OSError):
        return False
    finally:
        client.close()
