"""The /live socket over a real server: the protocol, who may listen to what, and every cap a client can hit.

After a client is thrown out, the same server must still take a new client and serve an ordinary page.
"""

from __future__ import annotations

import json

import pytest
import simple_websocket

from app.extensions import limiter
from app.live import route
from tests.live.conftest import TIMEOUT, Client, assert_still_serving, close_quietly, closed_with, receive, wait_for

ERROR = {"error": 'send JSON text: {"subscribe": [topics]} or {"unsubscribe": [topics]}'}


# -- the protocol -------------------------------------------------------------------------
def test_the_first_reply_lists_what_was_subscribed_and_why_the_rest_was_not(server):
    _, reply = server.subscribe("match:1", "league:epl", "bogus", "match:0", "user:5", "matches:2026-02-30")
    assert reply["subscribed"] == ["league:epl", "match:1"]
    assert [e["topic"] for e in reply["errors"]] == ["bogus", "match:0", "user:5", "matches:2026-02-30"]
    assert [e["error"].startswith("forbidden: ") for e in reply["errors"]] == [False, False, True, False]
    assert sorted(server.hub.topics()) == ["league:epl", "match:1"]


def test_a_refused_topic_leaves_the_connection_healthy(server):
    ws, _ = server.subscribe()
    ws.send(json.dumps({"subscribe": ["match:abc", 5, None, ["match:1"], "user:1", "match:3"]}))
    reply = receive(ws)
    assert reply["subscribed"] == ["match:3"]
    assert [e["topic"] for e in reply["errors"]] == ["match:abc", "5", "None", "['match:1']", "user:1"]
    server.wait_relay()
    server.publish("match:3", {"": '<div id="m3">1-0</div>'})
    assert receive(ws) == '<div id="m3">1-0</div>'


def test_unsubscribing_stops_a_topic_and_keeps_the_others(server):
    ws, _ = server.subscribe("match:3", "match:4")
    ws.send(json.dumps({"unsubscribe": ["match:3", "match:99", 7], "subscribe": ["league:epl"]}))
    assert receive(ws) == {"subscribed": ["league:epl", "match:4"], "errors": []}
    server.wait_relay()
    server.publish("match:3", {"": "three"})
    server.publish("match:4", {"": "four"})
    assert receive(ws) == "four"  # not "three": it came first and was not delivered
    assert sorted(server.hub.topics()) == ["league:epl", "match:4"]


def test_each_page_gets_the_message_in_its_own_odds_format(server):
    fractional, _ = server.subscribe("match:1", headers={"Cookie": "odds_format=fractional"})
    american, _ = server.subscribe("match:1", headers={"Cookie": "odds_format=american"})
    unknown, _ = server.subscribe("match:1", headers={"Cookie": "odds_format=<script>"})
    server.wait_relay()
    server.publish("match:1", {"": '<b id="p">2.50</b>', "fractional": '<b id="p">3/2</b>'})
    assert receive(fractional) == '<b id="p">3/2</b>'
    assert receive(american) == '<b id="p">2.50</b>'
    assert receive(unknown) == '<b id="p">2.50</b>'


def test_control_messages_reach_pages_as_json(server):
    ws, _ = server.subscribe("match:5")
    server.wait_relay()
    with server.app.app_context():
        from app.live import service as live

        assert live.refetch("match:5", ["odds-board", "header"])
    assert receive(ws) == {"refetch": ["odds-board", "header"]}


def test_messages_that_are_not_requests_get_an_error_and_the_connection_still_works(server):
    ws, _ = server.subscribe()
    junk = [
        "hello",
        "",
        "null",
        "42",
        "[]",
        '"match:1"',
        '{"foo": 1}',
        '{"subscribe": "match:1"}',
        '{"unsubscribe": {"match:1": 1}}',
        '{"subscribe": ["match:1"]',
        b'{"subscribe": ["match:1"]}',
    ]
    for message in junk:
        ws.send(message)
        assert receive(ws) == ERROR, message
    assert server.hub.counts["rejected_messages"] == len(junk)
    ws.send(json.dumps({"subscribe": ["match:8"]}))
    assert receive(ws) == {"subscribed": ["match:8"], "errors": []}
    server.wait_relay()
    server.publish("match:8", {"": "eight"})
    assert receive(ws) == "eight"


def test_deeply_nested_json_gets_an_error_reply_not_a_crash(server):
    ws, _ = server.subscribe("match:8")
    cap = server.app.config["LIVE_MAX_MESSAGE_BYTES"]
    depth = cap // 2 - 1  # within the size cap, deeper than the JSON decoder recurses
    ws.send("[" * depth + "]" * depth)
    assert receive(ws) == ERROR
    server.wait_relay()
    server.publish("match:8", {"": "eight"})
    assert receive(ws) == "eight"


