"""The websocket route: `/live?topics=match:42,matches:2026-11-25&since=<page time>`.

Protocol (server to page): HTML whose top-level elements are swapped in by id, or JSON:
`{"subscribed": [...], "errors": [{"topic", "error"}]}` after a (un)subscription,
`{"resync": true}` when the page may have missed something, `{"refetch": [ids]}`,
`{"event": name}` on the user's own topic, `{"error": text}` for a bad message.
Page to server: `{"subscribe": [topics]}`, `{"unsubscribe": [topics]}`.

Close codes: 1001 server going away (reconnect), 1008 too many messages or no pong,
1009 message too big, 1011 server error (reconnect), 1013 instance full or client too slow (reconnect with backoff).
"""

from __future__ import annotations

import contextlib
import json
import logging
from socket import SHUT_RDWR
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Flask, abort, current_app, request
from flask_login import current_user
from simple_websocket import ConnectionClosed
from wsproto.events import TextMessage

from app.extensions import limiter, sock
from app.jobs import signals
from app.live.broadcast import wait_connected
from app.live.hub import ABNORMAL, POLICY, SERVER_ERROR, Connection, Hub
from app.live.service import Live, current, live_url, refetch_committed
from app.live.topics import TopicError, allowed
from app.refresh import watching
from app.storage import database
from app.web import viewer

bp = Blueprint("live", __name__)

log = logging.getLogger("betscore.live")
WATCH_MARK_SECONDS = 30
RECHECK_SECONDS = 5.0


@bp.before_request
def handshake_checks() -> None:
    """Before the upgrade: refuse foreign pages, and decline compression unless it is wanted."""
    origin = request.headers.get("Origin")
    if origin and not _allowed_origin(origin):
        abort(403, "This page may not open BetScore's live socket.")
    if not current_app.config["LIVE_COMPRESSION"]:
        # simple-websocket accepts permessage-deflate whenever offered; a compressor per socket
        # costs ~93 MB per 1,000 sockets (../shared/STACK-NOTES.md), and pushed parts are small.
        request.environ.pop("HTTP_SEC_WEBSOCKET_EXTENSIONS", None)


def _allowed_origin(origin: str) -> bool:
    """The page's own site (browsers always send Origin: this stops cross-site socket hijacking)."""
    if origin in current_app.config["LIVE_ORIGINS"]:
        return True
    try:
        return urlsplit(origin).netloc == request.host
    except ValueError:  # no URL at all ('http://[', an unclosed IPv6 bracket): no site of ours
        return False


def _since() -> float | None:
    try:
        value = float(request.args.get("since", ""))
    except ValueError:
        return None
    return value if value > 0 else None


def _requested() -> list[str]:
    raw = request.args.get("topics", "")
    return [t for t in raw.split(",") if t][:64]


@sock.route("/live", bp=bp)
def socket(ws: Any) -> None:
    # flask-sock has upgraded the connection already: an error from here on must close the
    # socket (1011, the page reconnects), never let Flask write a 500 page into it.
    try:
        _socket(ws)
    except Exception:
        log.exception("live: a socket failed")
        with contextlib.suppress(Exception):
            ws.close(SERVER_ERROR, "server error: reconnect")


def _socket(ws: Any) -> None:
    live = current()
    hub = live.hub
    user_id = current_user.id if current_user.is_authenticated else None
    database.end_session()  # the socket may stay open for hours: hold no database connection meanwhile
    conn = Connection(ws, viewer.odds_format(), user_id, request.remote_addr or "")
    refused = hub.admit(conn)
    if refused is not None:
        ws.close(*refused)
        return
    code = SERVER_ERROR
    try:
        live.ensure_started()
        wait_connected(live.broadcaster, 2.0)  # the first socket: let the relay listen before replying
        reply = _subscribe(hub, conn, _requested())
        conn.push(json.dumps(reply, separators=(",", ":")), hub.outbox_limit)
        if hub.missed_since(conn.topics, _since()):
            conn.push('{"resync":true}', hub.outbox_limit)
        code = _serve(hub, conn)
    finally:
        hub.remove(conn, code)


