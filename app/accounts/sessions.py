"""Server-side sessions (Flask-Session): in Redis when REDIS_URL is set, else files under SESSION_FILE_DIR (embedded).
The cookie holds only a random id, so signing out, or the user's epoch moving on, ends a session on the server."""

from __future__ import annotations

import logging
from datetime import timedelta

from cachelib import FileSystemCache
from flask import Flask, current_app, session
from flask_session import Session
from flask_session.base import ServerSideSessionInterface
from flask_session.redis import RedisSessionInterface
from redis import Redis
from redis.exceptions import RedisError

log = logging.getLogger("betscore.sessions")
# Files kept before the oldest are dropped (expired ones go first): bounds the disk an embedded app uses.
FILE_THRESHOLD = 20_000
KEY_PREFIX = "betscore:session:"


class FailSoftRedisSessions(RedisSessionInterface):
    """Redis down is a degraded mode (README): a session that cannot be read is a signed-out one, one that cannot be
    written is dropped, and pages keep rendering."""

    def _retrieve_session_data(self, store_id: str) -> dict | None:
        try:
            return super()._retrieve_session_data(store_id)
        except RedisError as exc:
            log.warning("sessions unreadable, Redis: %s", type(exc).__name__)
            return None

    def _delete_session(self, store_id: str) -> None:
        try:
            super()._delete_session(store_id)
        except RedisError as exc:
            log.warning("session not deleted, Redis: %s", type(exc).__name__)

    def _upsert_session(self, session_lifetime: timedelta, session: object, store_id: str) -> None:
        try:
            super()._upsert_session(session_lifetime, session, store_id)
        except RedisError as exc:
            log.warning("session not saved, Redis: %s", type(exc).__name__)


def init_app(app: Flask) -> None:
    if app.config["REDIS_URL"]:
        # Short timeouts, as the cache's: a page waits at most a second for a Redis that went away.
        client = Redis.from_url(app.config["REDIS_URL"], socket_connect_timeout=0.5, socket_timeout=1.0)
        app.session_interface = FailSoftRedisSessions(
            app, client=client, key_prefix=KEY_PREFIX, permanent=app.config["SESSION_PERMANENT"]
        )
        return
    store = FileSystemCache(app.config["SESSION_FILE_DIR"], threshold=FILE_THRESHOLD, mode=0o600)
    app.config.update(SESSION_TYPE="cachelib", SESSION_CACHELIB=store, SESSION_KEY_PREFIX=KEY_PREFIX)
    Session(app)


def rotate() -> None:
    """A new session id for the current session, the old one deleted on the server (at sign-in and sign-out)."""
    interface = current_app.session_interface
    if isinstance(interface, ServerSideSessionInterface):
        interface.regenerate(session)
