"""The live sockets' metrics, for admins (and the health page of a later issue)."""

from __future__ import annotations

import threading

from app.live.hub import Connection


class SocketDouble:
    """simple-websocket's server as the hub sees it: the event its handler waits on."""

    event = threading.Event()


def test_only_admins_read_live_metrics(client, as_fan):
    assert as_fan.get("/admin/live.json").status_code == 403


def test_metrics_count_connections_and_subscriptions_by_kind(app, as_admin):
    service = app.extensions["betscore.live"]
    service.ensure_started()
    hub = service.hub
    conn = Connection(SocketDouble(), "decimal")
    assert hub.add(conn)
    try:
        hub.subscribe(conn, "match:7")
        hub.subscribe(conn, "matches:2026-11-21")
        if app.config.get("REDIS_URL"):
            with app.app_context():
                service.heartbeat()  # each instance shares its figures through Redis on its heartbeat
        body = as_admin.get("/admin/live.json").get_json()
        mine = [i for i in body["instances"] if i["instance"] in (service.instance, "embedded")]
        assert mine and mine[0]["connections"] >= 1
        assert mine[0]["subscriptions"]["match"] >= 1 and mine[0]["subscriptions"]["matches"] >= 1
        assert body["totals"]["connections"] >= 1
    finally:
        hub.remove(conn, 1000)
