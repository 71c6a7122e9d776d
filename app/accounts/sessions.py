"""Server-side sessions (Flask-Session): in Redis when REDIS_URL is set, else files under SESSION_FILE_DIR (embedded).
The cookie holds only a random id, so signing out, or the user's epoch moving on, ends a session on the server."""

from __future__ import annotations

from cachelib import FileSystemCache
from flask import Flask, current_app, session
from flask_session import Session
from flask_session.base import ServerSideSessionInterface
from redis import Redis

# Files kept before the oldest are dropped (expired ones go first): bounds the disk an embedded app uses.
FILE_THRESHOLD = 20_000


def init_app(app: Flask) -> None:
    if app.config["REDIS_URL"]:
        # Short timeouts, as the cache's: a page waits at most a second for a Redis that went away.
        client = Redis.from_url(app.config["REDIS_URL"], socket_connect_timeout=0.5, socket_timeout=1.0)
        app.config.update(SESSION_TYPE="redis", SESSION_REDIS=client)
    else:
        store = FileSystemCache(app.config["SESSION_FILE_DIR"], threshold=FILE_THRESHOLD, mode=0o600)
        app.config.update(SESSION_TYPE="cachelib", SESSION_CACHELIB=store)
    app.config.setdefault("SESSION_KEY_PREFIX", "betscore:session:")
    Session(app)


def rotate() -> None:
    """A new session id for the current session, the old one deleted on the server (at sign-in and sign-out)."""
    interface = current_app.session_interface
    if isinstance(interface, ServerSideSessionInterface):
        interface.regenerate(session)