def _serve(hub: Hub, conn: Connection) -> int:
    """The connection's one loop: read what came in, close if asked, send what waits. Returns the close code."""
    ws = conn.ws
    limit = current_app.config["LIVE_MAX_MESSAGES_PER_MINUTE"]
    try:
        while True:
            # With a timeout: simple-websocket may set the event before it marks a socket closed
            # (a message over the size cap), and a handler that missed it must still notice.
            ws.event.wait(RECHECK_SECONDS)
            ws.event.clear()
            # Wakes on a message in, a message out (Connection.push), a close, or a failed ping.
            # receive() only when there is something to read or the socket closed: under gevent
            # even a receive(timeout=0) yields, which costs a second pass over every socket a publish.
            while ws.input_buffer or not ws.connected:
                message = ws.receive(timeout=0)
                if message is None:
                    break
                _inbound(hub, conn, message, limit)
            if conn.closing is not None:
                ws.close(*conn.closing)
                return conn.closing[0]
            while conn.outbox:
                _send(ws, conn.outbox.popleft())
                hub.sent()
    except (ConnectionClosed, OSError):
        reason = getattr(ws, "close_reason", ABNORMAL)
        return int(reason) if reason and int(reason) != 1005 else ABNORMAL


def _send(ws: Any, text: str) -> None:
    """Send one message whole, or give the client up: a client that stops reading fills its TCP
    buffer, and a plain send would then hold this handler (and its close) for ever."""
    frame = ws.ws.send(TextMessage(data=text))
    sock = ws.sock
    before = sock.gettimeout()
    sock.settimeout(current_app.config["LIVE_SEND_TIMEOUT"])
    try:
        sock.sendall(frame)
    except OSError:
        ws.connected = False  # nothing more can be written: flask-sock must not try a close frame
        with contextlib.suppress(OSError):
            sock.shutdown(SHUT_RDWR)  # ends simple-websocket's reader, and its blocked ping if any
        raise
    finally:
        with contextlib.suppress(OSError):
            sock.settimeout(before)


def _inbound(hub: Hub, conn: Connection, message: str | bytes, limit: int) -> None:
    if not conn.counted(limit):
        hub.counts["rejected_messages"] += 1
        conn.close_soon(POLICY, f"too many messages: at most {limit} a minute")
        return
    reply: dict[str, Any]
    try:
        request_ = json.loads(message) if isinstance(message, str) else None
        if not isinstance(request_, dict) or not ({"subscribe", "unsubscribe"} & request_.keys()):
            raise ValueError
        adds, drops = request_.get("subscribe", []), request_.get("unsubscribe", [])
        if not isinstance(adds, list) or not isinstance(drops, list):
            raise ValueError
    except (ValueError, RecursionError):  # RecursionError: JSON nested thousands deep
        hub.counts["rejected_messages"] += 1
        reply = {"error": 'send JSON text: {"subscribe": [topics]} or {"unsubscribe": [topics]}'}
    else:
        for name in drops:
            if isinstance(name, str):
                hub.unsubscribe(conn, name)
        reply = _subscribe(hub, conn, adds)
    conn.push(json.dumps(reply, separators=(",", ":")), hub.outbox_limit)


def _subscribe(hub: Hub, conn: Connection, names: list[Any]) -> dict[str, Any]:
    errors = []
    for name in names[:64]:
        try:
            topic = str(allowed(name, conn.user_id))
        except TopicError as exc:
            errors.append({"topic": exc.topic, "error": ("forbidden: " if exc.forbidden else "") + str(exc)})
            continue
        if not hub.subscribe(conn, topic):
            errors.append({"topic": topic, "error": f"too many topics: at most {hub.max_topics} a connection"})
        elif topic.startswith("match:") and hub.first_in(topic, WATCH_MARK_SECONDS):
            # Watched from now, not from the next heartbeat; once per match per process and half
            # minute, so a burst of handshakes is not a burst of cache writes.
            watching.seen(int(topic.partition(":")[2]))
    return {"subscribed": sorted(conn.topics), "errors": errors}


def init_app(app: Flask) -> None:
    """This app's live service, its socket route, and the relay of refetches a job's commit asks for."""
    app.extensions["betscore.live"] = Live(app)
    signals.committed.connect(refetch_committed, sender=app)
    app.config.setdefault(
        "SOCK_SERVER_OPTIONS",
        {
            "ping_interval": app.config["LIVE_PING_SECONDS"] or None,
            "max_message_size": app.config["LIVE_MAX_MESSAGE_BYTES"],
        },
    )
    app.register_blueprint(bp)
    app.add_template_global(live_url)
    limiter.exempt(bp)  # the connection cap bounds sockets; reconnect storms share NAT'd addresses
