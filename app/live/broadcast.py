"""One interface, two backends: publish a message on a topic; every web process hands it to its hub.

- LocalBroadcaster (embedded): the publisher and the sockets share the process.
- RedisBroadcaster (production): PUBLISH on a channel named for the message's topics (comma-separated: no topic
  holds a comma); each web process that serves sockets listens to all of them with one PSUBSCRIBE and relays to
  its own connections.

A message goes to several topics at once (a list row on the days it may fall on) as ONE message: the hub hands it
once to each socket on any of them, so a page showing two of those days gets it once, not twice.
  After the listener loses Redis it reconnects with backoff and tells every page to resync,
  since what was published meanwhile is gone.
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
import time
from collections.abc import Mapping
from typing import Protocol

from redis import Redis
from redis.exceptions import RedisError

from app.live.hub import Hub

log = logging.getLogger("betscore.live")


class Broadcaster(Protocol):
    def publish(self, topics: tuple[str, ...], variants: Mapping[str, str]) -> None: ...

    def start(self, hub: Hub) -> None: ...

    def stop(self) -> None: ...


class LocalBroadcaster:
    def __init__(self) -> None:
        self.hub: Hub | None = None

    def publish(self, topics: tuple[str, ...], variants: Mapping[str, str]) -> None:
        if self.hub is not None:
            self.hub.deliver(topics, variants)

    def start(self, hub: Hub) -> None:
        self.hub = hub

    def stop(self) -> None:
        self.hub = None


def channel_prefix(redis: Redis) -> str:
    """Channels are global to a Redis server, not per database: name the database in them."""
    return f"betscore:{redis.connection_pool.connection_kwargs.get('db', 0)}:live:"


class RedisBroadcaster:
    def __init__(self, redis: Redis) -> None:
        self.redis = redis
        self.prefix = channel_prefix(redis)
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None
        self.connected = threading.Event()

    def publish(self, topics: tuple[str, ...], variants: Mapping[str, str]) -> None:
        self.redis.publish(self.prefix + ",".join(topics), json.dumps(variants, separators=(",", ":")))

    def start(self, hub: Hub) -> None:
        self._thread = threading.Thread(target=self._listen, args=(hub,), name="live-relay", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()

    def _listen(self, hub: Hub) -> None:
        delay, lost = 0.5, False
        while not self._stopped.is_set():
            pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
            try:
                pubsub.psubscribe(self.prefix + "*")
                self.connected.set()
                if lost:
                    log.warning("live relay: Redis is back; every page resyncs")
                    hub.resync_all()
                    lost, delay = False, 0.5
                while not self._stopped.is_set():
                    message = pubsub.get_message(timeout=1.0)
                    if message is None or message.get("type") != "pmessage":
                        continue
                    self._relay(hub, message["channel"], message["data"])
            except (RedisError, OSError) as exc:
                self.connected.clear()
                lost = True
                log.warning("live relay lost Redis (%s); retrying in %.1fs", exc, delay)
                self._stopped.wait(delay)
                delay = min(delay * 2, 10.0)
            finally:
                with contextlib.suppress(RedisError, OSError):
                    pubsub.close()

    def _relay(self, hub: Hub, channel: bytes, data: bytes) -> None:
        topic = channel.decode()[len(self.prefix) :]
        names = topic.split(",")
        try:
            variants = json.loads(data)
            if not isinstance(variants, dict):
                raise ValueError("not an object")
        except ValueError as exc:
            log.error("live relay: dropped a malformed message on %s: %s", topic, exc)
            hub.counts["malformed"] += 1
            return
        hub.deliver(names, variants)


def wait_connected(broadcaster: Broadcaster, timeout: float = 5.0) -> bool:
    """For tests and start-up: whether the relay is listening (always true in-process)."""
    event = getattr(broadcaster, "connected", None)
    if event is None:
        return True
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if event.wait(0.05):
            return True
    return False
