"""ProviderHTTP against a real loopback server: every way a provider answers badly, in plain words."""

from __future__ import annotations

import logging
import re
import socket
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any
from urllib.parse import quote_plus

import pytest

from app.providers.base import ProviderError
from app.providers.breaker import CircuitBreaker, MemoryBreakerStore
from app.providers.http import HTTPSettings, ProviderHTTP
from tests.providers.conftest import ProviderServer, Reply, sample

FAST = HTTPSettings(
    connect_timeout=0.5,
    read_timeout=0.5,
    deadline=2.0,
    max_bytes=1_000_000,
    retries=2,
    backoff=0.5,
    max_retry_after=5.0,
)
QUERY_KEY = "q-KEY+/=9f8e7d6c"  # URL-encoding changes it: the encoded form must be redacted too
HEADER_KEY = "h-KEY-0a1b2c3d4e"
EVENTS = sample("the-odds-api/events__bellanov.json")


class Sleeps(list[float]):
    """Records each backoff instead of waiting it out."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def make(url: str, **kwargs: Any) -> ProviderHTTP:
    kwargs.setdefault("settings", FAST)
    kwargs.setdefault("sleep", Sleeps())
    return ProviderHTTP(
        "test-api",
        url,
        secrets=(QUERY_KEY, HEADER_KEY),
        headers={"x-api-key": HEADER_KEY},
        params={"apiKey": QUERY_KEY},
        **kwargs,
    )


def reason(http: ProviderHTTP, path: str = "/odds") -> str:
    with pytest.raises(ProviderError) as info:
        http.get_json("odds", path)
    assert (info.value.provider, info.value.call) == ("test-api", "odds")
    return info.value.reason


def test_json_body_status_and_headers(server: ProviderServer) -> None:
    server.route("/v4/sports/icehockey_nhl/events", Reply(body=EVENTS, headers={"X-Extra": "1"}))
    response = make(server.url).get_json("events", "v4/sports/icehockey_nhl/events", {"dateFormat": "iso"})
    assert response.status == 200 and len(response.data) == 4 and response.headers["X-Extra"] == "1"
    seen = server.hits("/v4/sports/icehockey_nhl/events")[0]
    assert seen.query == {"apiKey": [QUERY_KEY], "dateFormat": ["iso"]} and seen.headers["x-api-key"] == HEADER_KEY


@pytest.mark.parametrize(
    "reply",
    [
        Reply(body=b'{"data": [1, 2'),  # malformed
        Reply(body=EVENTS, truncate=300),  # the connection closes mid-body
        Reply(body=b"OK", content_type="text/plain"),  # wrong content
        Reply(body=b"\xff\xfe\x00binary", content_type="application/octet-stream"),
        Reply(body=b""),
        Reply(body=b"[" * 100_000 + b"]" * 100_000),  # nested past the recursion limit
    ],
    ids=["malformed", "truncated", "plain-text", "binary", "empty", "too-deep"],
)
def test_bodies_that_are_not_json(server: ProviderServer, reply: Reply) -> None:
    server.route("/odds", reply)
    sleeps = Sleeps()
    assert reason(make(server.url, sleep=sleeps)) == "response is not valid JSON (truncated or malformed)"
    assert len(server.hits("/odds")) == 1 and sleeps == []  # the provider may have charged: no retry


@pytest.mark.parametrize(
    "reply",
    [
        Reply(body=b"<!DOCTYPE html><html><body>Service Unavailable</body></html>", content_type="text/html"),
        Reply(body=b"\n  <html><h1>Cloudflare</h1></html>"),  # labelled JSON, is not
    ],
    ids=["text/html", "labelled-json"],
)
def test_html_page_with_status_200(server: ProviderServer, reply: Reply) -> None:
    server.route("/odds", reply)
    assert reason(make(server.url)) == "expected JSON, got HTML"


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (Reply(status=401, body=sample("the-odds-api/error_missing_key__ledjob.json")), "HTTP 401: key rejected"),
        (Reply(status=403), "HTTP 403: not allowed for this key"),
        (Reply(status=404, body=b'{"message": "Unknown sport"}'), "HTTP 404"),
        (Reply(status=400), "HTTP 400"),
        (Reply(status=302, headers={"Location": "http://127.0.0.1:9/elsewhere"}), "HTTP 302: unexpected redirect"),
        (Reply(status=429, headers={"Retry-After": "120"}), "rate limited, retry after 120 s"),  # too long to wait
        (Reply(status=503, headers={"Retry-After": "600"}), "HTTP 503, retry after 600 s"),
    ],
    ids=["401", "403", "404", "400", "redirect", "429-long", "503-long"],
)
def test_failures_not_retried(server: ProviderServer, reply: Reply, expected: str) -> None:
    server.route("/odds", reply)
    sleeps = Sleeps()
    assert reason(make(server.url, sleep=sleeps)) == expected
    assert len(server.hits("/odds")) == 1 and sleeps == []


def test_429_with_long_retry_after_as_http_date_fails_at_once(server: ProviderServer) -> None:
    when = format_datetime(datetime.now(UTC) + timedelta(hours=1), usegmt=True)
    server.route("/odds", Reply(status=429, headers={"Retry-After": when}))
    assert re.fullmatch(r"rate limited, retry after 3[56]\d\d s", reason(make(server.url)))


@pytest.mark.parametrize(
    "later",
    [lambda: "2", lambda: format_datetime(datetime.now(UTC) + timedelta(seconds=3), usegmt=True)],
    ids=["seconds", "http-date"],
)
def test_429_with_short_retry_after_is_waited_for(server: ProviderServer, later: Callable[[], str]) -> None:
    server.route("/odds", Reply(status=429, headers={"Retry-After": later()}), Reply(body=b"[]"))
    sleeps = Sleeps()
    assert make(server.url, sleep=sleeps).get_json("odds", "/odds").data == []
    assert len(sleeps) == 1 and 1.0 < sleeps[0] <= 3.0 and len(server.hits("/odds")) == 2


def test_500_then_200_is_retried_and_succeeds(server: ProviderServer) -> None:
    server.route("/odds", Reply(status=500, body=b"oops"), Reply(body=EVENTS))
    sleeps = Sleeps()
    assert len(make(server.url, sleep=sleeps).get_json("odds", "/odds").data) == 4
    assert sleeps == [0.5]


def test_503_three_times_fails_naming_the_attempts(server: ProviderServer) -> None:
    server.route("/odds", Reply(status=503))
    sleeps = Sleeps()
    assert reason(make(server.url, sleep=sleeps)) == "HTTP 503 after 3 attempts"
    assert sleeps == [0.5, 1.0] and len(server.hits("/odds")) == 3  # exponential backoff


def test_backoff_waits_at_least_what_retry_after_says(server: ProviderServer) -> None:
    first, second = Reply(status=503, headers={"Retry-After": "0"}), Reply(status=502, headers={"Retry-After": "3"})
    server.route("/odds", first, second, Reply(body=b"{}"))
    sleeps = Sleeps()
    make(server.url, sleep=sleeps).get_json("odds", "/odds")
    assert sleeps == [0.5, 3.0]


@pytest.fixture
def unaccepting_port() -> Iterator[int]:
    """A loopback port whose accept queue is full: a connection there hangs until its timeout."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port, fillers = listener.getsockname()[1], []
    for _ in range(8):
        filler = socket.socket()
        filler.settimeout(0.2)
        try:
            filler.connect(("127.0.0.1", port))
        except TimeoutError:
            filler.close()
            break
        fillers.append(filler)
    else:
        pytest.skip(reason="could not fill the accept queue: this kernel keeps accepting on loopback")
    yield port
    for s in [*fillers, listener]:
        s.close()


