"""Live pushes: the websocket route, this process's hub of sockets, and the broadcaster joining processes.

Features publish after their commit with `publish(topics, variants)`: `topics` is one topic or several (one
message for all of them: a page on two of them gets it once); `variants` maps a display
variant (the odds format) to the message for it, "" to the message for everyone. A message
is HTML whose top-level elements the page swaps in by id, or a small JSON control
(`{"refetch": [ids]}`, `{"resync": true}`, `{"event": name}`), which the page's script handles.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import socket
import threading
import time
from collections.abc import Collection, Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

from flask import Flask, current_app, request
from flask_login import current_user

from app.jobs import signals
from app.live.broadcast import Broadcaster, LocalBroadcaster, RedisBroadcaster
from app.live.hub import Hub
from app.live.topics import user as user_topic
from app.ops import instrument
from app.refresh import watching
from app.storage import redis_client

log = logging.getLogger("betscore.live")
METRICS_TTL = 45  # seconds an instance's metrics stay readable after its last heartbeat


class Live:
    """The live service of one app: its hub, its broadcaster, and the threads started with the first socket."""

    def __init__(self, app: Flask) -> None:
        cfg = app.config
        self.app = app
        self.hub = Hub(
            cfg["LIVE_MAX_CONNECTIONS"], cfg["LIVE_MAX_TOPICS"], cfg["LIVE_OUTBOX"], cfg["LIVE_MAX_PER_ADDRESS"]
        )
        redis = None
        if cfg.get("REDIS_URL"):
            with app.app_context():
                redis = redis_client.connection()
        self.redis = redis
        self.broadcaster: Broadcaster = RedisBroadcaster(redis) if redis is not None else LocalBroadcaster()
        if isinstance(self.broadcaster, LocalBroadcaster):
            self.broadcaster.start(self.hub)  # in-process: nothing to listen to, deliver at once
        self._started_pid: int | None = None
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self.instance = ""
        self._last_counts: dict[str, int] = {}

    def publish(self, topics: tuple[str, ...], variants: Mapping[str, str]) -> None:
        self.broadcaster.publish(topics, variants)

    def ensure_started(self) -> None:
        """Start the relay and the heartbeat once per process (after a fork too), with the first socket."""
        if self._started_pid == os.getpid():
            return
        with self._lock:
            if self._started_pid == os.getpid():
                return
            self._started_pid = os.getpid()
            self.instance = f"{socket.gethostname()}:{os.getpid()}"
            if not isinstance(self.broadcaster, LocalBroadcaster):
                self.broadcaster.start(self.hub)
            threading.Thread(target=self._beat, name="live-heartbeat", daemon=True).start()
            # A process that exits (Ctrl-C on `make run`) says "going away" (1001): pages reconnect at once.
            atexit.register(self.hub.shutdown, wait=2.0)

    def stop(self) -> None:
        self._stopped.set()
        self.broadcaster.stop()

    def _beat(self) -> None:
        every = self.app.config["LIVE_HEARTBEAT_SECONDS"]
        while not self._stopped.wait(every):
            try:
                with self.app.app_context():
                    self.heartbeat()
            except Exception:  # the heartbeat must outlive a passing Redis or cache failure
                log.exception("live heartbeat failed")

    def heartbeat(self) -> None:
        """Mark the matches open on this instance as watched; share this instance's metrics; forget old deliveries."""
        watching.seen_many(int(t.partition(":")[2]) for t in self.hub.topics("match"))
        self._measure()
        if self.redis is not None:
            snapshot = dict(self.hub.metrics(), instance=self.instance, at=time.time())
            key = f"{self.broadcaster.prefix}metrics:{self.instance}"  # type: ignore[attr-defined]
            self.redis.set(key, json.dumps(snapshot), ex=METRICS_TTL)
        self.hub.forget_older_than(24 * 3600)

    def _measure(self) -> None:
        """This instance's sockets for the app's metrics: open now, and what happened since the last beat."""
        now = self.hub.metrics()
        counts = {"opened": now["opened"], "messages": now["messages_out"], "closed": sum(now["closed"].values())}
        last, self._last_counts = self._last_counts, counts
        instrument.sockets(now["connections"], *(counts[k] - last.get(k, 0) for k in ("opened", "messages", "closed")))

    def cluster_metrics(self) -> list[dict[str, Any]]:
        """Every live instance's latest metrics (this one's only, embedded)."""
        if self.redis is None:
            return [dict(self.hub.metrics(), instance=self.instance or "embedded", at=time.time())]
        pattern = f"{self.broadcaster.prefix}metrics:*"  # type: ignore[attr-defined]
        keys = sorted(self.redis.scan_iter(match=pattern, count=500))
        return [json.loads(raw) for raw in self.redis.mget(keys) if raw] if keys else []


def current() -> Live:
    live: Live = current_app.extensions["betscore.live"]
    return live


def publish(topics: str | Collection[str], variants: Mapping[str, str]) -> bool:
    """Publish after a commit, once for all these topics. A failure is logged and never raised: the data is
    already safe, and pages resync on their next reconnect or fetch."""
    names = (topics,) if isinstance(topics, str) else tuple(sorted(topics))
    try:
        current().publish(names, variants)
        return True
    except Exception:
        log.exception("live: publishing on %s failed", ",".join(names))
        return False


def control(**message: Any) -> dict[str, str]:
    """A JSON control message for every variant."""
    return {"": json.dumps(message, separators=(",", ":"))}


def refetch(topics: str | Collection[str], element_ids: Sequence[str]) -> bool:
    """Tell pages on these topics to fetch these parts themselves (what changed depends on their time zone)."""
    return publish(topics, control(refetch=list(element_ids)))


def notify_user(user_id: int, event: str) -> bool:
    """Tell a user's pages that their own data changed: per-user data is never broadcast, only this hint."""
    return publish(user_topic(user_id), control(event=event))


def live_url(topic_names: Sequence[str]) -> str:
    """Where a page connects, with its topics (the signed-in user's own added) and the time it was drawn."""
    names = list(topic_names)
    if current_user.is_authenticated and user_topic(current_user.id) not in names:  # a page of the user's own names it
        names.append(user_topic(current_user.id))
    # A path, not url_for's absolute ws:// URL: the page turns it into ws:// or wss:// as it was itself served.
    base = current_app.config["LIVE_URL"] or f"{request.script_root}/live"
    return f"{base}?{urlencode({'topics': ','.join(names), 'since': f'{time.time():.3f}'})}"


def refetch_committed(app: Flask, changes: signals.Changes) -> None:
    """Parts a job could not render for every viewer: pages on each topic fetch them themselves."""
    for topic, element_ids in changes.refetch.items():
        refetch(topic, element_ids)
