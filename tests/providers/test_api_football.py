"""API-Football client against recorded responses replayed by a real loopback server."""

from __future__ import annotations

import copy
import json
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest

from app.providers.api_football import DIRECT_BASE, MAX_ODDS_PAGES, RAPIDAPI_BASE, APIFootball, season_of
from app.providers.base import Provider, ProviderError
from app.providers.records import (
    BookmakerRef,
    CompetitionRecord,
    EventKind,
    LineupPlayer,
    MatchStatus,
    TeamRef,
)
from tests.providers.conftest import ProviderServer, Reply, sample

KEY = "af-test-key-5f3c9e"
NOW = datetime(2024, 2, 21, 12, 0, tzinfo=UTC)  # mid-season 2023-24

LIVE = "fixtures_live_all__teo2823.json"
RANGE = "fixtures_league_season_daterange_ft__evelinanilsson.json"
SINGLE_DAY = "fixtures_league_single_day_ft__livefootball.json"


def recorded(name: str) -> dict[str, Any]:
    """A recorded api-football response as a dict (to edit it for a variant)."""
    data: dict[str, Any] = json.loads(sample(f"api-football/{name}"))
    return data


def body(data: Any) -> bytes:
    return json.dumps(data).encode()


def client(server: ProviderServer, now: datetime = NOW, **kwargs: Any) -> APIFootball:
    return APIFootball(KEY, base_url=server.url, clock=lambda: now, **kwargs)


def header(server: ProviderServer, path: str, name: str) -> str | None:
    """A request header as the server saw it (names compared without case)."""
    seen = server.hits(path)[0].headers
    return next((value for key, value in seen.items() if key.lower() == name.lower()), None)


