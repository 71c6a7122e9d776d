"""BetScore served over loopback for live-socket tests, with settings of the test's choosing, and a socket client.

Each test gets its own app (so its own Live and hub, caps included) on a free port, on every backend:
`embedded` (SQLite, in-process broadcasting) always; `services` (PostgreSQL, and Redis relaying when
TEST_REDIS_URL is set) when TEST_DATABASE_URL is set. These tests never take the `app` fixture: its
per-test transaction swaps the global `db.session`, which the server's own request threads would share.
Rows they commit (signed-in users) are deleted again when the server stops.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from typing import Any
from urllib.parse import urlencode

import pytest
import simple_websocket
from flask import Flask
from simple_websocket import ConnectionClosed
from werkzeug.serving import make_server

from app import create_app
from app.extensions import db
from app.live.broadcast import RedisBroadcaster, wait_connected
from app.live.hub import Hub
from app.live.service import Live
from tests.conftest import Auth, _backends, _settings

TIMEOUT = 5.0  # generous: how long a test waits for something that should happen at once
PASSWORD = "correct horse battery"
PROBE = "league:relay-probe"  # a topic no client takes: published to learn that the Redis relay listens


class Client(simple_websocket.Client):
    """simple-websocket's client with three of its quirks fixed, so that tests see what a browser sees.

    - It sends Host without the port, which makes a same-origin `Origin` look foreign: send it as browsers do.
    - It leaves its socket open when the server refuses the handshake: close it.
    - Its handshake takes only the first event of what it read; frames that came in the same packet as the
      101 response (the subscribe reply, a close) wait unread until more bytes come: read them first.
    """

    def handshake(self) -> None:
        self.host = f"{self.host}:{self.port}"  # connected already: from here on it only names the Host
        try:
            super().handshake()
        except BaseException:
            self.sock.close()
            raise

    def _thread(self) -> None:
        self.connected = self._handle_events()  # frames that came with the handshake's response
        super()._thread()


def wait_for(condition: Callable[[], Any], what: str | Callable[[], str], timeout: float = TIMEOUT) -> Any:
    """Poll until `condition()` is truthy and return it; fail saying `what` did not happen."""
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        if time.monotonic() > deadline:
            pytest.fail(f"not within {timeout}s: {what if isinstance(what, str) else what()}")
        time.sleep(0.01)
    return result


def receive(ws: Client, timeout: float = TIMEOUT) -> Any:
    """The next message, decoded when it is JSON; fails when none comes."""
    text = ws.receive(timeout)
    assert text is not None, f"no message within {timeout}s"
    try:
        return json.loads(text)
    except ValueError:
        return text


def closed_with(ws: Client, timeout: float = TIMEOUT) -> tuple[int, str | None]:
    """Read until the server closes the socket: its close code and reason (what came before is dropped)."""
    deadline = time.monotonic() + timeout
    with contextlib.suppress(ConnectionClosed):
        while (left := deadline - time.monotonic()) > 0:
            ws.receive(left)
        pytest.fail(f"the server did not close the socket within {timeout}s")
    return int(ws.close_reason), ws.close_message


def close_quietly(ws: Client) -> None:
    with contextlib.suppress(ConnectionClosed, OSError):
        ws.close()


class LiveServer:
    """One BetScore app served by werkzeug's threaded server, as the browser tests serve it."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.host = f"127.0.0.1:{self.server.server_port}"
        self.url = f"http://{self.host}"
        self.clients: list[Client] = []
        self.user_ids: list[int] = []
        # Polling often: shutdown() waits for a poll, half a second by default, at every test's end.
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, name=f"live-test {self.host}", daemon=True
        )
        self._thread.start()

    @property
    def live(self) -> Live:
        live: Live = self.app.extensions["betscore.live"]
        return live

    @property
    def hub(self) -> Hub:
        return self.live.hub

    @property
    def relayed(self) -> bool:
        return isinstance(self.live.broadcaster, RedisBroadcaster)

    def ws_url(self, topics: tuple[str, ...] = (), since: float | str | None = None) -> str:
        query = {"topics": ",".join(topics)} if topics else {}
        if since is not None:
            query["since"] = str(since)
        return f"ws://{self.host}/live" + (f"?{urlencode(query, safe=':,')}" if query else "")

    def connect(
        self,
        *topics: str,
        since: float | str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Client:
        ws = Client.connect(self.ws_url(topics, since), headers=dict(headers or {}))
        self.clients.append(ws)
        return ws

    def subscribe(
        self,
        *topics: str,
        since: float | str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> tuple[Client, dict[str, Any]]:
        """A client on these topics and the server's first reply to it (and the resync that follows
        when the page's age is not given)."""
        ws = self.connect(*topics, since=since, headers=headers)
        reply = receive(ws)
        assert "subscribed" in reply, reply
        if since is None:
            assert receive(ws) == {"resync": True}, "a page of unknown age should resync"
        return ws, reply

    def publish(self, topic: str, variants: Mapping[str, str]) -> None:
        with self.app.app_context():
            from app.live import service as live

            assert live.publish(topic, variants)

    def wait_relay(self) -> None:
        """Once a socket has started the Redis relay: wait until a message published now reaches this hub."""
        if not self.relayed:
            return
        assert wait_connected(self.live.broadcaster, TIMEOUT), "the Redis relay did not connect"
        started = time.time()

        def arrived() -> bool:
            if self.hub.last_delivery.get(PROBE, 0.0) >= started:
                return True
            self.publish(PROBE, {"": "probe"})  # again: the first may go before the PSUBSCRIBE is in
            time.sleep(0.05)
            return self.hub.last_delivery.get(PROBE, 0.0) >= started

        wait_for(arrived, "a message published through Redis came back to the relay")

    def status(self, path: str, headers: Mapping[str, str] | None = None) -> int:
        """The HTTP status of a plain GET over a real connection."""
        import http.client

        conn = http.client.HTTPConnection("127.0.0.1", self.server.server_port, timeout=TIMEOUT)
        try:
            conn.request("GET", path, headers=dict(headers or {}))
            response = conn.getresponse()
            response.read()
            return response.status
        finally:
            conn.close()

    def sign_in(self) -> tuple[int, str]:
        """A new user signed in: their id, and the Cookie header their browser would send."""
        from app.accounts.services import create_user

        email = f"live-{uuid.uuid4().hex[:12]}@example.com"
        with self.app.app_context():
            user = create_user(email, PASSWORD)
            db.session.commit()
            self.user_ids.append(user.id)
            user_id = user.id
        browser = self.app.test_client()
        response = Auth(browser).login(email, PASSWORD)
        assert response.status_code in (302, 303), response.status_code
        cookie = browser.get_cookie(self.app.config["SESSION_COOKIE_NAME"])
        assert cookie is not None
        return user_id, f"{cookie.key}={cookie.value}"

    def stop(self) -> None:
        for ws in self.clients:
            close_quietly(ws)
        self.hub.shutdown(wait=TIMEOUT)
        self.live.stop()
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(TIMEOUT)
        with self.app.app_context():
            if self.user_ids:
                from app.accounts.models import User

                db.session.query(User).filter(User.id.in_(self.user_ids)).delete(synchronize_session=False)
                db.session.commit()
            db.engine.dispose()


@pytest.fixture(scope="session", params=_backends())
def live_backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(scope="session")
def live_settings(live_backend: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The backend's settings, its database migrated (empty: these tests need no demo world)."""
    from flask_migrate import upgrade

    settings = {**_settings(live_backend, tmp_path_factory), "SECRET_KEY": "live", "RATELIMIT_ENABLED": False}
    app = create_app(settings)
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return settings


@pytest.fixture
def serve(live_settings: dict[str, Any], clock) -> Iterator[Callable[..., LiveServer]]:
    """`serve(LIVE_MAX_CONNECTIONS=2)`: a new app with these settings, served on a free port until the test ends."""
    servers: list[LiveServer] = []

    def start(**overrides: Any) -> LiveServer:
        app = create_app({**live_settings, "CLOCK": clock, **overrides})
        servers.append(LiveServer(app))
        return servers[-1]

    yield start
    for server in reversed(servers):
        server.stop()


@pytest.fixture
def server(serve: Callable[..., LiveServer]) -> LiveServer:
    """BetScore with the default live settings."""
    return serve()


@pytest.fixture
def redis_servers(live_settings: dict[str, Any], serve: Callable[..., LiveServer]) -> tuple[LiveServer, LiveServer]:
    """Two instances sharing Redis: separate apps, servers, hubs and relays."""
    if not live_settings.get("REDIS_URL"):
        pytest.skip("instances relay through Redis only: set TEST_DATABASE_URL and TEST_REDIS_URL")
    return serve(), serve()


def assert_still_serving(server: LiveServer) -> None:
    """A new client still subscribes and gets a publish, and an ordinary page still renders."""
    ws, reply = server.subscribe("league:still-serving")
    assert reply == {"subscribed": ["league:still-serving"], "errors": []}
    server.wait_relay()
    server.publish("league:still-serving", {"": "still here"})
    assert receive(ws) == "still here"
    close_quietly(ws)
    assert server.status("/") == 200
