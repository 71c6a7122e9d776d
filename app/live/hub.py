"""This process's open sockets by topic: each published message is fanned out to them here.

A socket is written to by its own handler only (app/live/route.py): delivering a message
appends it to the connection's outbox and wakes the handler, so a slow client never holds up
the others. A client whose outbox fills up is closed with 1013 and reconnects to resync.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections import Counter, deque
from collections.abc import Iterable, Mapping
from typing import Any

from app.live.topics import KINDS

GOING_AWAY = 1001  # server shutting down: the page reconnects, to this instance or another
POLICY = 1008  # too many messages or sockets from the client, or it stopped answering pings
TOO_BIG = 1009  # a message from the client over the size cap (sent by simple-websocket)
TRY_AGAIN = 1013  # this instance is full, or the client read too slowly: reconnect with backoff
SERVER_ERROR = 1011  # something failed on our side: the page reconnects
ABNORMAL = 1006  # the connection went without a close frame

RESYNC = '{"resync":true}'
_hubs: weakref.WeakSet[Hub] = weakref.WeakSet()


class Rate:
    """Counts per second over the last minute, for 'messages out per second'."""

    def __init__(self, span: int = 60) -> None:
        self.span = span
        self.counts = [0] * span
        self.stamps = [0] * span

    def add(self, n: int = 1, now: float | None = None) -> None:
        second = int(time.time() if now is None else now)
        i = second % self.span
        if self.stamps[i] != second:
            self.stamps[i], self.counts[i] = second, 0
        self.counts[i] += n

    def per_second(self, window: int = 10, now: float | None = None) -> float:
        """The mean over the last `window` whole seconds (the current, partial one left out)."""
        second = int(time.time() if now is None else now)
        total = sum(c for c, s in zip(self.counts, self.stamps, strict=True) if second - window <= s < second)
        return total / window


class Connection:
    """One open socket: what it listens to, in which display variant, and what waits to be sent."""

    __slots__ = (
        "__weakref__",
        "address",
        "closing",
        "outbox",
        "topics",
        "user_id",
        "variant",
        "window_count",
        "window_start",
        "ws",
    )

    def __init__(self, ws: Any, variant: str = "", user_id: int | None = None, address: str = "") -> None:
        self.ws = ws
        self.variant = variant
        self.user_id = user_id
        self.address = address  # the client's, as the proxies we trust report it
        self.topics: set[str] = set()
        self.outbox: deque[str] = deque()
        self.closing: tuple[int, str] | None = None
        self.window_start = time.monotonic()
        self.window_count = 0

    def push(self, text: str, limit: int) -> bool:
        """Queue a message and wake the handler; False when the outbox is full."""
        if len(self.outbox) >= limit:
            return False
        self.outbox.append(text)
        self.ws.event.set()
        return True

    def close_soon(self, code: int, reason: str) -> None:
        """Ask the handler to close the socket with this code (it alone writes to the socket)."""
        if self.closing is None:
            self.closing = (code, reason)
        self.ws.event.set()

    def counted(self, limit: int, now: float | None = None) -> bool:
        """Count one inbound message; False once the client is over `limit` in the current minute."""
        now = time.monotonic() if now is None else now
        if now - self.window_start >= 60:
            self.window_start, self.window_count = now, 0
        self.window_count += 1
        return self.window_count <= limit


class Hub:
    def __init__(
        self, max_connections: int = 10_000, max_topics: int = 32, outbox_limit: int = 64, max_per_address: int = 0
    ) -> None:
        self.max_connections = max_connections
        self.max_per_address = max_per_address  # 0: no cap per client address
        self._per_address: Counter[str] = Counter()
        self.max_topics = max_topics
        self.outbox_limit = outbox_limit
        self.started_at = time.time()
        self.accepting = True
        self._lock = threading.Lock()
        self._connections: set[Connection] = set()
        self._topics: dict[str, set[Connection]] = {}
        self.last_delivery: dict[str, float] = {}
        self._marked: dict[str, float] = {}
        self.rate = Rate()
        self.counts: Counter[str] = Counter()
        self.closed: Counter[int] = Counter()
        _hubs.add(self)

    # -- connections and subscriptions --------------------------------------------------
    def add(self, conn: Connection) -> bool:
        return self.admit(conn) is None

    def admit(self, conn: Connection) -> tuple[int, str] | None:
        """Take the connection, or say why not: the close code and reason to send."""
        with self._lock:
            if not self.accepting:
                self.counts["refused_full"] += 1
                return TRY_AGAIN, "server going away: try again later"
            if len(self._connections) >= self.max_connections:
                self.counts["refused_full"] += 1
                return TRY_AGAIN, f"server full ({self.max_connections} connections): try again later"
            if self.max_per_address and self._per_address[conn.address] >= self.max_per_address:
                # One client cannot fill the instance; its other pages fall back to fetching (no reconnect on 1008).
                self.counts["refused_address"] += 1
                return POLICY, f"too many connections from your address (at most {self.max_per_address})"
            self._connections.add(conn)
            self._per_address[conn.address] += 1
            self.counts["opened"] += 1
            return None

    def remove(self, conn: Connection, code: int) -> None:
        with self._lock:
            if conn not in self._connections:
                return
            self._connections.discard(conn)
            self._per_address[conn.address] -= 1
            if self._per_address[conn.address] <= 0:
                del self._per_address[conn.address]
            for topic in conn.topics:
                self._unlink(conn, topic)
            self.closed[code] += 1

    def subscribe(self, conn: Connection, topic: str) -> bool:
        """False when the connection already has as many topics as it may."""
        with self._lock:
            if topic in conn.topics:
                return True
            if len(conn.topics) >= self.max_topics:
                return False
            conn.topics.add(topic)
            self._topics.setdefault(topic, set()).add(conn)
            return True

    def unsubscribe(self, conn: Connection, topic: str) -> None:
        with self._lock:
            if topic in conn.topics:
                conn.topics.discard(topic)
                self._unlink(conn, topic)

    def _unlink(self, conn: Connection, topic: str) -> None:
        listeners = self._topics.get(topic)
        if listeners is not None:
            listeners.discard(conn)
            if not listeners:
                del self._topics[topic]

    def topics(self, kind: str | None = None) -> list[str]:
        with self._lock:
            return [t for t in self._topics if kind is None or t.startswith(kind + ":")]

    def connections(self) -> list[Connection]:
        with self._lock:
            return list(self._connections)

    def __len__(self) -> int:
        return len(self._connections)

    # -- delivery -----------------------------------------------------------------------
    def deliver(self, topics: str | Iterable[str], variants: Mapping[str, str]) -> int:
        """Queue one published message for every local listener of any of its topics, once each (a page on two of
        them gets it once), each in its own variant."""
        names = (topics,) if isinstance(topics, str) else tuple(topics)
        now = time.time()
        for topic in names:
            self.last_delivery[topic] = now
        self.counts["events_in"] += 1
        listeners: set[Connection] = set()
        with self._lock:
            for topic in names:
                listeners.update(self._topics.get(topic, ()))
        queued = 0
        fallback = variants.get("")
        for conn in listeners:
            text = variants.get(conn.variant, fallback)
            if not text:  # nothing changed in this variant (prices that round alike in fractions)
                continue
            if conn.push(text, self.outbox_limit):
                queued += 1
            else:
                self.counts["dropped_slow"] += 1
                conn.close_soon(TRY_AGAIN, "too slow: reconnect to catch up")
        return queued

    def sent(self, n: int = 1) -> None:
        self.counts["messages_out"] += n
        self.rate.add(n)

    def resync_all(self) -> None:
        """Tell every page to fetch its live parts again (messages may have been lost meanwhile)."""
        for conn in self.connections():
            if not conn.push(RESYNC, self.outbox_limit):
                conn.close_soon(TRY_AGAIN, "too slow: reconnect to catch up")

    def missed_since(self, topics: Iterable[str], since: float | None) -> bool:
        """Whether a page drawn at `since` may have missed a message on these topics.

        This process knows what it delivered since it started; a page older than that, or
        one of unknown age, resyncs.
        """
        if since is None or since < self.started_at + 1:
            return True
        return any(self.last_delivery.get(t, 0.0) >= since - 1 for t in topics)

    def first_in(self, key: str, seconds: float) -> bool:
        """True at most once per `seconds` for a key (throttles per-topic side effects)."""
        now = time.monotonic()
        if now - self._marked.get(key, -seconds) < seconds:
            return False
        self._marked[key] = now
        return True

    def forget_older_than(self, seconds: float) -> None:
        horizon = time.time() - seconds
        for topic, when in list(self.last_delivery.items()):
            if when < horizon:
                self.last_delivery.pop(topic, None)
        stale = time.monotonic() - seconds
        for key, when in list(self._marked.items()):
            if when < stale:
                self._marked.pop(key, None)

    # -- shutdown and metrics -----------------------------------------------------------
    def shutdown(self, code: int = GOING_AWAY, reason: str = "server going away", wait: float = 5.0) -> int:
        """Stop accepting, close every socket with `code`, and wait a little for the handlers to finish."""
        with self._lock:
            self.accepting = False
            everyone = list(self._connections)
        for conn in everyone:
            conn.close_soon(code, reason)
        deadline = time.monotonic() + wait
        while self._connections and time.monotonic() < deadline:
            time.sleep(0.05)
        return len(everyone)

    def metrics(self) -> dict[str, Any]:
        with self._lock:
            by_kind = Counter(t.partition(":")[0] for t, conns in self._topics.items() for _ in conns)
            topics = len(self._topics)
            connections = len(self._connections)
        return {
            "connections": connections,
            "max_connections": self.max_connections,
            "accepting": self.accepting,
            "topics": topics,
            "subscriptions": {kind: by_kind.get(kind, 0) for kind in KINDS},
            "messages_out_per_second": round(self.rate.per_second(), 1),
            "messages_out": self.counts["messages_out"],
            "events_in": self.counts["events_in"],
            "opened": self.counts["opened"],
            "refused_full": self.counts["refused_full"],
            "refused_address": self.counts["refused_address"],
            "dropped_slow": self.counts["dropped_slow"],
            "rejected_messages": self.counts["rejected_messages"],
            "closed": {str(code): n for code, n in sorted(self.closed.items())},
            "started_at": self.started_at,
        }


def shutdown_all(code: int = GOING_AWAY, wait: float = 5.0) -> int:
    """Close every socket of every hub in this process (gunicorn's worker exit, embedded exit)."""
    return sum(hub.shutdown(code, wait=wait) for hub in list(_hubs))
