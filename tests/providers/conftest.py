"""A real HTTP server on loopback that plays recorded provider responses, and broken ones.

Tests program it route by route: `server.route("/v4/sports/soccer_epl/odds", body=sample("..."),
headers={...})`, then point a client at `server.url`. Every request it receives is recorded, so a
test can check what was sent (and that no key leaked where it should not be).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

# Copied from ../shared/provider-samples (see samples/SOURCES.md): the tests own what they replay.
SAMPLES = Path(__file__).resolve().parent / "samples"


def sample(name: str) -> bytes:
    """A recorded response from samples/, e.g. sample("the-odds-api/events__bellanov.json")."""
    return (SAMPLES / name).read_bytes()


@dataclass
class Reply:
    status: int = 200
    body: bytes = b"{}"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before the status line
    truncate: int | None = None  # send only this many bytes of the body, then close
    trickle: float | None = None  # send the body forever, one byte every `trickle` seconds
    content_type: str = "application/json"


@dataclass
class Seen:
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]


class ProviderServer:
    def __init__(self) -> None:
        self.routes: dict[str, list[Reply]] = {}
        self.requests: list[Seen] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        # A short poll: shutdown() waits up to one interval, and every test stops a server.
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    def route(self, path: str, *replies: Reply, **reply: object) -> None:
        """Answer `path` with these replies in turn (the last one repeats)."""
        self.routes[path] = list(replies) or [Reply(**reply)]  # type: ignore[arg-type]

    def hits(self, path: str) -> list[Seen]:
        return [r for r in self.requests if r.path == path]

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _next(self, path: str) -> Reply:
        replies = self.routes.get(path)
        if not replies:
            return Reply(status=404, body=b'{"message": "no such route in the test server"}')
        return replies.pop(0) if len(replies) > 1 else replies[0]

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:  # keep test output quiet
                pass

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                server.requests.append(Seen(parts.path, parse_qs(parts.query), dict(self.headers)))
                reply = server._next(parts.path)
                time.sleep(reply.delay)
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.content_type)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                if reply.trickle is not None:
                    self._trickle(reply.trickle)
                    return
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                body = reply.body if reply.truncate is None else reply.body[: reply.truncate]
                try:
                    self.wfile.write(body)
                    self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    pass
                if reply.truncate is not None:
                    self.close_connection = True

            def _trickle(self, every: float) -> None:
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                deadline = time.monotonic() + 60  # bounded: the test's client gives up long before
                try:
                    self.wfile.write(b"1\r\n[\r\n")
                    while time.monotonic() < deadline:
                        time.sleep(every)
                        self.wfile.write(b"1\r\n \r\n")
                        self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    pass
                self.close_connection = True

        return Handler


def clear_demo_caches() -> None:
    """Forget every memoised draw of the demo world, so equality really comes from recomputation."""
    from app.providers.demo import books, calendar, detail, match, squads, table, timeline, world
    from app.providers.demo import provider as demo_provider

    for module in (books, calendar, detail, match, squads, table, timeline, world, demo_provider):
        for obj in vars(module).values():
            if hasattr(obj, "cache_clear"):
                obj.cache_clear()


@pytest.fixture
def server() -> Iterator[ProviderServer]:
    s = ProviderServer()
    yield s
    s.close()