def one_fixture(edit: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    """The range sample cut to its first fixture (Bournemouth 0-0 Chelsea), edited."""
    data = recorded(RANGE)
    data["response"] = [copy.deepcopy(data["response"][0])]
    edit(data["response"][0])
    return data


def serve_fixture(server: ProviderServer, edit: Callable[[dict[str, Any]], None]) -> APIFootball:
    server.route("/fixtures", body=body(one_fixture(edit)))
    return client(server)


# --- the client as a provider ------------------------------------------------------------


def test_is_a_provider_with_its_capabilities() -> None:
    api = APIFootball(KEY)
    assert isinstance(api, Provider)
    assert (api.name, api.authoritative) == ("api-football", False)
    assert api.capabilities == {
        "competitions",
        "fixtures",
        "live",
        "odds",
        "standings",
        "lineups",
        "events",
        "stats",
        "head_to_head",
        "team_stats",
    }
    assert api.http.base_url == DIRECT_BASE
    assert APIFootball(KEY, via_rapidapi=True).http.base_url == RAPIDAPI_BASE


def test_direct_key_header_as_the_server_saw_it(server: ProviderServer) -> None:
    server.route("/standings", body=sample("api-football/standings__syurchen93.json"))
    client(server).standings("epl", season=2022)
    assert header(server, "/standings", "x-apisports-key") == KEY
    assert header(server, "/standings", "x-rapidapi-key") is None
    assert KEY not in json.dumps(server.hits("/standings")[0].query)  # a header, never in the URL


def test_rapidapi_headers_as_the_server_saw_them(server: ProviderServer) -> None:
    server.route("/v3/standings", body=sample("api-football/standings__syurchen93.json"))
    api = APIFootball(KEY, via_rapidapi=True, base_url=f"{server.url}/v3", clock=lambda: NOW)
    assert len(api.standings("epl", season=2022)) == 20
    assert header(server, "/v3/standings", "x-rapidapi-key") == KEY
    assert header(server, "/v3/standings", "x-rapidapi-host") == "api-football-v1.p.rapidapi.com"
    assert header(server, "/v3/standings", "x-apisports-key") is None


def test_quota_headers_read_at_the_clock(server: ProviderServer) -> None:
    server.route(
        "/standings",
        body=sample("api-football/standings__syurchen93.json"),
        headers={"x-ratelimit-requests-limit": "100", "x-ratelimit-requests-remaining": "87"},
    )
    api = client(server)
    api.standings("epl", season=2022)
    assert api.usage() is not None
    assert (api.usage().limit, api.usage().remaining, api.usage().used) == (100, 87, 13)
    assert api.usage().observed_at == NOW


@pytest.mark.parametrize(
    ("today", "season"),
    [
        (date(2024, 8, 1), 2024),
        (date(2024, 12, 31), 2024),
        (date(2025, 1, 1), 2024),
        (date(2025, 7, 31), 2024),
    ],
)
def test_season_is_the_year_it_starts(today: date, season: int) -> None:
    assert season_of(today) == season


def test_season_taken_from_the_clock_unless_given(server: ProviderServer) -> None:
    server.route("/standings", body=sample("api-football/standings__syurchen93.json"))
    client(server, now=datetime(2024, 7, 31, 23, 0, tzinfo=UTC)).standings("epl")
    client(server, now=datetime(2024, 8, 1, 0, 30, tzinfo=UTC)).standings("epl")
    client(server).standings("laliga", season=2019)
    seen = [(hit.query["league"], hit.query["season"]) for hit in server.hits("/standings")]
    assert seen == [(["39"], ["2023"]), (["39"], ["2024"]), (["140"], ["2019"])]


@pytest.mark.parametrize(
    "call",
    [
        lambda api: api.fixtures("mls", date(2024, 1, 1), date(2024, 1, 2)),
        lambda api: api.standings("mls"),
        lambda api: api.odds("mls"),
        lambda api: api.team_statistics("mls", 33),
    ],
)
def test_unknown_competition_fails_before_any_request(server: ProviderServer, call: Callable[..., Any]) -> None:
    with pytest.raises(ProviderError, match="unknown competition 'mls'"):
        call(client(server))
    assert server.requests == []


# --- competitions ----------------------------------------------------------------------


def test_competitions_in_one_call_keeping_only_the_five(server: ProviderServer) -> None:
    server.route("/leagues", body=sample("api-football/leagues__syurchen93.json"))  # 33 German leagues
    assert client(server).competitions() == [
        CompetitionRecord(
            key="bundesliga",
            external_id="78",
            name="Bundesliga",
            country="Germany",
            season="2023-24",
            season_start=date(2023, 8, 18),
            season_end=date(2024, 5, 18),
            crest_url="https://media.api-sports.io/football/leagues/78.png",
        )
    ]
    hits = server.hits("/leagues")
    assert len(hits) == 1 and hits[0].query == {"current": ["true"], "type": ["league"]}


# --- fixtures ----------------------------------------------------------------------------


def test_fixtures_of_a_date_range(server: ProviderServer) -> None:
    server.route("/fixtures", body=sample(f"api-football/{RANGE}"))
    records = client(server).fixtures("epl", date(2023, 9, 16), date(2023, 9, 18))
    assert server.hits("/fixtures")[0].query == {
        "league": ["39"],
        "season": ["2023"],
        "from": ["2023-09-16"],
        "to": ["2023-09-18"],
    }
    assert len(records) == 10
    assert {(r.competition_key, r.season, r.round, r.status) for r in records} == {
        ("epl", "2023-24", "Regular Season - 5", MatchStatus.FINISHED)
    }
    by_id = {r.external_id: r for r in records}
    city = by_id["1035085"]
    assert (city.home, city.away) == (TeamRef("48", "West Ham"), TeamRef("50", "Manchester City"))
    assert (city.home_score, city.away_score, city.ht_home_score, city.ht_away_score) == (1, 3, 1, 0)
    assert city.kickoff_at == datetime(2023, 9, 16, 14, 0, tzinfo=UTC)
    assert city.minute is None and city.added_time is None  # no running clock once finished
    assert by_id["1035086"].kickoff_at == datetime(2023, 9, 16, 11, 30, tzinfo=UTC)
    assert by_id["1035083"].home == TeamRef("65", "Nottingham Forest")
    assert by_id["1035080"].away == TeamRef("1359", "Luton")
    assert [(r.home_score, r.away_score) for r in records] == [
        (0, 0),
        (3, 1),
        (0, 1),
        (1, 0),
        (1, 3),
        (1, 0),
        (1, 1),
        (2, 1),
        (1, 3),
        (1, 3),
    ]


def test_fixtures_of_a_single_day(server: ProviderServer) -> None:
    server.route("/fixtures", body=sample(f"api-football/{SINGLE_DAY}"))
    records = client(server).fixtures("epl", date(2024, 8, 31), date(2024, 8, 31))
    assert server.hits("/fixtures")[0].query["season"] == ["2024"]  # from the dates, not the February clock
    assert [r.external_id for r in records] == [
        "1208041",
        "1208042",
        "1208044",
        "1208045",
        "1208046",
        "1208049",
        "1208050",
    ]
    assert {r.season for r in records} == {"2024-25"}
    assert [r.home.name for r in records] == [
        "Arsenal",
        "Brentford",
        "Everton",
        "Ipswich",
        "Leicester",
        "Nottingham Forest",
        "West Ham",
    ]
    last = records[-1]
    assert (last.home_score, last.away_score, last.ht_home_score, last.ht_away_score) == (1, 3, 1, 2)


def test_a_range_across_the_summer_asks_each_season(server: ProviderServer) -> None:
    server.route("/fixtures", body=sample(f"api-football/{SINGLE_DAY}"))
    client(server).fixtures("epl", date(2024, 7, 20), date(2024, 8, 31))
    assert [hit.query["season"] for hit in server.hits("/fixtures")] == [["2023"], ["2024"]]


def test_fixtures_on_a_day_keeps_the_five_leagues(server: ProviderServer) -> None:
    data = recorded(SINGLE_DAY)
    data["response"][0]["league"]["id"] = 40  # the Championship: not one of BetScore's leagues
    server.route("/fixtures", body=body(data))
    api = client(server)
    assert len(api.fixtures_on(date(2024, 8, 31))) == 6
    assert server.hits("/fixtures")[0].query == {"date": ["2024-08-31"]}
    everything = api.fixtures_on(date(2024, 8, 31), all_leagues=True)
    assert [r.competition_key for r in everything].count("api-football:40") == 1


def test_live_sample_every_league(server: ProviderServer) -> None:
    server.route("/fixtures", body=sample(f"api-football/{LIVE}"))
    records = client(server).live(all_leagues=True)
    assert server.hits("/fixtures")[0].query == {"live": ["all"]}
    assert len(records) == 8
    # 1H x5 and 2H x1 are LIVE, HT x2 is HALF_TIME
    assert Counter(r.status for r in records) == {MatchStatus.LIVE: 6, MatchStatus.HALF_TIME: 2}
    assert [r.minute for r in records] == [25, 40, 39, 20, 25, 90, 45, 45]
    assert {r.added_time for r in records} == {None}  # no 'extra' key in this older format
    first = records[0]
    assert (first.external_id, first.competition_key, first.season, first.round) == (
        "1145034",
        "api-football:628",
        "2024-25",
        "1st Phase - 10",
    )
    assert (first.home, first.away) == (TeamRef("142", "Vila Nova"), TeamRef("10674", "Goiânia"))
    assert first.kickoff_at == datetime(2024, 2, 19, 22, 30, tzinfo=UTC)


def test_live_half_time_score_only_past_the_first_half(server: ProviderServer) -> None:
    server.route("/fixtures", body=sample(f"api-football/{LIVE}"))
    by_id = {r.external_id: r for r in client(server).live(all_leagues=True)}
    first_half = by_id["1158538"]  # 1H 40', score.halftime 1-1 merely mirrors the running score
    assert (first_half.home_score, first_half.away_score) == (1, 1)
    assert (first_half.ht_home_score, first_half.ht_away_score) == (None, None)
    second_half = by_id["1153127"]  # 2H 90', 1-0 after 0-0 at the break
    assert (second_half.home_score, second_half.away_score) == (1, 0)
    assert (second_half.ht_home_score, second_half.ht_away_score) == (0, 0)
    at_break = by_id["1161910"]  # HT: goals 7-0 (seven first-half goals in its events), halftime says 6-0
    assert (at_break.home_score, at_break.ht_home_score, at_break.ht_away_score) == (7, 7, 0)
    assert (by_id["1146797"].status, by_id["1146797"].ht_home_score) == (MatchStatus.HALF_TIME, 0)


def test_live_asks_for_the_five_leagues_and_drops_any_other(server: ProviderServer) -> None:
    data = recorded(LIVE)
    data["response"][5]["league"]["id"] = 135  # as if the 2H match were Serie A
    server.route("/fixtures", body=body(data))
    records = client(server).live()
    assert server.hits("/fixtures")[0].query == {"live": ["39-140-135-78-61"]}
    assert [(r.external_id, r.competition_key) for r in records] == [("1153127", "seriea")]


def test_head_to_head(server: ProviderServer) -> None:
    server.route("/fixtures/headtohead", body=sample("api-football/fixtures_headtohead__syurchen93.json"))
    records = client(server).head_to_head(33, 50, last=8)
    assert server.hits("/fixtures/headtohead")[0].query == {"h2h": ["33-50"], "last": ["8"]}
    assert len(records) == 8
    assert Counter(r.competition_key for r in records) == {
        "epl": 6,
        "api-football:48": 1,
        "api-football:45": 1,
    }  # League Cup, FA Cup
    assert [r.season for r in records][:3] == ["2020-21", "2021-22", "2022-23"]
    final = records[-1]
    assert (final.external_id, final.round, final.home.name, final.home_score, final.away_score) == (
        "1023277",
        "Final",
        "Manchester City",
        2,
        1,
    )
    assert {r.status for r in records} == {MatchStatus.FINISHED}


def test_head_to_head_needs_a_positive_count(server: ProviderServer) -> None:
    with pytest.raises(ProviderError, match="last must be at least 1"):
        client(server).head_to_head(33, 50, last=0)


# --- fixture rules -------------------------------------------------------------------------


STATUSES = {
    "TBD": MatchStatus.SCHEDULED,
    "NS": MatchStatus.SCHEDULED,
    "1H": MatchStatus.LIVE,
    "2H": MatchStatus.LIVE,
    "ET": MatchStatus.LIVE,
    "P": MatchStatus.LIVE,
    "LIVE": MatchStatus.LIVE,
    "HT": MatchStatus.HALF_TIME,
    "BT": MatchStatus.HALF_TIME,
    "FT": MatchStatus.FINISHED,
    "AET": MatchStatus.FINISHED,
    "PEN": MatchStatus.FINISHED,
    "AWD": MatchStatus.FINISHED,
    "WO": MatchStatus.FINISHED,
    "PST": MatchStatus.POSTPONED,
    "CANC": MatchStatus.CANCELLED,
    "ABD": MatchStatus.ABANDONED,
    "SUSP": MatchStatus.OTHER,
    "INT": MatchStatus.OTHER,
    "XYZ": MatchStatus.OTHER,
    "": MatchStatus.OTHER,
}


def test_status_codes(server: ProviderServer) -> None:
    data = recorded(RANGE)
    template = data["response"][0]
    data["response"] = []
    for n, short in enumerate(STATUSES):
        item = copy.deepcopy(template)
        item["fixture"]["id"] = n
        item["fixture"]["status"] = {"long": "?", "short": short, "elapsed": 33}
        data["response"].append(item)
    server.route("/fixtures", body=body(data))
    records = client(server).fixtures("epl", date(2023, 9, 17), date(2023, 9, 17))
    assert {short: r.status for short, r in zip(STATUSES, records, strict=True)} == STATUSES
    # the clock shows only while a match is being played (or stopped mid-play)
    clocked = {short for short, r in zip(STATUSES, records, strict=True) if r.minute == 33}
    assert clocked == {"1H", "2H", "ET", "P", "LIVE", "HT", "BT", "SUSP", "INT", "XYZ", ""}


def test_a_fixture_without_any_status_is_other(server: ProviderServer) -> None:
    api = serve_fixture(server, lambda f: f["fixture"].pop("status"))
    assert api.fixtures("epl", date(2023, 9, 17), date(2023, 9, 17))[0].status is MatchStatus.OTHER


def test_added_time_when_the_payload_has_it(server: ProviderServer) -> None:
    api = serve_fixture(server, lambda f: f["fixture"]["status"].update(short="2H", elapsed=90, extra=4))
    record = api.fixtures("epl", date(2023, 9, 17), date(2023, 9, 17))[0]
    assert (record.status, record.minute, record.added_time) == (MatchStatus.LIVE, 90, 4)


def test_kickoff_falls_back_to_the_iso_date_with_its_offset(server: ProviderServer) -> None:
    def edit(f: dict[str, Any]) -> None:
        del f["fixture"]["timestamp"]
        f["fixture"]["date"] = "2023-09-17T15:00:00+02:00"

    record = serve_fixture(server, edit).fixtures("epl", date(2023, 9, 17), date(2023, 9, 17))[0]
    assert record.kickoff_at == datetime(2023, 9, 17, 13, 0, tzinfo=UTC)


def test_the_timestamp_is_the_instant_when_both_are_given(server: ProviderServer) -> None:
    api = serve_fixture(server, lambda f: f["fixture"].update(date="2023-09-17T13:00:00+02:00"))
    record = api.fixtures("epl", date(2023, 9, 17), date(2023, 9, 17))[0]
    assert record.kickoff_at == datetime(2023, 9, 17, 13, 0, tzinfo=UTC)  # 1694955600, not the date's 11:00
    assert record.kickoff_at.tzinfo is not None


def test_parameters_as_an_empty_list_is_fine(server: ProviderServer) -> None:
    data = recorded(RANGE)
    data["parameters"] = []
    server.route("/fixtures", body=body(data))
    assert len(client(server).fixtures("epl", date(2023, 9, 16), date(2023, 9, 18))) == 10


# --- errors and bad shapes ------------------------------------------------------------------


def test_errors_object_with_http_200(server: ProviderServer) -> None:
    server.route("/fixtures", body=sample("api-football/error_missing_required_param__syurchen93.json"))
    with pytest.raises(ProviderError) as caught:
        client(server).fixtures_on(date(2024, 2, 21))
    assert caught.value.call == "fixtures_on"
    assert "At least one parameter is required." in caught.value.reason
    assert KEY not in str(caught.value)


def test_errors_list(server: ProviderServer) -> None:
    data = recorded(SINGLE_DAY)
    data["errors"] = ["The Season field must contain an integer."]
    server.route("/fixtures", body=body(data))
    with pytest.raises(ProviderError, match="The Season field must contain an integer"):
        client(server).fixtures("epl", date(2024, 8, 31), date(2024, 8, 31))


def test_an_error_echoing_the_key_never_shows_it(server: ProviderServer) -> None:
    data = recorded("error_missing_required_param__syurchen93.json")
    data["errors"] = {"token": f"Error/Missing application key {KEY} is not valid"}
    server.route("/standings", body=body(data))
    with pytest.raises(ProviderError) as caught:
        client(server).standings("epl")
    assert "Missing application key" in str(caught.value)
    assert KEY not in str(caught.value) and KEY not in repr(caught.value.args)


def test_http_errors_never_show_the_key(server: ProviderServer) -> None:
    server.route("/standings", status=403, body=b'{"message": "You are not subscribed to this API."}')
    with pytest.raises(ProviderError) as caught:
        client(server).standings("epl")
    assert "403" in str(caught.value) and KEY not in str(caught.value)


@pytest.mark.parametrize(
    ("payload", "problem"),
    [
        ({"get": "fixtures", "errors": [], "results": 0}, "no 'response'"),
        ({"get": "fixtures", "errors": [], "response": {"fixture": {}}}, "response is not a list"),
        ([], "not a JSON object"),
        (
            {"errors": [], "response": [{"fixture": {"id": 7}, "league": {"id": 39, "season": 2023}}]},
            "fixture 7 has no teams",
        ),
        (
            {
                "errors": [],
                "response": [
                    {
                        "fixture": {"id": 7},
                        "league": {"id": 39, "season": 2023},
                        "teams": {"home": {"id": 1, "name": "A"}, "away": None},
                    }
                ],
            },
            "fixture 7 away team is not an object",
        ),
        ({"errors": [], "response": [{"fixture": {"id": "7"}}]}, "fixture id is not an integer"),
        ({"errors": [], "response": [None]}, "fixture entry is not an object"),
    ],
)
def test_bad_shapes_are_provider_errors(server: ProviderServer, payload: Any, problem: str) -> None:
    server.route("/fixtures", body=body(payload))
    with pytest.raises(ProviderError) as caught:
        client(server).live()
    assert caught.value.call == "live" and problem in caught.value.reason


@pytest.mark.parametrize("name", ["teams__syurchen93.json", "predictions__syurchen93.json"])
def test_other_endpoints_payloads_are_refused_as_fixtures(server: ProviderServer, name: str) -> None:
    server.route("/fixtures", body=sample(f"api-football/{name}"))  # real bodies, wrong endpoint
    with pytest.raises(ProviderError, match=r"api-football\.live: fixture entry's 'fixture' is not an object"):
        client(server).live()


def test_a_fixture_without_kickoff(server: ProviderServer) -> None:
    def edit(f: dict[str, Any]) -> None:
        del f["fixture"]["timestamp"]
        f["fixture"]["date"] = "soon"

    with pytest.raises(ProviderError, match="fixture 1035077 has no readable kickoff"):
        serve_fixture(server, edit).fixtures("epl", date(2023, 9, 17), date(2023, 9, 17))


# --- lineups, events, statistics --------------------------------------------------------------


def test_lineups(server: ProviderServer) -> None:
    server.route("/fixtures/lineups", body=sample("api-football/fixtures_lineups__syurchen93.json"))
    city, everton = client(server).lineups(592872)
    assert server.hits("/fixtures/lineups")[0].query == {"fixture": ["592872"]}
    assert (city.fixture_external_id, city.team, city.formation, city.coach) == (
        "592872",
        TeamRef("50", "Manchester City"),
        "4-3-3",
        "Guardiola",
    )
    assert (len(city.starting), len(city.substitutes)) == (11, 9)
    assert city.starting[0] == LineupPlayer("Ederson", "617", 31, "G", "1:1")
    assert city.starting[3] == LineupPlayer("Rúben Dias", "567", 3, "D", "2:2")
    assert city.substitutes[4] == LineupPlayer("İlkay Gündoğan", "633", 8, "M", None)
    assert (everton.team.name, everton.formation, everton.coach) == ("Everton", "4-3-1-2", "C. Ancelotti")
    assert (len(everton.starting), len(everton.substitutes)) == (11, 8)
    assert [p.grid for p in everton.starting][-2:] == ["5:2", "5:1"]


def test_events(server: ProviderServer) -> None:
    server.route("/fixtures/events", body=sample("api-football/fixtures_events__syurchen93.json"))
    events = client(server).events(653808)
    assert [e.kind for e in events] == [
        EventKind.YELLOW_CARD,
        EventKind.GOAL,
        EventKind.YELLOW_CARD,
        EventKind.SUBSTITUTION,
        EventKind.YELLOW_CARD,
        EventKind.SUBSTITUTION,
        EventKind.GOAL,
        EventKind.SUBSTITUTION,
        EventKind.YELLOW_CARD,
    ]
    assert [e.minute for e in events] == [48, 50, 69, 75, 78, 79, 83, 88, 90]
    assert {e.extra_minute for e in events} == {None}
    goal = events[1]
    assert (goal.team, goal.player, goal.assist, goal.detail) == (
        TeamRef("50", "Manchester City"),
        "J. Stones",
        None,
        "Normal Goal",
    )
    sub = events[3]  # player goes off, assist comes on
    assert (sub.team.name, sub.player, sub.assist, sub.detail) == (
        "Manchester United",
        "S. McTominay",
        "M. Greenwood",
        "Substitution 1",
    )
    assert (events[7].player, events[7].assist, events[7].detail) == ("Fred", "D. van de Beek", "Substitution 2")
    assert events[4].player == "João Cancelo"
    assert {e.fixture_external_id for e in events} == {"653808"}


EVENT_KINDS = [
    ("Goal", "Normal Goal", EventKind.GOAL),
    ("Goal", "Own Goal", EventKind.OWN_GOAL),
    ("Goal", "Penalty", EventKind.PENALTY_GOAL),
    ("Goal", "Missed Penalty", EventKind.MISSED_PENALTY),
    ("Card", "Yellow Card", EventKind.YELLOW_CARD),
    ("Card", "Red Card", EventKind.RED_CARD),
    ("Card", "Second Yellow card", EventKind.RED_CARD),
    ("subst", "Substitution 5", EventKind.SUBSTITUTION),
    ("Var", "Goal Disallowed - offside", EventKind.VAR),
    ("Var", "Penalty confirmed", EventKind.VAR),
    ("Card", "Green Card", EventKind.OTHER),
    ("Whistle", "Kick-off", EventKind.OTHER),
]


def test_event_kinds(server: ProviderServer) -> None:
    data = recorded("fixtures_events__syurchen93.json")
    data["response"] = [dict(data["response"][0], type=kind, detail=detail) for kind, detail, _ in EVENT_KINDS]
    server.route("/fixtures/events", body=body(data))
    events = client(server).events(653808)
    assert [(e.kind, e.detail) for e in events] == [(kind, detail) for _, detail, kind in EVENT_KINDS]


def test_statistics_of_one_team(server: ProviderServer) -> None:
    server.route("/fixtures/statistics", body=sample("api-football/fixtures_statistics__teo2823.json"))
    [porto] = client(server).statistics(1149522)
    assert (porto.fixture_external_id, porto.team) == ("1149522", TeamRef("212", "FC Porto"))
    assert porto.stats == {
        "shots_on_goal": 2.0,
        "shots_off_goal": 4.0,
        "total_shots": 8.0,
        "blocked_shots": 2.0,
        "shots_insidebox": 6.0,
        "shots_outsidebox": 2.0,
        "fouls": 14.0,
        "corner_kicks": 1.0,
        "offsides": None,
        "ball_possession": 35.0,
        "yellow_cards": 2.0,
        "red_cards": None,
        "goalkeeper_saves": 0.0,
        "total_passes": 274.0,
        "passes_accurate": 206.0,
        "passes_pct": 75.0,
        "expected_goals": 1.17,
    }
    assert all(v is None or type(v) is float for v in porto.stats.values())


def test_statistics_of_both_teams(server: ProviderServer) -> None:
    server.route(
        "/fixtures/statistics", body=sample("api-football/fixtures_statistics_both_teams__footballstatistics.json")
    )
    home, away = client(server).statistics(1049765)
    assert (home.team, away.team) == (TeamRef("6886", "Oţelul"), TeamRef("2589", "Uta Arad"))
    assert (len(home.stats), len(away.stats)) == (17, 17)
    assert (home.stats["expected_goals"], away.stats["expected_goals"]) == (1.64, 0.57)
    assert (home.stats["ball_possession"], away.stats["ball_possession"]) == (44.0, 56.0)
    assert (home.stats["passes_pct"], away.stats["yellow_cards"], away.stats["offsides"]) == (61.0, 5.0, None)


# --- standings and team statistics ------------------------------------------------------------


def test_standings_final_table(server: ProviderServer) -> None:
    server.route("/standings", body=sample("api-football/standings__syurchen93.json"))
    rows = client(server).standings("epl", season=2022)
    assert server.hits("/standings")[0].query == {"league": ["39"], "season": ["2022"]}
    assert len(rows) == 20 and [r.position for r in rows] == list(range(1, 21))
    city = rows[0]
    assert (city.competition_key, city.season, city.team, city.group) == (
        "epl",
        "2022-23",
        TeamRef("50", "Manchester City"),
        "Premier League",
    )
    assert (city.played, city.won, city.drawn, city.lost, city.goals_for, city.goals_against, city.points) == (
        38,
        28,
        5,
        5,
        94,
        33,
        89,
    )
    # API-Football sends "LDWWW", newest first (City lost their last game, at Brentford)
    assert city.form == "WWWDL"
    assert (rows[16].team.name, rows[16].form) == ("Everton", "DWLDW")  # sent "WDLWD"
    assert (rows[19].team.name, rows[19].points, rows[19].lost) == ("Southampton", 25, 25)


def test_standings_early_season(server: ProviderServer) -> None:
    server.route("/standings", body=sample("api-football/standings_epl_2023__evelinanilsson.json"))
    rows = client(server).standings("epl")  # the clock says 2023-24
    assert server.hits("/standings")[0].query["season"] == ["2023"]
    assert len(rows) == 20 and {r.season for r in rows} == {"2023-24"}
    by_name = {r.team.name: r for r in rows}
    assert (by_name["Arsenal"].form, by_name["Chelsea"].form) == ("WWDW", "DLWL")  # sent "WDWW", "LWLD"
    luton = by_name["Luton"]
    assert (luton.team.external_id, luton.played, luton.points, luton.form) == ("1359", 3, 0, "LLL")


def test_standings_groups_are_flattened(server: ProviderServer) -> None:
    data = recorded("standings__syurchen93.json")
    rows = data["response"][0]["league"]["standings"][0]
    for i, row in enumerate(rows):
        row["group"] = "Group A" if i < 10 else "Group B"
    data["response"][0]["league"]["standings"] = [rows[:10], rows[10:]]
    server.route("/standings", body=body(data))
    records = client(server).standings("epl", season=2022)
    assert len(records) == 20
    assert Counter(r.group for r in records) == {"Group A": 10, "Group B": 10}


def test_standings_before_a_season(server: ProviderServer) -> None:
    data = recorded("standings__syurchen93.json")
    data["response"], data["results"] = [], 0
    server.route("/standings", body=body(data))
    assert client(server).standings("epl") == []


def test_team_statistics(server: ProviderServer) -> None:
    server.route("/teams/statistics", body=sample("api-football/teams_statistics__syurchen93.json"))
    stats = client(server).team_statistics("bundesliga", 173, season=2022)
    assert server.hits("/teams/statistics")[0].query == {"league": ["78"], "season": ["2022"], "team": ["173"]}
    assert (stats.competition_key, stats.season, stats.team) == ("bundesliga", "2022-23", TeamRef("173", "RB Leipzig"))
    assert (stats.played, stats.won, stats.drawn, stats.lost) == (34, 20, 6, 8)
    assert (stats.goals_for, stats.goals_against, stats.clean_sheets, stats.failed_to_score) == (64, 41, 10, 6)
    assert stats.form == "DDLWLWLWDWDWWWWDWWDLWWLWLLWWLWWWWW"  # oldest first here, as sent


def test_team_statistics_without_data(server: ProviderServer) -> None:
    data = recorded("teams_statistics__syurchen93.json")
    data["response"], data["results"] = [], 0
    server.route("/teams/statistics", body=body(data))
    with pytest.raises(ProviderError, match="no statistics for team 173"):
        client(server).team_statistics("bundesliga", 173)


def test_team_statistics_with_missing_totals(server: ProviderServer) -> None:
    data = recorded("teams_statistics__syurchen93.json")
    del data["response"]["fixtures"]["wins"]
    server.route("/teams/statistics", body=body(data))
    with pytest.raises(ProviderError, match="lack won"):
        client(server).team_statistics("bundesliga", 173)


# --- odds -----------------------------------------------------------------------------------


def test_odds_sample(server: ProviderServer) -> None:
    server.route("/odds", body=sample("api-football/odds_fixture_bookmaker__fsearch.json"))
    batch = client(server).odds("epl")
    assert server.hits("/odds")[0].query == {"league": ["39"], "season": ["2023"]}
    assert batch.observed_at == NOW
    assert len(batch.prices) == 238  # 239 values in 35 bets; "Under 6.5" at "1.00" pays nothing back
    assert len(batch.problems) == 1 and "Under 6.5" in batch.problems[0] and "'1.00'" in batch.problems[0]
    assert {(p.fixture_external_id, p.bookmaker) for p in batch.prices} == {("815162", BookmakerRef("bwin", "Bwin"))}
    assert {p.source_updated_at for p in batch.prices} == {datetime(2022, 1, 10, 16, 0, 45, tzinfo=UTC)}
    priced = {(p.market, p.outcome, p.line): p.price for p in batch.prices}
    assert {k: v for k, v in priced.items() if k[0] == "1x2"} == {
        ("1x2", "home", None): 1.65,
        ("1x2", "draw", None): 3.80,
        ("1x2", "away", None): 4.50,
    }
    assert (priced[("ou", "over", 2.5)], priced[("ou", "under", 2.5)]) == (1.78, 1.93)
    assert (priced[("ou", "over", 6.5)], ("ou", "under", 6.5) in priced) == (23.0, False)
    assert (priced[("btts", "yes", None)], priced[("btts", "no", None)]) == (1.82, 1.88)
    assert Counter(p.market for p in batch.prices)["ou"] == 13
    # every other bet is data: the bet's slug, the value's text, no line
    assert priced[("handicap_result", "Home -1", None)] == 2.75
    assert priced[("exact_score", "1:0", None)] == 6.75
    assert priced[("goals_over_under_first_half", "Over 0.5", None)] == 1.35
    assert priced[("ht_ft_double", "Home/Home", None)] == 2.55
    assert len({p.market for p in batch.prices}) == 35
    assert all(type(p.price) is float for p in batch.prices)


def _odds_page(
    values: list[dict[str, Any]],
    bet: tuple[int, str] = (4, "Asian Handicap"),
    current: int = 1,
    total: int = 1,
    fixture: int = 815162,
) -> bytes:
    """The odds sample with one bet holding `values`, on page `current` of `total`."""
    data = recorded("odds_fixture_bookmaker__fsearch.json")
    data["paging"] = {"current": current, "total": total}
    data["response"][0]["fixture"]["id"] = fixture
    data["response"][0]["bookmakers"][0]["bets"] = [{"id": bet[0], "name": bet[1], "values": values}]
    return body(data)


def test_asian_handicap_lines_from_the_home_side(server: ProviderServer) -> None:
    server.route(
        "/odds",
        body=_odds_page(
            [
                {"value": "Home -1", "odd": "2.10"},
                {"value": "Away +1", "odd": "1.75"},
                {"value": "Home +0.25", "odd": "1.62"},
                {"value": "Away -0.25", "odd": "2.30"},
                {"value": "Home +0", "odd": "1.40"},
                {"value": "Away 0", "odd": "2.90"},
            ]
        ),
    )
    batch = client(server).odds("epl")
    assert batch.problems == []
    assert [(p.market, p.outcome, p.line, p.price) for p in batch.prices] == [
        ("ah", "home", -1.0, 2.10),
        ("ah", "away", -1.0, 1.75),
        ("ah", "home", 0.25, 1.62),
        ("ah", "away", 0.25, 2.30),
        ("ah", "home", 0.0, 1.40),
        ("ah", "away", 0.0, 2.90),
    ]
    assert all(str(p.line) != "-0.0" for p in batch.prices)


def test_unreadable_prices_are_skipped_and_named(server: ProviderServer) -> None:
    server.route(
        "/odds",
        body=_odds_page(
            [
                {"value": "Home", "odd": "1.90"},
                {"value": "Draw", "odd": ""},
                {"value": "Away", "odd": None},
                {"value": "Home", "odd": "n/a"},
                {"value": "Away", "odd": "0.95"},
                {"value": "Neither", "odd": "3.0"},
                {"value": "Draw", "odd": "NaN"},
                {"value": "Draw", "odd": "3.40"},
            ],
            bet=(1, "Match Winner"),
        ),
    )
    batch = client(server).odds("epl")
    assert [(p.outcome, p.price) for p in batch.prices] == [("home", 1.90), ("draw", 3.40)]
    assert len(batch.problems) == 6
    assert any("'Neither'" in p and "unexpected value" in p for p in batch.problems)
    assert all(p.startswith("fixture 815162 bwin 'Match Winner'") for p in batch.problems)


def test_bookmaker_keys_are_name_slugs(server: ProviderServer) -> None:
    data = recorded("odds_fixture_bookmaker__fsearch.json")
    books = data["response"][0]["bookmakers"]
    template = {"bets": [{"id": 8, "name": "Both Teams Score", "values": [{"value": "Yes", "odd": "1.80"}]}]}
    names = ["William Hill", "Bet365", "1xBet", "Paddy-Power"]
    books[:] = [dict(template, id=n, name=name) for n, name in enumerate(names)]
    server.route("/odds", body=body(data))
    batch = client(server).odds("epl")
    # spaces dropped so the keys meet the ones the other providers use ("williamhill", "bet365")
    assert [p.bookmaker for p in batch.prices] == [
        BookmakerRef("williamhill", "William Hill"),
        BookmakerRef("bet365", "Bet365"),
        BookmakerRef("1xbet", "1xBet"),
        BookmakerRef("paddy_power", "Paddy-Power"),
    ]


def test_odds_follow_the_pages(server: ProviderServer) -> None:
    value = [{"value": "Yes", "odd": "1.80"}]
    server.route(
        "/odds", *[Reply(body=_odds_page(value, (8, "Both Teams Score"), page, 3, 1000 + page)) for page in (1, 2, 3)]
    )
    batch = client(server).odds("laliga")
    assert [hit.query.get("page") for hit in server.hits("/odds")] == [None, ["2"], ["3"]]
    assert [p.fixture_external_id for p in batch.prices] == ["1001", "1002", "1003"]
    assert batch.problems == []


def test_a_failing_later_page_keeps_the_earlier_ones(server: ProviderServer) -> None:
    rate_limited = recorded("error_missing_required_param__syurchen93.json")
    rate_limited["errors"] = {"rateLimit": "Too many requests. Your rate limit is 10 requests per minute."}
    server.route(
        "/odds",
        Reply(body=_odds_page([{"value": "Yes", "odd": "1.80"}], (8, "Both Teams Score"), 1, 3)),
        Reply(body=body(rate_limited)),
    )
    batch = client(server).odds("epl")
    assert [(p.market, p.outcome, p.price) for p in batch.prices] == [("btts", "yes", 1.80)]
    assert batch.problems == [
        "odds: page 2 of 3 failed: API error: rateLimit: Too many requests. Your rate limit is 10 requests per minute."
    ]
    assert len(server.hits("/odds")) == 2


def test_odds_pages_are_capped(server: ProviderServer) -> None:
    server.route("/odds", body=_odds_page([{"value": "No", "odd": "2.00"}], (8, "Both Teams Score"), 1, 40))
    batch = client(server).odds("seriea")
    assert len(server.hits("/odds")) == MAX_ODDS_PAGES
    assert batch.problems == [f"odds: read {MAX_ODDS_PAGES} of 40 pages (cap {MAX_ODDS_PAGES})"]


def test_odds_entry_without_a_fixture_is_a_problem_not_a_crash(server: ProviderServer) -> None:
    data = recorded("odds_fixture_bookmaker__fsearch.json")
    data["response"].insert(0, {"league": {"id": 39}, "bookmakers": []})
    server.route("/odds", body=body(data))
    batch = client(server).odds("epl")
    assert len(batch.prices) == 238 and batch.problems[0] == "an odds entry has no fixture id"


def test_odds_error_body(server: ProviderServer) -> None:
    server.route("/odds", body=sample("api-football/error_missing_required_param__syurchen93.json"))
    with pytest.raises(ProviderError, match=r"api-football\.odds: API error: required: At least one parameter"):
        client(server).odds("epl")
