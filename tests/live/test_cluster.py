"""Two instances sharing Redis: a publish on one reaches the other's clients, and the relay outlives losing Redis.

Only with Redis (TEST_DATABASE_URL and TEST_REDIS_URL set); skipped otherwise.
"""

from __future__ import annotations

import os

import pytest

from tests.live.conftest import LiveServer, receive


def _our_local_ports() -> set[int]:
    """The local ports of this process's TCP sockets (Linux's /proc)."""
    inodes = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:[") : -1])
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as rows:
            next(rows)
            for row in rows:
                fields = row.split()
                if fields[9] in inodes:
                    ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


def drop_relays(server: LiveServer) -> int:
    """Have Redis drop this process's pub/sub connections (the relays), as a Redis restart or failover would.

    Like `CLIENT KILL TYPE pubsub`, but sparing other processes' subscribers on a shared Redis.
    """
    if not os.path.isdir("/proc/self/fd"):
        pytest.skip("finding this process's Redis connections reads Linux's /proc")
    redis = server.live.redis
    assert redis is not None
    ours = _our_local_ports()
    killed = 0
    for client in redis.client_list(_type="pubsub"):
        if int(client["addr"].rsplit(":", 1)[1]) in ours:
            killed += redis.client_kill_filter(_id=client["id"])
    return killed


def test_a_publish_on_one_instance_reaches_a_client_of_another(redis_servers):
    a, b = redis_servers
    ws, _ = b.subscribe("match:1")
    fractional, _ = b.subscribe("match:1", headers={"Cookie": "odds_format=fractional"})
    elsewhere, _ = b.subscribe("match:2")
    b.wait_relay()
    a.publish("match:1", {"": '<b id="p">2.50</b>', "fractional": '<b id="p">3/2</b>'})
    a.publish("match:2", {"": "two"})
    assert receive(ws) == '<b id="p">2.50</b>'
    assert receive(fractional) == '<b id="p">3/2</b>'
    assert receive(elsewhere) == "two"  # and not match:1's
    assert len(a.hub) == 0 and b.hub.last_delivery.keys() >= {"match:1", "match:2"}


def test_both_instances_relay_to_their_own_clients(redis_servers):
    a, b = redis_servers
    on_a, _ = a.subscribe("league:epl")
    on_b, _ = b.subscribe("league:epl")
    a.wait_relay()
    b.wait_relay()
    b.publish("league:epl", {"": "table"})
    with a.app.app_context():
        from app.live import service as live

        assert live.refetch("league:epl", ["table"])
    assert receive(on_a) == "table" and receive(on_b) == "table"
    assert receive(on_a) == {"refetch": ["table"]} and receive(on_b) == {"refetch": ["table"]}


def test_after_redis_drops_the_relay_it_reconnects_pages_resync_and_publishes_arrive_again(redis_servers):
    a, b = redis_servers
    ws, _ = b.subscribe("match:1")
    b.wait_relay()
    assert drop_relays(b) >= 1
    a.publish("match:1", {"": "while away"})  # lost, most likely: what the resync is for
    assert receive(ws) == {"resync": True}  # what was published meanwhile may be gone: fetch again
    b.wait_relay()
    a.publish("match:1", {"": "after"})
    message = receive(ws)
    if message == "while away":  # the relay was back before it was published
        message = receive(ws)
    assert message == "after"
    assert b.hub.counts["dropped_slow"] == 0
