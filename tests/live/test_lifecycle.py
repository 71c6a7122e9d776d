"""A socket's life over a real server: leaving, being reaped, shutdown, resyncing on reconnect, and the heartbeat."""

from __future__ import annotations

import base64
import os
import socket
import struct
from collections.abc import Iterator

import pytest

from app.extensions import cache
from app.live.hub import shutdown_all
from app.refresh import watching
from tests.live.conftest import TIMEOUT, LiveServer, assert_still_serving, closed_with, receive, wait_for

PING, CLOSE, TEXT = 0x9, 0x8, 0x1


# -- a hand-made client: it does the handshake, then reads frames and answers nothing -------
def raw_socket(server: LiveServer, path: str, receive_buffer: int | None = None) -> tuple[socket.socket, bytes]:
    """A TCP connection upgraded to a websocket by hand; what came after the 101 response."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if receive_buffer:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
    sock.settimeout(TIMEOUT)
    sock.connect(("127.0.0.1", server.server.server_port))
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall(
        (
            f"GET {path} HTTP/1.1\r\nHost: {server.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
    )
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        assert chunk, "the server hung up during the handshake"
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 101"), head
    return sock, rest


def frames(sock: socket.socket, data: bytes) -> Iterator[tuple[int, bytes]]:
    """The server's frames (opcode, payload) up to its close frame; fails if it keeps the connection open.

    (werkzeug's development server writes an HTTP response after the socket's handler returns: not frames.)"""
    opcode = None
    while opcode != CLOSE:
        while (frame := _frame(data)) is None:
            try:
                chunk = sock.recv(65536)
            except TimeoutError:
                pytest.fail(f"the server kept the connection open for {TIMEOUT}s without a word")
            if not chunk:
                pytest.fail("the server hung up without a close frame")
            data += chunk
        opcode, payload, data = frame
        yield opcode, payload


def _frame(data: bytes) -> tuple[int, bytes, bytes] | None:
    if len(data) < 2:
        return None
    opcode, length, start = data[0] & 0x0F, data[1] & 0x7F, 2
    if length == 126:
        if len(data) < 4:
            return None
        length, start = struct.unpack(">H", data[2:4])[0], 4
    elif length == 127:
        if len(data) < 10:
            return None
        length, start = struct.unpack(">Q", data[2:10])[0], 10
    if len(data) < start + length:
        return None
    return opcode, data[start : start + length], data[start + length :]


# -- leaving ------------------------------------------------------------------------------
def test_a_client_that_closes_is_forgotten_with_its_topics(server):
    ws, _ = server.subscribe("match:1", "league:epl")
    assert len(server.hub) == 1
    ws.close()
    wait_for(lambda: len(server.hub) == 0, "the hub let go of the closed connection")
    assert server.hub.topics() == [] and server.hub.closed == {1000: 1}
    assert_still_serving(server)


def test_a_client_that_vanishes_without_a_close_frame_is_forgotten(server):
    sock, _ = raw_socket(server, "/live?topics=match:1")
    wait_for(lambda: len(server.hub) == 1, "the hand-made client joined the hub")
    sock.close()
    wait_for(lambda: len(server.hub) == 0, "the hub let go of the vanished connection")
    assert server.hub.closed == {1006: 1}
    assert_still_serving(server)


def test_a_client_that_stops_answering_pings_is_closed_and_leaves_the_hub(serve):
    server = serve(LIVE_PING_SECONDS=0.5)
    answering, _ = server.subscribe("match:1")  # simple-websocket's client answers pings by itself
    sock, rest = raw_socket(server, "/live?topics=match:1")
    try:
        wait_for(lambda: len(server.hub) == 2, "the hand-made client joined the hub")
        seen = list(frames(sock, rest))
    finally:
        sock.close()
    opcodes = [opcode for opcode, _ in seen]
    assert opcodes[:2] == [TEXT, TEXT]  # the subscribe reply and the resync
    assert PING in opcodes and opcodes[-1] == CLOSE
    assert struct.unpack(">H", seen[-1][1][:2])[0] == 1008
    wait_for(lambda: len(server.hub) == 1, "the hub let go of the unanswering connection")
    server.wait_relay()
    server.publish("match:1", {"": "still listening"})
    assert receive(answering) == "still listening"  # pinged too, answered, kept
    assert_still_serving(server)


def test_a_client_that_stops_reading_is_closed_and_leaves_the_hub(serve):
    server = serve(LIVE_OUTBOX=4, LIVE_SEND_TIMEOUT=1.0)
    sock, _ = raw_socket(server, "/live?topics=match:1", receive_buffer=4096)
    try:
        wait_for(lambda: len(server.hub) == 1, "the hand-made client joined the hub")
        server.wait_relay()
        big = {"": "<p>" + "x" * 65536 + "</p>"}

        def overflowing() -> bool:
            server.publish("match:1", big)  # until the socket's buffers and then its outbox are full
            return server.hub.counts["dropped_slow"] > 0

        wait_for(overflowing, "the hub found the client too slow")
        wait_for(lambda: len(server.hub) == 0, "the hub let go of a client that reads nothing")
    finally:
        sock.close()
    assert_still_serving(server)


# -- shutdown -----------------------------------------------------------------------------
def test_shutdown_closes_every_client_going_away_and_pages_still_render(server):
    first, _ = server.subscribe("match:1")
    second, _ = server.subscribe()
    assert server.hub.shutdown(wait=TIMEOUT) == 2
    assert closed_with(first) == (1001, "server going away")
    assert closed_with(second) == (1001, "server going away")
    assert len(server.hub) == 0 and server.hub.closed == {1001: 2}
    late = server.connect("match:1")
    assert closed_with(late)[0] == 1013  # not accepting: try again (elsewhere) later
    assert server.status("/") == 200


def test_shutdown_all_reaches_every_hub_of_the_process(serve):
    one, two = serve(), serve()
    a, _ = one.subscribe("match:1")
    b, _ = two.subscribe("match:1")
    assert shutdown_all(wait=TIMEOUT) >= 2
    assert closed_with(a)[0] == 1001 and closed_with(b)[0] == 1001
    assert one.status("/") == 200 and two.status("/") == 200


# -- resync on reconnect ------------------------------------------------------------------
def test_a_page_older_than_the_last_delivery_on_its_topic_resyncs_and_a_newer_one_does_not(server):
    first, _ = server.subscribe("match:7")
    server.wait_relay()
    server.publish("match:7", {"": "before"})
    assert receive(first) == "before"
    delivered = server.hub.last_delivery["match:7"]

    stale = server.connect("match:7", since=delivered - 0.5)
    assert receive(stale) == {"subscribed": ["match:7"], "errors": []}
    assert receive(stale) == {"resync": True}

    newer = max(delivered, server.hub.started_at) + 2  # drawn after the delivery and after the hub started
    fresh = server.connect("match:7", since=newer)
    quiet = server.connect("match:8", since=server.hub.started_at + 2)  # a topic nothing was delivered on
    assert receive(fresh) == {"subscribed": ["match:7"], "errors": []}
    assert receive(quiet) == {"subscribed": ["match:8"], "errors": []}
    server.publish("match:7", {"": "after"})
    server.publish("match:8", {"": "eight"})
    assert receive(fresh) == "after"  # the next message: no resync came before it
    assert receive(quiet) == "eight"


@pytest.mark.parametrize("since", ["", "yesterday", "0", "-5", "nan", "1"])
def test_a_page_of_unknown_or_ancient_age_resyncs(server, since):
    ws = server.connect("match:7", since=since)
    assert receive(ws)["subscribed"] == ["match:7"]
    assert receive(ws) == {"resync": True}


# -- the heartbeat ------------------------------------------------------------------------
def test_an_open_match_is_watched_from_subscribing_and_kept_so_by_the_heartbeat(server):
    ws, _ = server.subscribe("match:41", "league:epl")
    ws.send('{"subscribe": ["match:43"]}')
    assert receive(ws)["subscribed"] == ["league:epl", "match:41", "match:43"]
    with server.app.app_context():
        assert watching.watched([41, 42, 43]) == {41, 43}
        cache.clear()  # as if the marks had expired
        assert watching.watched([41, 43]) == set()
        server.live.heartbeat()
        assert watching.watched([41, 42, 43]) == {41, 43}
    ws.close()
    wait_for(lambda: len(server.hub) == 0, "the hub let go of the closed connection")
    with server.app.app_context():
        cache.clear()
        server.live.heartbeat()
        assert watching.watched([41, 43]) == set()


def test_the_heartbeat_runs_by_itself_once_a_socket_opened(serve):
    server = serve(LIVE_HEARTBEAT_SECONDS=0.1)
    server.subscribe("match:44")
    with server.app.app_context():
        cache.clear()
        wait_for(lambda: watching.watched([44]) == {44}, "the heartbeat marked the open match as watched")


def test_cluster_metrics_show_this_instances_connections(server):
    server.subscribe("match:1", "league:epl")
    server.subscribe("match:1", "matches:2026-11-25")
    with server.app.app_context():
        server.live.heartbeat()
        everyone = server.live.cluster_metrics()
    mine = [m for m in everyone if m["instance"] == server.live.instance]
    assert len(mine) == 1, everyone
    assert mine[0]["connections"] == 2
    assert mine[0]["subscriptions"] == {"match": 2, "league": 1, "matches": 1, "user": 0}
    assert mine[0]["opened"] == 2 and mine[0]["accepting"]
    if server.relayed:  # shared through Redis, for a while only
        key = f"{server.live.broadcaster.prefix}metrics:{server.live.instance}"
        assert 0 < server.live.redis.ttl(key) <= 45