# -- who may listen to what ---------------------------------------------------------------
def test_a_user_topic_is_the_signed_in_users_own_and_notify_user_reaches_only_it(server):
    alice_id, alice_cookie = server.sign_in()
    bob_id, bob_cookie = server.sign_in()
    alice, reply = server.subscribe(f"user:{alice_id}", f"user:{bob_id}", headers={"Cookie": alice_cookie})
    assert reply["subscribed"] == [f"user:{alice_id}"]
    assert reply["errors"] == [
        {"topic": f"user:{bob_id}", "error": "forbidden: a user topic is only for that user, signed in"}
    ]
    bob, reply = server.subscribe(f"user:{bob_id}", headers={"Cookie": bob_cookie})
    assert reply == {"subscribed": [f"user:{bob_id}"], "errors": []}
    anonymous, reply = server.subscribe(f"user:{alice_id}", "match:9")
    assert reply["subscribed"] == ["match:9"] and reply["errors"][0]["error"].startswith("forbidden: ")
    anonymous.send(json.dumps({"subscribe": [f"user:{bob_id}"]}))  # asking later changes nothing
    assert receive(anonymous)["subscribed"] == ["match:9"]

    server.wait_relay()
    with server.app.app_context():
        from app.live import service as live

        assert live.notify_user(alice_id, "bets-changed")
        assert live.notify_user(bob_id, "alerts-changed")
    server.publish("match:9", {"": "nine"})
    assert receive(alice) == {"event": "bets-changed"}
    assert receive(bob) == {"event": "alerts-changed"}  # first thing bob hears: not alice's event
    assert receive(anonymous) == "nine"  # first thing the anonymous page hears
    server.publish(f"user:{bob_id}", {"": "x"})
    server.publish("match:9", {"": "nine again"})
    assert receive(anonymous) == "nine again"


def test_a_forged_session_cookie_is_anonymous(server):
    user_id, cookie = server.sign_in()
    name, _, value = cookie.partition("=")
    forged = f"{name}={value[:-4]}{'AAAA' if not value.endswith('AAAA') else 'BBBB'}"
    _, reply = server.subscribe(f"user:{user_id}", headers={"Cookie": forged})
    assert reply["subscribed"] == [] and reply["errors"][0]["error"].startswith("forbidden: ")


# -- the handshake ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "origin", ["http://evil.example", "https://127.0.0.1.evil.example", "null", "http://localhost", "http://["]
)
def test_a_foreign_page_may_not_open_the_socket(server, origin):
    with pytest.raises(simple_websocket.ConnectionError) as refused:
        Client.connect(server.ws_url(("match:1",)), headers={"Origin": origin})
    assert refused.value.status_code == 403
    assert len(server.hub) == 0 and server.hub.counts["opened"] == 0
    assert_still_serving(server)


def test_the_sites_own_pages_and_configured_origins_may_open_it(serve):
    server = serve(LIVE_ORIGINS=("https://www.betscore.example",))
    for headers in ({"Origin": server.url}, {}, {"Origin": "https://www.betscore.example"}):
        ws, reply = server.subscribe("match:1", headers=headers)
        assert reply == {"subscribed": ["match:1"], "errors": []}
        close_quietly(ws)


def test_a_plain_http_get_of_the_socket_is_a_client_error(server):
    assert server.status("/live") == 400
    assert server.status("/live?topics=match:1") == 400
    assert server.status("/live", {"Origin": "http://evil.example"}) == 400
    assert server.status("/") == 200


# -- caps ---------------------------------------------------------------------------------
def test_a_full_instance_refuses_with_1013_and_takes_the_next_one_after_someone_leaves(serve):
    server = serve(LIVE_MAX_CONNECTIONS=2)
    first, _ = server.subscribe("match:1")
    second, _ = server.subscribe("match:1")
    third = server.connect("match:1")
    code, reason = closed_with(third)
    assert code == 1013 and reason == "server full (2 connections): try again later"
    assert server.hub.counts["refused_full"] == 1
    first.close()
    wait_for(lambda: len(server.hub) == 1, "the hub let go of the closed connection")
    fourth, reply = server.subscribe("match:1")
    assert reply == {"subscribed": ["match:1"], "errors": []}
    server.wait_relay()
    server.publish("match:1", {"": "both"})
    assert receive(second) == "both" and receive(fourth) == "both"
    close_quietly(fourth)
    wait_for(lambda: len(server.hub) == 1, "the hub let go of the fourth connection")
    assert_still_serving(server)


def test_a_connection_has_at_most_max_topics(serve):
    server = serve(LIVE_MAX_TOPICS=2)
    ws, reply = server.subscribe("match:1", "match:2", "match:3")
    assert reply == {
        "subscribed": ["match:1", "match:2"],
        "errors": [{"topic": "match:3", "error": "too many topics: at most 2 a connection"}],
    }
    ws.send(json.dumps({"unsubscribe": ["match:1"], "subscribe": ["match:3"]}))
    assert receive(ws) == {"subscribed": ["match:2", "match:3"], "errors": []}


