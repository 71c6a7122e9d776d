"""The hub on its own: caps, fan-out in each connection's variant, slow clients, resync decisions, rates, metrics.

`Socket` stands in for simple-websocket's server socket, of which Connection and Hub use only `event`.
"""

from __future__ import annotations

import threading
import time

import pytest

from app.live.hub import GOING_AWAY, RESYNC, TRY_AGAIN, Connection, Hub, Rate


class Socket:
    def __init__(self) -> None:
        self.event = threading.Event()


def connection(variant: str = "", user_id: int | None = None) -> Connection:
    return Connection(Socket(), variant, user_id)


def joined(hub: Hub, *topics: str, variant: str = "") -> Connection:
    conn = connection(variant)
    assert hub.add(conn)
    for topic in topics:
        assert hub.subscribe(conn, topic)
    return conn


# -- caps ---------------------------------------------------------------------------------
def test_a_full_hub_refuses_and_counts_until_one_leaves():
    hub = Hub(max_connections=2)
    first, second = joined(hub), joined(hub)
    assert not hub.add(connection())
    assert not hub.add(connection())
    assert len(hub) == 2 and hub.counts["refused_full"] == 2
    hub.remove(first, 1000)
    assert hub.add(connection())
    assert len(hub) == 2 and hub.counts["opened"] == 3
    hub.remove(second, 1001)
    hub.remove(second, 1006)  # a second remove is a no-op, not a second close
    assert hub.closed == {1000: 1, 1001: 1}


def test_one_address_cannot_fill_the_hub_and_gets_a_slot_back_when_one_of_its_sockets_closes():
    hub = Hub(max_connections=10, max_per_address=2)
    first = Connection(Socket(), address="203.0.113.7")
    assert hub.admit(first) is None and hub.admit(Connection(Socket(), address="203.0.113.7")) is None
    refused = hub.admit(Connection(Socket(), address="203.0.113.7"))
    assert refused == (1008, "too many connections from your address (at most 2)")
    assert hub.admit(Connection(Socket(), address="198.51.100.1")) is None  # another visitor is not affected
    assert hub.counts["refused_address"] == 1 and hub.metrics()["refused_address"] == 1
    hub.remove(first, 1000)
    assert hub.admit(Connection(Socket(), address="203.0.113.7")) is None


def test_a_connection_has_at_most_max_topics_and_resubscribing_is_free():
    hub = Hub(max_topics=2)
    conn = joined(hub, "match:1", "match:2")
    assert not hub.subscribe(conn, "match:3")
    assert hub.subscribe(conn, "match:1")  # already there: not a new topic
    assert conn.topics == {"match:1", "match:2"}
    hub.unsubscribe(conn, "match:2")
    hub.unsubscribe(conn, "match:2")
    assert hub.subscribe(conn, "match:3")
    assert sorted(hub.topics()) == ["match:1", "match:3"]


def test_removing_a_connection_drops_its_topics_once_nobody_listens():
    hub = Hub()
    a = joined(hub, "match:1", "league:epl")
    b = joined(hub, "match:1")
    hub.remove(a, 1000)
    assert sorted(hub.topics()) == ["match:1"]
    assert hub.deliver("league:epl", {"": "x"}) == 0
    assert hub.deliver("match:1", {"": "x"}) == 1 and list(b.outbox) == ["x"]
    hub.remove(b, 1000)
    assert hub.topics() == []


def test_topics_lists_by_kind_without_prefix_collisions():
    hub = Hub()
    joined(hub, "match:1", "matches:2026-11-25", "league:epl", "user:3")
    assert hub.topics("match") == ["match:1"]
    assert hub.topics("matches") == ["matches:2026-11-25"]
    assert sorted(hub.topics()) == ["league:epl", "match:1", "matches:2026-11-25", "user:3"]


# -- delivery -----------------------------------------------------------------------------
def test_each_connection_gets_its_own_variant_else_the_common_one():
    hub = Hub()
    decimal = joined(hub, "match:1", variant="decimal")
    fractional = joined(hub, "match:1", variant="fractional")
    american = joined(hub, "match:1", variant="american")
    elsewhere = joined(hub, "match:2", variant="fractional")
    assert hub.deliver("match:1", {"": "<p>2.50</p>", "fractional": "<p>3/2</p>"}) == 3
    assert list(decimal.outbox) == ["<p>2.50</p>"]
    assert list(fractional.outbox) == ["<p>3/2</p>"]
    assert list(american.outbox) == ["<p>2.50</p>"]
    assert not elsewhere.outbox and not elsewhere.ws.event.is_set()
    assert all(c.ws.event.is_set() for c in (decimal, fractional, american))