def test_connect_timeout(unaccepting_port: int) -> None:
    settings = HTTPSettings(connect_timeout=0.3, retries=1)
    sleeps = Sleeps()
    assert reason(make(f"http://127.0.0.1:{unaccepting_port}", settings=settings, sleep=sleeps)) == (
        "connect timeout after 2 attempts"
    )
    assert sleeps == [0.5]


def test_connection_refused() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again when the block ends: nothing listens there
    sleeps = Sleeps()
    assert reason(make(f"http://127.0.0.1:{port}", sleep=sleeps)) == "connection refused after 3 attempts"
    assert sleeps == [0.5, 1.0]


def test_read_timeout(server: ProviderServer) -> None:
    server.route("/odds", Reply(delay=1.0))
    settings = HTTPSettings(read_timeout=0.3, retries=0)
    assert reason(make(server.url, settings=settings)) == "read timeout"


def test_never_ending_body_fails_within_the_deadline(server: ProviderServer) -> None:
    server.route("/odds", Reply(trickle=0.05))
    # Without the deadline the body would trickle for the server's 60 s and fail as invalid JSON instead.
    assert reason(make(server.url, settings=HTTPSettings(deadline=1.0))) == "response did not finish within 1 s"
    assert len(server.hits("/odds")) == 1


@pytest.fixture
def slow_fixed_length_url() -> Iterator[str]:
    """A server declaring a long Content-Length, then sending a byte every 50 ms: one read never returns."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve() -> None:
        conn, _ = listener.accept()
        with conn:
            conn.recv(65536)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n[")
            give_up = time.monotonic() + 5  # bounded, should the client never hang up
            while not stop.wait(0.05) and time.monotonic() < give_up:
                try:
                    conn.sendall(b" ")
                except OSError:
                    return

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    stop.set()
    thread.join(5)
    listener.close()


def test_deadline_holds_even_inside_one_blocked_read(slow_fixed_length_url: str) -> None:
    # Without the watchdog the read would block until the 5 s read timeout and say "read timeout".
    settings = HTTPSettings(deadline=1.0, read_timeout=5.0)
    assert reason(make(slow_fixed_length_url, settings=settings)) == "response did not finish within 1 s"


@pytest.mark.parametrize("reply", [Reply(body=EVENTS), Reply(trickle=0.005)], ids=["declared", "streamed"])
def test_oversized_body(server: ProviderServer, reply: Reply) -> None:
    server.route("/odds", reply)
    assert reason(make(server.url, settings=HTTPSettings(max_bytes=20))) == "response larger than 20 bytes"


def _leaks(text: str) -> list[str]:
    return [k for k in (QUERY_KEY, quote_plus(QUERY_KEY), HEADER_KEY) if k in text]


@pytest.mark.parametrize(
    "reply",
    [None, Reply(status=401), Reply(status=500), Reply(delay=1.0), Reply(trickle=0.05)],
    ids=["refused", "401", "500", "read-timeout", "deadline"],
)
def test_keys_never_in_errors_or_logs(
    server: ProviderServer, caplog: pytest.LogCaptureFixture, reply: Reply | None
) -> None:
    caplog.set_level(logging.DEBUG)  # urllib3 logs every request line, query string included
    if reply is None:
        server.close()  # nothing listens any more: requests' own error text carries the whole URL
    else:
        server.route("/odds", reply)
    http = make(server.url, settings=HTTPSettings(read_timeout=0.3, deadline=0.6, retries=1))
    with pytest.raises(ProviderError) as info:
        http.get_json("odds", "/odds")
    error = info.value
    assert _leaks(str(error)) == [] and _leaks(repr(error)) == []
    assert _leaks("".join(traceback.format_exception(error))) == []  # no chained requests exception
    assert [r.getMessage() for r in caplog.records if _leaks(r.getMessage())] == []
    if reply is not None and reply.delay == 0:  # urllib3 logs the request line once a status arrives
        # Masked by the client ("***"), or again by the app's log redaction once an app has set up logging.
        masked = ("apiKey=***", "apiKey=[redacted]")
        assert any(m in r.getMessage() for r in caplog.records if r.name.startswith("urllib3") for m in masked)


def test_a_key_added_after_construction_is_redacted(server: ProviderServer, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    server.route("/odds", Reply(status=500))
    http = ProviderHTTP("test-api", server.url, settings=FAST, sleep=Sleeps())
    http.secrets = (*http.secrets, "late-KEY-42")  # as clients do with an injected instance
    with pytest.raises(ProviderError):
        http.get_json("odds", "/odds", {"apiKey": "late-KEY-42"})
    assert http.redact("x late-KEY-42 y") == "x *** y"
    assert not [r for r in caplog.records if "late-KEY-42" in r.getMessage()]


T0 = datetime(2026, 11, 21, 15, 40, tzinfo=UTC).timestamp()


def test_breaker_counts_one_failure_per_call_after_its_retries(server: ProviderServer) -> None:
    server.route("/odds", Reply(status=503))
    b = CircuitBreaker("test-api", MemoryBreakerStore(), threshold=2, clock=lambda: T0)
    http = make(server.url, breaker=b)
    reason(http)
    assert b.snapshot().failures == 1 and len(server.hits("/odds")) == 3
    reason(http)
    assert b.state() == "open"
    assert reason(http) == "circuit open until 15:41:00 UTC"
    assert len(server.hits("/odds")) == 6  # the open breaker kept the third call at home


@pytest.mark.parametrize(("status", "counts"), [(401, True), (403, False), (404, False), (400, False), (429, True)])
def test_which_statuses_count_for_the_breaker(server: ProviderServer, status: int, counts: bool) -> None:
    server.route("/odds", Reply(status=status, headers={"Retry-After": "3600"}))
    b = CircuitBreaker("test-api", MemoryBreakerStore(), clock=lambda: T0)
    b.record_failure()  # one outage already counted
    reason(make(server.url, breaker=b))
    assert b.snapshot().failures == (2 if counts else 0)  # a 404 proves the provider is up


def test_a_successful_probe_closes_the_breaker(server: ProviderServer) -> None:
    server.route("/odds", Reply(status=500), Reply(status=500), Reply(status=500), Reply(body=b"[]"))
    now = [T0]
    b = CircuitBreaker("test-api", MemoryBreakerStore(), threshold=1, cooldown=60, clock=lambda: now[0])
    http = make(server.url, breaker=b, settings=HTTPSettings(retries=2, backoff=0))
    reason(http)
    assert b.state() == "open"
    now[0] += 60
    assert http.get_json("odds", "/odds").data == []
    assert b.state() == "closed"


def test_each_call_sent_is_told_with_its_outcome(server: ProviderServer) -> None:
    server.route("/ok", body=b"{}")
    server.route("/down", Reply(status=503))
    server.route("/missing", Reply(status=404))
    server.route("/limited", Reply(status=429, headers={"Retry-After": "600"}))
    told: list[tuple[str, str, str]] = []
    http = ProviderHTTP("acme", server.url, settings=FAST, on_call=lambda *call: told.append(call), sleep=Sleeps())
    http.get_json("a", "/ok")
    for path in ("/down", "/missing", "/limited"):
        with pytest.raises(ProviderError):
            http.get_json("b", path)
    assert told == [("acme", "a", "ok"), ("acme", "b", "error"), ("acme", "b", "error"), ("acme", "b", "quota")]


def test_a_failing_call_listener_never_fails_the_call(server: ProviderServer, caplog) -> None:
    server.route("/ok", body=b'{"a": 1}')

    def broken(*call: str) -> None:
        raise RuntimeError("metrics store gone")

    assert ProviderHTTP("acme", server.url, settings=FAST, on_call=broken).get_json("a", "/ok").data == {"a": 1}
    assert "call not recorded (RuntimeError)" in caplog.text
