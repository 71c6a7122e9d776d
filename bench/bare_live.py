"""The ceiling for `bench/live.py`: a bare flask-sock app broadcasting what Redis publishes.

No app, no hub, no outbox, no topics: `/live` adds the socket to one set and blocks reading it;
one relay thread (a greenlet under gunicorn.live.conf.py's gevent worker), subscribed to the
same Redis channels as BetScore's relay, decodes each message and calls `ws.send` on every
socket in turn. BetScore's live service is reported as a ratio of this app's delivery times
under the same server configuration and the same load.
"""

from __future__ import annotations

import json
import os
import threading
from typing import Any

import redis
from flask import Flask, request
from flask_sock import Sock
from simple_websocket import ConnectionClosed

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/14")
app = Flask(__name__)
# The same socket options BetScore's live route gets from its defaults (app/config.py, app/live/__init__.py).
app.config["SOCK_SERVER_OPTIONS"] = {"ping_interval": 25.0, "max_message_size": 4096}
sock = Sock(app)
sockets: set[Any] = set()
_lock = threading.Lock()
_started: list[int] = []


def relay() -> None:
    client = redis.Redis.from_url(REDIS_URL)
    db = client.connection_pool.connection_kwargs.get("db", 0)
    pubsub = client.pubsub(ignore_subscribe_messages=True)
    pubsub.psubscribe(f"betscore:{db}:live:*")
    for message in pubsub.listen():
        if message.get("type") != "pmessage":
            continue
        text = json.loads(message["data"]).get("")
        if text is None:
            continue
        for ws in list(sockets):
            try:
                ws.send(text)
            except (ConnectionClosed, OSError):
                sockets.discard(ws)


def ensure_started() -> None:
    """One relay per worker process, started with the first socket (after the fork)."""
    with _lock:
        if os.getpid() not in _started:
            _started.append(os.getpid())
            threading.Thread(target=relay, name="bare-relay", daemon=True).start()


@app.get("/")
def index() -> str:
    return "ok"


@sock.route("/live")
def live(ws: Any) -> None:
    ensure_started()
    topics = [t for t in request.args.get("topics", "").split(",") if t]
    sockets.add(ws)
    try:
        ws.send(json.dumps({"subscribed": topics, "errors": []}, separators=(",", ":")))
        while True:
            ws.receive()
    finally:
        sockets.discard(ws)
