"""The circuit breaker: in-process and in Redis, where every process sees the same state."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from app.providers.base import ProviderError
from app.providers.breaker import BreakerSnapshot, BreakerStore, CircuitBreaker, MemoryBreakerStore, RedisBreakerStore

ROOT = Path(__file__).resolve().parents[2]


def _redis_url() -> str:
    """A Redis database of these tests' own, flushed around each: TEST_REDIS_URL's number minus two (the worker tests
    take minus three), so two suites run side by side with their own TEST_REDIS_URL never flush each other's."""
    explicit, suite = os.environ.get("BREAKER_TEST_REDIS_URL"), os.environ.get("TEST_REDIS_URL")
    if explicit or not suite:
        return explicit or "redis://127.0.0.1:6379/13"
    parts = urlsplit(suite)
    return urlunsplit(parts._replace(path=f"/{max(0, int(parts.path.strip('/') or '0') - 2)}"))


REDIS_URL = _redis_url()
T0 = datetime(2026, 11, 21, 15, 40, tzinfo=UTC).timestamp()


class Clock:
    """Wall-clock seconds the test moves by hand."""

    def __init__(self, now: float = T0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def redis_client() -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError:
        if os.environ.get("CI"):  # .ci/run starts Redis: its absence there is a failure, not a skip
            pytest.fail(f"no Redis at {REDIS_URL}")
        pytest.skip(reason=f"no Redis at {REDIS_URL}: start one to run the shared-breaker tests")
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


@pytest.fixture(params=["memory", "redis"])
def store(request: pytest.FixtureRequest) -> BreakerStore:
    if request.param == "memory":
        return MemoryBreakerStore()
    return RedisBreakerStore(request.getfixturevalue("redis_client"))


def breaker(store: BreakerStore, clock: Clock, provider: str = "odds") -> CircuitBreaker:
    return CircuitBreaker(provider, store, threshold=5, cooldown=60.0, clock=clock)


def fail(b: CircuitBreaker, times: int) -> None:
    for _ in range(times):
        b.record_failure()


def rejection(b: CircuitBreaker, call: str = "odds") -> str:
    with pytest.raises(ProviderError) as info:
        b.before_call(call)
    assert (info.value.provider, info.value.call) == (b.provider, call)
    return info.value.reason


def test_opens_after_five_consecutive_failures(store: BreakerStore) -> None:
    b = breaker(store, Clock())
    fail(b, 4)
    assert b.state() == "closed"
    b.before_call("odds")
    fail(b, 1)
    assert b.state() == "open"


def test_a_success_resets_the_count(store: BreakerStore) -> None:
    b = breaker(store, Clock())
    fail(b, 4)
    b.record_success()
    fail(b, 4)
    assert b.state() == "closed"
    assert b.snapshot().failures == 4


def test_rejects_while_open_saying_until_when(store: BreakerStore) -> None:
    clock = Clock()
    b = breaker(store, clock)
    fail(b, 5)
    assert rejection(b) == "circuit open until 15:41:00 UTC"
    clock.advance(59.9)
    assert rejection(b) == "circuit open until 15:41:00 UTC"


def test_half_open_after_cooldown_lets_exactly_one_probe(store: BreakerStore) -> None:
    clock = Clock()
    b = breaker(store, clock)
    fail(b, 5)
    clock.advance(60)
    assert b.state() == "half_open"
    b.before_call("odds")  # the probe
    assert rejection(b) == "circuit half-open, another call is probing"
    assert rejection(breaker(store, clock)) == "circuit half-open, another call is probing"  # another instance


def test_probe_success_closes(store: BreakerStore) -> None:
    clock = Clock()
    b = breaker(store, clock)
    fail(b, 5)
    clock.advance(61)
    b.before_call("odds")
    b.record_success()
    assert b.snapshot() == BreakerSnapshot("odds", "closed", 0, None, None)
    b.before_call("odds")
    b.before_call("odds")


def test_probe_failure_reopens_for_another_cooldown(store: BreakerStore) -> None:
    clock = Clock()
    b = breaker(store, clock)
    fail(b, 5)
    clock.advance(60)
    b.before_call("odds")
    b.record_failure()
    assert b.state() == "open"
    assert rejection(b) == "circuit open until 15:42:00 UTC"
    clock.advance(60)
    b.before_call("odds")  # a new half-open period: a new probe
    assert rejection(b) == "circuit half-open, another call is probing"


def test_snapshot_for_a_status_page(store: BreakerStore) -> None:
    clock = Clock()
    b = breaker(store, clock)
    fail(b, 6)
    opened = datetime(2026, 11, 21, 15, 40, tzinfo=UTC)
    assert b.snapshot() == BreakerSnapshot("odds", "open", 6, opened, datetime(2026, 11, 21, 15, 41, tzinfo=UTC))
    clock.advance(90)
    assert b.snapshot().state == "half_open"


def test_providers_do_not_share_a_breaker(store: BreakerStore) -> None:
    clock = Clock()
    fail(breaker(store, clock, "odds"), 5)
    assert breaker(store, clock, "football-data").state() == "closed"


def test_an_abandoned_probe_frees_its_slot_after_probe_ttl() -> None:
    clock = Clock()
    b = CircuitBreaker("odds", MemoryBreakerStore(), cooldown=60.0, probe_ttl=30.0, clock=clock)
    fail(b, 5)
    clock.advance(60)
    b.before_call("odds")  # this probe never reports back
    clock.advance(29)
    rejection(b)
    clock.advance(1)
    b.before_call("odds")


def test_threads_racing_for_the_probe_get_exactly_one() -> None:
    clock = Clock()
    b = breaker(MemoryBreakerStore(), clock)
    fail(b, 5)
    clock.advance(60)
    start, outcomes = threading.Barrier(16), []

    def contender() -> None:
        start.wait()
        try:
            b.before_call("odds")
            outcomes.append("probe")
        except ProviderError:
            outcomes.append("rejected")

    threads = [threading.Thread(target=contender) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["probe"] + ["rejected"] * 15


def test_memory_counts_are_forgotten_after_ttl() -> None:
    clock = Clock()
    b = CircuitBreaker("odds", MemoryBreakerStore(), cooldown=60.0, ttl=3600.0, clock=clock)
    fail(b, 4)
    clock.advance(3601)
    fail(b, 1)
    assert b.snapshot().failures == 1


def test_redis_keys_all_expire(redis_client: redis.Redis) -> None:
    clock = Clock()
    b = breaker(RedisBreakerStore(redis_client), clock)
    fail(b, 5)
    clock.advance(60)
    b.before_call("odds")
    keys = sorted(k.decode() for k in redis_client.keys("*"))
    assert keys == ["betscore:breaker:odds:failures", "betscore:breaker:odds:opened_at", "betscore:breaker:odds:probe"]
    assert all(redis_client.ttl(k) > 0 for k in keys)
    b.record_success()
    assert redis_client.keys("*") == []


def test_unreachable_redis_lets_calls_through() -> None:
    port = _closed_port()
    # No client-side retries: redis-py's default backoff would spend seconds per call.
    client = redis.Redis(host="127.0.0.1", port=port, socket_connect_timeout=0.5, retry=Retry(NoBackoff(), 0))
    b = breaker(RedisBreakerStore(client), Clock())
    fail(b, 5)  # nothing raises
    assert b.state() == "closed"
    b.before_call("odds")
    b.record_success()


def _closed_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


CHILD = """
import sys
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry
from app.providers.base import ProviderError
from app.providers.breaker import CircuitBreaker, RedisBreakerStore

url, action, now = sys.argv[1], sys.argv[2], float(sys.argv[3])
client = redis.Redis.from_url(url)
b = CircuitBreaker("odds", RedisBreakerStore(client), threshold=5, cooldown=60.0, clock=lambda: now)
if action == "fail":
    for _ in range(5):
        b.record_failure()
    print(b.state(), flush=True)
else:
    client.blpop(["go"], timeout=20)  # every contender starts together
    try:
        b.before_call("odds")
        print("probe", flush=True)
    except ProviderError as exc:
        print("rejected:", exc.reason, flush=True)
"""


def _child(action: str, now: float) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, REDIS_URL, action, repr(now)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _output(child: subprocess.Popen[str]) -> str:
    out, err = child.communicate(timeout=30)
    assert child.returncode == 0, err
    return out.strip()


def test_failures_in_another_process_open_the_breaker_here(redis_client: redis.Redis) -> None:
    b = breaker(RedisBreakerStore(redis_client), Clock())
    assert b.state() == "closed"
    assert _output(_child("fail", T0)) == "open"
    assert b.state() == "open"
    assert rejection(b) == "circuit open until 15:41:00 UTC"


def test_processes_racing_for_the_half_open_probe_get_exactly_one(redis_client: redis.Redis) -> None:
    fail(breaker(RedisBreakerStore(redis_client), Clock()), 5)
    contenders = [_child("probe", T0 + 61) for _ in range(4)]
    for _ in range(500):  # until all four are parked on BLPOP (10 s at most)
        if _blocked(redis_client) == len(contenders):
            break
        threading.Event().wait(0.02)
    redis_client.rpush("go", *["x"] * len(contenders))
    outputs = sorted(_output(c) for c in contenders)
    assert outputs == ["probe"] + ["rejected: circuit half-open, another call is probing"] * 3


def _blocked(client: redis.Redis) -> int:
    """Connections to the test database waiting in BLPOP."""
    db = str(client.connection_pool.connection_kwargs.get("db", 0))
    return sum(1 for c in client.client_list() if c.get("cmd") == "blpop" and c.get("db") == db)