def test_a_message_with_no_common_variant_reaches_only_the_variants_it_names():
    hub = Hub()
    decimal = joined(hub, "match:1", variant="decimal")
    fractional = joined(hub, "match:1", variant="fractional")
    assert hub.deliver("match:1", {"fractional": "<p>3/2</p>"}) == 1
    assert list(fractional.outbox) == ["<p>3/2</p>"] and not decimal.outbox
    assert hub.counts["dropped_slow"] == 0 and decimal.closing is None


def test_a_client_whose_outbox_is_full_is_closed_to_catch_up_and_the_others_still_get_theirs():
    hub = Hub(outbox_limit=2)
    slow = joined(hub, "match:1")
    fast = joined(hub, "match:1")
    for n in range(3):
        hub.deliver("match:1", {"": f"m{n}"})
        fast.outbox.clear()  # its handler keeps up
    assert list(slow.outbox) == ["m0", "m1"]
    assert slow.closing == (TRY_AGAIN, "too slow: reconnect to catch up")
    assert fast.closing is None
    assert hub.counts["dropped_slow"] == 1 and hub.counts["events_in"] == 3


def test_close_soon_keeps_the_first_reason_and_wakes_the_handler():
    conn = connection()
    conn.close_soon(TRY_AGAIN, "too slow")
    conn.close_soon(GOING_AWAY, "bye")
    assert conn.closing == (TRY_AGAIN, "too slow") and conn.ws.event.is_set()


def test_resync_all_tells_everyone_and_closes_whoever_cannot_take_it():
    hub = Hub(outbox_limit=1)
    idle = joined(hub)
    full = joined(hub, "match:1")
    hub.deliver("match:1", {"": "m"})
    hub.resync_all()
    assert list(idle.outbox) == [RESYNC] and idle.closing is None
    assert list(full.outbox) == ["m"] and full.closing is not None and full.closing[0] == TRY_AGAIN


def test_inbound_messages_are_counted_per_minute():
    conn = connection()
    start = conn.window_start
    assert all(conn.counted(3, now=start + i) for i in range(3))
    assert not conn.counted(3, now=start + 59.9)
    assert conn.counted(3, now=start + 60)  # a new minute
    assert conn.counted(3, now=start + 61) and conn.counted(3, now=start + 62)
    assert not conn.counted(3, now=start + 63)


# -- resync decisions ---------------------------------------------------------------------
def test_a_page_of_unknown_age_or_older_than_the_hub_resyncs():
    hub = Hub()
    assert hub.missed_since(["match:1"], None)
    assert hub.missed_since(["match:1"], 1.0)
    assert hub.missed_since(["match:1"], hub.started_at - 3600)
    assert hub.missed_since(["match:1"], hub.started_at + 0.5)  # within the second's slack
    assert hub.missed_since([], None)


def test_a_page_newer_than_the_hub_resyncs_only_after_a_delivery_on_its_topics():
    hub = Hub()
    page_time = hub.started_at + 5  # drawn after the hub started (clocks are compared, not waited on)
    assert not hub.missed_since(["match:1", "league:epl"], page_time)
    hub.deliver("match:1", {"": "x"})  # no listener needed: the delivery is remembered
    delivered = hub.last_delivery["match:1"]
    assert hub.missed_since(["match:1"], delivered)  # delivered as the page was drawn
    assert hub.missed_since(["match:1"], delivered + 0.9)  # within the second's slack
    assert not hub.missed_since(["match:1"], max(delivered, page_time) + 2)
    assert not hub.missed_since(["league:epl"], page_time)  # nothing delivered on it
    assert hub.missed_since(["league:epl", "match:1"], delivered)


def test_forgetting_old_deliveries_keeps_recent_ones():
    hub = Hub()
    hub.deliver("match:1", {"": "x"})
    hub.last_delivery["match:2"] = time.time() - 7200
    hub.forget_older_than(3600)
    assert set(hub.last_delivery) == {"match:1"}