def test_the_message_after_the_per_minute_cap_closes_with_1008(serve):
    server = serve(LIVE_MAX_MESSAGES_PER_MINUTE=5)
    ws, _ = server.subscribe()
    for n in range(1, 6):
        ws.send(json.dumps({"subscribe": [f"match:{n}"]}))
        assert f"match:{n}" in receive(ws)["subscribed"]
    ws.send(json.dumps({"subscribe": ["match:6"]}))
    code, reason = closed_with(ws)
    assert code == 1008 and reason == "too many messages: at most 5 a minute"
    wait_for(lambda: len(server.hub) == 0, "the hub let go of the closed connection")
    assert server.hub.closed == {1008: 1} and server.hub.counts["rejected_messages"] == 1
    assert_still_serving(server)


def test_a_message_at_the_size_cap_is_read(server):
    cap = server.app.config["LIVE_MAX_MESSAGE_BYTES"]
    ws, _ = server.subscribe()
    message = json.dumps({"subscribe": ["match:1"], "pad": ""})
    message = message.replace('""', '"' + "x" * (cap - len(message)) + '"')
    assert len(message.encode()) == cap
    ws.send(message)
    assert receive(ws) == {"subscribed": ["match:1"], "errors": []}


def test_a_message_over_the_size_cap_closes_with_1009_and_frees_the_slot_every_time(server):
    # Twenty times over: whether the handler notices this close is a race, lost one time in two to four.
    cap = server.app.config["LIVE_MAX_MESSAGE_BYTES"]
    for _ in range(20):
        ws, _ = server.subscribe("match:1")
        ws.send(json.dumps({"subscribe": ["match:2"], "pad": "x" * cap}))
        assert closed_with(ws)[0] == 1009
    # A handler that lost the race notices at its next recheck (route.RECHECK_SECONDS): wait past it.
    wait_for(
        lambda: len(server.hub) == 0,
        lambda: f"the hub let go of all twenty closed connections ({len(server.hub)} still held)",
        timeout=route.RECHECK_SECONDS + TIMEOUT,
    )
    assert server.hub.topics() == []
    assert_still_serving(server)


def test_behind_a_trusted_proxy_the_cap_counts_each_visitors_own_sockets(serve):
    server = serve(TRUSTED_PROXIES=1, LIVE_MAX_PER_ADDRESS=2)
    visitor = {"Fly-Client-IP": "203.0.113.5", "X-Forwarded-For": "203.0.113.5, 66.241.124.10"}
    server.subscribe("match:1", headers=visitor)
    server.subscribe("match:1", headers=visitor)
    assert closed_with(server.connect("match:1", headers=visitor))[0] == 1008
    for other in ({"Fly-Client-IP": "203.0.113.6"}, {"X-Forwarded-For": "203.0.113.7"}):
        _, reply = server.subscribe("match:1", headers=other)
        assert reply == {"subscribed": ["match:1"], "errors": []}


def test_untrusted_forwarded_headers_get_an_address_no_more_sockets(serve):
    server = serve(LIVE_MAX_PER_ADDRESS=2)
    spoofed = [{"X-Forwarded-For": f"198.51.100.{i}", "Fly-Client-IP": f"192.0.2.{i}"} for i in range(3)]
    server.subscribe("match:1", headers=spoofed[0])
    server.subscribe("match:1", headers=spoofed[1])
    assert closed_with(server.connect("match:1", headers=spoofed[2]))[0] == 1008


def test_sockets_do_not_spend_the_addresss_page_budget(serve):
    server = serve(RATELIMIT_ENABLED=True, RATELIMIT_APPLICATION="2 per minute")
    limiter.reset()  # with Redis, what earlier tests counted there
    for _ in range(4):
        server.subscribe("match:1")
    assert [server.status("/") for _ in range(3)] == [200, 200, 429]


def test_one_address_gets_at_most_its_share_of_sockets_and_is_told_why(serve):
    server = serve(LIVE_MAX_PER_ADDRESS=2)
    first, _ = server.subscribe("match:1")
    second, _ = server.subscribe("match:1")
    third = server.connect("match:1")
    code, reason = closed_with(third)
    assert code == 1008 and reason == "too many connections from your address (at most 2)"
    assert server.hub.counts["refused_address"] == 1
    assert server.status("/") == 200  # its pages are still served (and fetch their parts without a socket)
    first.close()
    wait_for(lambda: len(server.hub) == 1, "the hub let go of the closed connection")
    fourth, reply = server.subscribe("match:1")
    assert reply == {"subscribed": ["match:1"], "errors": []}
    close_quietly(second)
    close_quietly(fourth)


def test_a_page_on_two_days_gets_a_row_published_for_both_once(server):
    """The list on `/` listens to several days, and a row is published on every day it may fall on."""
    ws, _ = server.subscribe("matches:2026-11-25", "matches:2026-11-26")
    elsewhere, _ = server.subscribe("matches:2026-11-24")
    server.wait_relay()
    with server.app.app_context():
        from app.live import service as live

        assert live.publish(["matches:2026-11-24", "matches:2026-11-25", "matches:2026-11-26"], {"": "row"})
    server.publish("matches:2026-11-26", {"": "after"})  # delivered in order: a second copy would come first
    assert receive(ws) == "row"
    assert receive(ws) == "after"
    assert receive(elsewhere) == "row"