# -- rates and metrics --------------------------------------------------------------------
def test_rate_is_the_mean_over_whole_seconds_before_the_current_one():
    rate = Rate()
    now = 1_000_000.5
    rate.add(7, now=now)  # the current second: left out
    rate.add(10, now=now - 1)
    rate.add(20, now=now - 10)
    rate.add(5, now=now - 11)  # before the window
    assert rate.per_second(window=10, now=now) == pytest.approx(3.0)
    assert rate.per_second(window=1, now=now) == pytest.approx(10.0)
    assert rate.per_second(window=10, now=now + 1) == pytest.approx(1.7)  # now the 7 counts and the 20 left


def test_rate_reuses_its_slots_after_a_minute():
    rate = Rate(span=60)
    rate.add(100, now=1000)
    rate.add(1, now=1060)  # the same slot, a minute later: starts from zero
    rate.add(2, now=1060)
    assert rate.per_second(window=1, now=1061) == pytest.approx(3.0)
    assert rate.per_second(window=60, now=1061) == pytest.approx(3 / 60)


def test_metrics_count_connections_subscriptions_and_closes():
    hub = Hub(max_connections=10)
    joined(hub, "match:1", "match:2", "user:3", variant="decimal")
    joined(hub, "match:1", "matches:2026-11-25")
    gone = joined(hub, "league:epl")
    hub.remove(gone, 1001)
    hub.deliver("match:1", {"": "x"})
    hub.sent(2)
    hub.rate.add(40, now=time.time() - 2)  # as if 40 went out two seconds ago
    m = hub.metrics()
    assert m["connections"] == 2 and m["max_connections"] == 10 and m["accepting"]
    assert m["topics"] == 4  # match:1, match:2, user:3, matches:...
    assert m["subscriptions"] == {"match": 3, "league": 0, "matches": 1, "user": 1}
    assert m["events_in"] == 1 and m["messages_out"] == 2
    assert m["messages_out_per_second"] == pytest.approx(4.0)
    assert m["opened"] == 3 and m["refused_full"] == 0 and m["dropped_slow"] == 0
    assert m["closed"] == {"1001": 1}
    assert m["started_at"] == hub.started_at


# -- shutdown -----------------------------------------------------------------------------
def test_shutdown_closes_everyone_going_away_waits_for_their_handlers_and_refuses_newcomers():
    hub = Hub()
    conns = [joined(hub, "match:1") for _ in range(3)]

    def handler(conn: Connection) -> None:  # what the route does: wait to be woken, then leave the hub
        conn.ws.event.wait()
        assert conn.closing is not None
        hub.remove(conn, conn.closing[0])

    threads = [threading.Thread(target=handler, args=(c,)) for c in conns]
    for thread in threads:
        thread.start()
    assert hub.shutdown(wait=5.0) == 3
    for thread in threads:
        thread.join(5.0)
    assert len(hub) == 0 and hub.closed == {GOING_AWAY: 3}
    assert all(c.closing == (GOING_AWAY, "server going away") for c in conns)
    assert not hub.add(connection()) and not hub.metrics()["accepting"]


def test_shutdown_gives_up_waiting_on_a_stuck_handler():
    hub = Hub()
    stuck = joined(hub)
    assert hub.shutdown(wait=0.0) == 1
    assert stuck.closing is not None and len(hub) == 1


def test_first_in_is_true_once_per_key_within_its_period():
    hub = Hub()
    assert hub.first_in("match:1", 30)
    assert not hub.first_in("match:1", 30)
    assert hub.first_in("match:2", 30)
    assert hub.first_in("match:3", 0) and hub.first_in("match:3", 0)  # no period: every time


def test_a_message_for_several_topics_reaches_a_connection_on_two_of_them_once():
    hub = Hub()
    both, one, neither = Connection(Socket()), Connection(Socket()), Connection(Socket())
    for conn in (both, one, neither):
        assert hub.add(conn)
    hub.subscribe(both, "matches:2026-11-25")
    hub.subscribe(both, "matches:2026-11-26")
    hub.subscribe(one, "matches:2026-11-26")
    hub.subscribe(neither, "matches:2026-11-28")
    assert hub.deliver(("matches:2026-11-24", "matches:2026-11-25", "matches:2026-11-26"), {"": "row"}) == 2
    assert list(both.outbox) == ["row"] and list(one.outbox) == ["row"] and not neither.outbox
    assert {"matches:2026-11-24", "matches:2026-11-26"} <= hub.last_delivery.keys()  # a page of any of them resyncs
