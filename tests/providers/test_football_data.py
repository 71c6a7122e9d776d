"""FootballData against recorded football-data.org v4 responses, over real loopback HTTP."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from app.providers.base import Provider, ProviderError
from app.providers.football_data import FootballData, form_recent_last, minute_of
from app.providers.http import HTTPSettings, ProviderHTTP
from app.providers.records import FixtureRecord, MatchStatus, TeamRef
from tests.providers.conftest import ProviderServer, Reply, sample

KEY = "fd-secret-7c41e9b2"
SCHEDULED = "football-data/competitions_PL_matches_scheduled__taminororo.json"
STANDINGS = "football-data/competitions_PL_standings__taminororo.json"
BY_DATE = "football-data/matches_by_date__crllnkhoa.json"
NOW = datetime(2026, 2, 23, 12, 0, tzinfo=UTC)
PL_MATCHES, PL_TABLE, MATCHES = "/v4/competitions/PL/matches", "/v4/competitions/PL/standings", "/v4/matches"


def recorded(name: str) -> Any:
    """A recorded sample as JSON data, to serve as is or altered."""
    return json.loads(sample(name))


def body(data: Any) -> bytes:
    return json.dumps(data).encode()


def client(server: ProviderServer) -> FootballData:
    return FootballData(KEY, base_url=f"{server.url}/v4", clock=lambda: NOW)


def one_match(**changes: Any) -> dict[str, Any]:
    """The first recorded PL match (Everton v Manchester United), with some fields changed."""
    data = recorded(SCHEDULED)
    data["matches"] = [{**data["matches"][0], **changes}]
    return data


def fixture_of(server: ProviderServer, data: Any) -> FixtureRecord:
    """The single fixture the client reads from `data` served as the PL matches response."""
    server.route(PL_MATCHES, body=body(data))
    (fixture,) = client(server).fixtures("epl", date(2026, 2, 23), date(2026, 2, 23))
    return fixture


def failure(server: ProviderServer, path: str, reply: Reply, call: str = "fixtures") -> ProviderError:
    """The ProviderError the named call raises when `path` answers `reply`; the key is never in it."""
    server.route(path, reply)
    fd = client(server)
    calls = {
        "fixtures": lambda: fd.fixtures("epl", date(2026, 2, 23), date(2026, 2, 23)),
        "standings": lambda: fd.standings("epl"),
        "matches_on": lambda: fd.matches_on(date(2023, 12, 29), date(2023, 12, 30)),
    }
    with pytest.raises(ProviderError) as caught:
        calls[call]()
    assert (caught.value.provider, caught.value.call) == ("football-data", call)
    assert KEY not in str(caught.value) and KEY not in repr(caught.value.args)
    return caught.value


# --- the recorded samples -------------------------------------------------------------


def test_scheduled_sample_gives_109_scheduled_fixtures(server: ProviderServer) -> None:
    server.route(PL_MATCHES, body=sample(SCHEDULED))
    fixtures = client(server).fixtures("epl", date(2026, 2, 23), date(2026, 5, 24))
    assert len(fixtures) == 109 and len({f.external_id for f in fixtures}) == 109
    assert {f.status for f in fixtures} == {MatchStatus.SCHEDULED}  # all 109 are TIMED
    assert {(f.competition_key, f.season) for f in fixtures} == {("epl", "2025-26")}
    assert all(f.home_score is f.away_score is f.ht_home_score is f.ht_away_score is f.minute is None for f in fixtures)
    assert all(f.kickoff_at.utcoffset() == timedelta(0) for f in fixtures)
    first, last = fixtures[0], fixtures[-1]
    assert first == FixtureRecord(
        external_id="538050",
        competition_key="epl",
        season="2025-26",
        home=TeamRef("62", "Everton FC", "Everton"),
        away=TeamRef("66", "Manchester United FC", "Man United"),
        kickoff_at=datetime(2026, 2, 23, 20, 0, tzinfo=UTC),
        status=MatchStatus.SCHEDULED,
        round="Matchday 27",
    )
    assert (last.external_id, last.home.name, last.away.name) == ("538164", "West Ham United FC", "Leeds United FC")
    assert (last.kickoff_at, last.round) == (datetime(2026, 5, 24, 15, 0, tzinfo=UTC), "Matchday 38")
    rounds = Counter(f.round for f in fixtures)
    assert rounds["Matchday 27"] == 1 and rounds["Matchday 31"] == 8 and rounds["Matchday 38"] == 10


def test_fixtures_asks_one_day_past_date_to_and_keeps_only_the_asked_dates(server: ProviderServer) -> None:
    server.route(PL_MATCHES, body=sample(SCHEDULED))  # the server ignores the dates: the client filters
    fixtures = client(server).fixtures("epl", date(2026, 2, 23), date(2026, 2, 28))
    assert [f.external_id for f in fixtures] == ["538050", "538064", "538055", "538058", "538060", "538063", "538061"]
    (hit,) = server.hits(PL_MATCHES)
    assert hit.query == {"dateFrom": ["2026-02-23"], "dateTo": ["2026-03-01"]}  # v4's dateTo is exclusive


def test_the_key_goes_in_the_header_only(server: ProviderServer) -> None:
    server.route(PL_MATCHES, body=sample(SCHEDULED))
    client(server).fixtures("epl", date(2026, 2, 23), date(2026, 2, 23))
    (hit,) = server.hits(PL_MATCHES)
    assert hit.headers["X-Auth-Token"] == KEY
    assert KEY not in json.dumps(hit.query)


def test_standings_sample_gives_20_rows_with_unequal_games_played(server: ProviderServer) -> None:
    server.route(PL_TABLE, body=sample(STANDINGS))
    rows = client(server).standings("epl")
    assert [r.position for r in rows] == list(range(1, 21))
    assert {(r.competition_key, r.season, r.group, r.form) for r in rows} == {("epl", "2025-26", None, "")}
    assert Counter(r.played for r in rows) == {27: 16, 28: 2, 26: 2}
    played = {r.team.short_name: r.played for r in rows if r.played != 27}
    # The shortName where it fits teams.short_name (12 characters), else the three-letter code.
    assert played == {"Arsenal": 28, "Man United": 26, "Everton": 26, "WOL": 28}
    top, bottom = rows[0], rows[-1]
    assert top.team == TeamRef("57", "Arsenal FC", "Arsenal")
    assert (top.won, top.drawn, top.lost, top.goals_for, top.goals_against, top.points) == (18, 7, 3, 56, 21, 61)
    assert bottom.team == TeamRef("76", "Wolverhampton Wanderers FC", "WOL")
    assert (bottom.won, bottom.drawn, bottom.lost, bottom.goals_for, bottom.goals_against, bottom.points) == (
        1,
        7,
        20,
        18,
        51,
        10,
    )


def test_by_date_sample_keeps_only_the_four_serie_a_matches(server: ProviderServer) -> None:
    server.route(MATCHES, body=sample(BY_DATE))  # 18 matches: SA 4, ELC 12, PPL 2
    fixtures = client(server).matches_on(date(2023, 12, 29), date(2023, 12, 30))
    assert [f.external_id for f in fixtures] == ["444432", "444426", "444427", "444430"]
    assert {(f.competition_key, f.season, f.round, f.status) for f in fixtures} == {
        ("seriea", "2023-24", "Matchday 18", MatchStatus.SCHEDULED)
    }
    assert fixtures[0].home == TeamRef("113", "SSC Napoli", "Napoli")
    assert fixtures[0].away == TeamRef("5911", "AC Monza", "Monza")
    (hit,) = server.hits(MATCHES)
    assert hit.query == {"dateFrom": ["2023-12-29"], "dateTo": ["2023-12-31"], "competitions": ["PL,PD,SA,BL1,FL1"]}


def test_matches_outside_the_asked_dates_are_dropped(server: ProviderServer) -> None:
    server.route(MATCHES, body=sample(BY_DATE))  # every match kicks off on 2023-12-29
    assert client(server).matches_on(date(2023, 12, 30), date(2023, 12, 30)) == []
    assert client(server).matches_on(date(2023, 12, 31), date(2023, 12, 29)) == []  # an empty range asks nothing
    assert len(server.hits(MATCHES)) == 1


def test_matches_on_splits_long_ranges_into_ten_day_windows(server: ProviderServer) -> None:
    server.route(MATCHES, body=sample(BY_DATE))
    fixtures = client(server).matches_on(date(2023, 12, 1), date(2023, 12, 31))
    assert len(fixtures) == 4  # the same four answered four times are kept once
    windows = [(h.query["dateFrom"][0], h.query["dateTo"][0]) for h in server.hits(MATCHES)]
    assert windows == [
        ("2023-12-01", "2023-12-11"),
        ("2023-12-11", "2023-12-21"),
        ("2023-12-21", "2023-12-31"),
        ("2023-12-31", "2024-01-01"),
    ]


# --- live play, statuses, scores --------------------------------------------------------


def test_live_reads_running_scores_minutes_and_keeps_the_five(server: ProviderServer) -> None:
    data = recorded(BY_DATE)  # the by-date sample, played out: no live capture was found
    live = {444432: ("IN_PLAY", "45+2", 1, 0), 444426: ("PAUSED", None, 0, 0), 444427: ("IN_PLAY", 67, 2, 1)}
    for match in data["matches"]:
        status, minute, home, away = live.get(match["id"], ("IN_PLAY", 10, 0, 0))
        match.update(
            status=status,
            minute=minute,
            score={"fullTime": {"home": home, "away": away}, "halfTime": {"home": home, "away": away}},
        )
    server.route(MATCHES, body=body(data))
    fixtures = {f.external_id: f for f in client(server).live()}
    assert sorted(fixtures) == ["444426", "444427", "444430", "444432"]  # ELC and PPL matches are dropped
    napoli = fixtures["444432"]
    assert (napoli.status, napoli.minute, napoli.added_time, napoli.home_score, napoli.away_score) == (
        MatchStatus.LIVE,
        45,
        2,
        1,
        0,
    )
    assert (fixtures["444426"].status, fixtures["444426"].minute) == (MatchStatus.HALF_TIME, None)
    assert (fixtures["444427"].minute, fixtures["444427"].added_time, fixtures["444427"].ht_home_score) == (67, None, 2)
    (hit,) = server.hits(MATCHES)
    assert hit.query == {"status": ["IN_PLAY,PAUSED"], "competitions": ["PL,PD,SA,BL1,FL1"]}


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("SCHEDULED", MatchStatus.SCHEDULED),
        ("TIMED", MatchStatus.SCHEDULED),
        ("IN_PLAY", MatchStatus.LIVE),
        ("LIVE", MatchStatus.LIVE),
        ("PAUSED", MatchStatus.HALF_TIME),
        ("FINISHED", MatchStatus.FINISHED),
        ("AWARDED", MatchStatus.FINISHED),
        ("POSTPONED", MatchStatus.POSTPONED),
        ("CANCELLED", MatchStatus.CANCELLED),
        ("SUSPENDED", MatchStatus.OTHER),
        ("ABANDONED_BY_FOG", MatchStatus.OTHER),
        ("", MatchStatus.OTHER),
        (None, MatchStatus.OTHER),
        (3, MatchStatus.OTHER),
    ],
)
def test_every_status_code_maps_and_unknown_ones_are_other(
    server: ProviderServer, code: Any, expected: MatchStatus
) -> None:
    assert fixture_of(server, one_match(status=code)).status == expected


def test_finished_scores_in_v4_keys_and_in_older_homeTeam_awayTeam_keys(server: ProviderServer) -> None:
    v4 = fixture_of(
        server,
        one_match(
            status="FINISHED",
            score={"winner": "HOME_TEAM", "fullTime": {"home": 3, "away": 1}, "halfTime": {"home": 1, "away": 0}},
        ),
    )
    assert (v4.home_score, v4.away_score, v4.ht_home_score, v4.ht_away_score) == (3, 1, 1, 0)
    older = fixture_of(
        server,
        one_match(
            status="FINISHED",
            score={"fullTime": {"homeTeam": 0, "awayTeam": 2}, "halfTime": {"homeTeam": 0, "awayTeam": 0}},
        ),
    )
    assert (older.home_score, older.away_score, older.ht_home_score, older.ht_away_score) == (0, 2, 0, 0)


def test_kickoff_is_always_aware_utc(server: ProviderServer) -> None:
    shifted = fixture_of(server, one_match(utcDate="2026-02-23T21:00:00+01:00"))
    naive = fixture_of(server, one_match(utcDate="2026-02-23T20:00:00"))
    assert shifted.kickoff_at == naive.kickoff_at == datetime(2026, 2, 23, 20, 0, tzinfo=UTC)
    assert shifted.kickoff_at.tzinfo == naive.kickoff_at.tzinfo == UTC


@pytest.mark.parametrize(
    ("minute", "injury", "expected"),
    [
        (67, None, (67, None)),
        ("67", None, (67, None)),
        ("45+2", None, (45, 2)),
        ("90 + 4'", None, (90, 4)),
        (90, 3, (90, 3)),
        ("HT", None, (None, None)),
        (None, None, (None, None)),
        (True, None, (None, None)),
    ],
)
def test_minute_reading(minute: Any, injury: Any, expected: tuple[int | None, int | None]) -> None:
    assert minute_of(minute, injury) == expected


# --- standings details ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("W,D,L", "LDW"),
        ("W,W,D,L,L", "LLDWW"),
        ("L", "L"),
        ("WDLWW", "WWLDW"),
        (None, ""),
        ("", ""),
    ],
)
def test_form_is_rewritten_most_recent_last(raw: Any, expected: str) -> None:
    assert form_recent_last(raw) == expected


def test_standings_take_the_total_table_among_home_and_away(server: ProviderServer) -> None:
    data = recorded(STANDINGS)
    total = data["standings"][0]
    total["table"][0]["form"] = "W,D,L,W,W"  # football-data: most recent first
    home = {**total, "type": "HOME", "table": [{**row, "points": 0} for row in total["table"][:3]]}
    data["standings"] = [home, total, {**home, "type": "AWAY"}]
    server.route(PL_TABLE, body=body(data))
    rows = client(server).standings("epl")
    assert len(rows) == 20 and rows[0].points == 61
    assert (rows[0].form, rows[1].form) == ("WWLDW", "")


# --- competitions and quota -------------------------------------------------------------


def competition_body(code: str, name: str, start: str, end: str) -> bytes:
    """GET /competitions/{code}, built from the recorded standings' area/competition/season objects."""
    data = recorded(STANDINGS)
    season = {**data["season"], "startDate": start, "endDate": end}
    return body(
        {
            "area": data["area"],
            **data["competition"],
            "code": code,
            "name": name,
            "currentSeason": season,
            "seasons": [season],
        }
    )


def test_competitions_give_the_current_season_with_its_label(server: ProviderServer) -> None:
    for code, name in (
        ("PL", "Premier League"),
        ("PD", "Primera Division"),
        ("SA", "Serie A"),
        ("BL1", "Bundesliga"),
        ("FL1", "Ligue 1"),
    ):
        server.route(f"/v4/competitions/{code}", body=competition_body(code, name, "2025-08-15", "2026-05-24"))
    records = client(server).competitions()
    assert [(r.key, r.name) for r in records] == [
        ("epl", "Premier League"),
        ("laliga", "Primera Division"),
        ("seriea", "Serie A"),
        ("bundesliga", "Bundesliga"),
        ("ligue1", "Ligue 1"),
    ]
    pl = records[0]
    assert (pl.external_id, pl.country, pl.season) == ("2021", "England", "2025-26")
    assert (pl.season_start, pl.season_end) == (date(2025, 8, 15), date(2026, 5, 24))


def test_a_calendar_year_season_is_labelled_by_its_year(server: ProviderServer) -> None:
    for code in ("PL", "PD", "SA", "BL1", "FL1"):
        server.route(f"/v4/competitions/{code}", body=competition_body(code, code, "2025-03-01", "2025-11-30"))
    assert {r.season for r in client(server).competitions()} == {"2025"}


def test_quota_headers_are_read_at_the_clocks_time(server: ProviderServer) -> None:
    server.route(
        PL_TABLE, body=sample(STANDINGS), headers={"X-Requests-Available-Minute": "9", "X-RequestCounter-Reset": "42"}
    )
    fd = client(server)
    fd.standings("epl")
    usage = fd.http.last_usage
    assert usage is not None and usage.provider == "football-data"
    assert (usage.remaining, usage.observed_at, usage.resets_at) == (9, NOW, NOW + timedelta(seconds=42))


# --- errors -------------------------------------------------------------------------------


def test_error_bodies_give_football_datas_message(server: ProviderServer) -> None:
    too_long = b'{"message": "Specified period must not exceed 10 days.", "errorCode": 400}'
    err = failure(server, MATCHES, Reply(status=400, body=too_long), call="matches_on")
    assert "Specified period must not exceed 10 days." in err.reason and "400" in err.reason
    restricted = body(
        {
            "message": "The resource you are looking for is restricted and apparently not within your "
            "permissions. Please check your subscription.",
            "errorCode": 403,
        }
    )
    err = failure(server, PL_TABLE, Reply(status=403, body=restricted), call="standings")
    assert "The resource you are looking for is restricted" in err.reason and "403" in err.reason


def test_an_error_body_with_status_200_is_an_error_too(server: ProviderServer) -> None:
    err = failure(server, PL_MATCHES, Reply(body=b'{"message": "Your API token is invalid.", "errorCode": 400}'))
    assert err.reason == "Your API token is invalid."


def test_a_message_quoting_the_key_is_redacted(server: ProviderServer) -> None:
    echo = body({"message": f"Token {KEY} is not valid.", "errorCode": 400})
    err = failure(server, PL_MATCHES, Reply(status=400, body=echo))
    assert "Token *** is not valid." in err.reason


def test_an_error_body_that_never_ends_is_given_up_on(server: ProviderServer) -> None:
    # Chunked, one byte every 0.1 s, for ever: the hook's own 2 s limit gives up; the call fails as what it is.
    err = failure(server, PL_MATCHES, Reply(status=400, trickle=0.1))
    assert err.reason == "HTTP 400"


def test_an_injected_http_client_still_sends_and_hides_the_key(server: ProviderServer) -> None:
    http = ProviderHTTP("football-data", f"{server.url}/v4", settings=HTTPSettings(retries=0, backoff=0.0))
    server.route(
        PL_TABLE,
        Reply(status=429, body=b'{"message": "You reached your request limit. Wait 58 seconds.", "errorCode": 429}'),
    )
    with pytest.raises(ProviderError) as caught:
        FootballData(KEY, http=http).standings("epl")
    assert "You reached your request limit. Wait 58 seconds." in caught.value.reason
    assert server.hits(PL_TABLE)[0].headers["X-Auth-Token"] == KEY and KEY in http.secrets


@pytest.mark.parametrize(
    ("data", "named"),
    [
        ({"count": 0}, "matches"),
        ({"matches": {"id": 1}}, "matches"),
        ({"matches": ["538050"]}, "match"),
        ([], "response"),
        (one_match(homeTeam=None), "match 538050 homeTeam"),
        (one_match(awayTeam={"id": 66}), "match 538050 awayTeam has no name"),
        (one_match(id=None), "match has no id"),
        (one_match(utcDate="tomorrow"), "match 538050 has no valid utcDate"),
        (one_match(season={"id": 2403}), "match 538050 season"),
        (one_match(score={"fullTime": {"home": "2", "away": 0}}), "match 538050 score.fullTime"),
        (one_match(score={"fullTime": [2, 0]}), "match 538050 score.fullTime"),
    ],
)
def test_bad_match_shapes_are_provider_errors_naming_what_is_wrong(
    server: ProviderServer, data: Any, named: str
) -> None:
    assert named in failure(server, PL_MATCHES, Reply(body=body(data))).reason


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (lambda d: d.update(standings=[{**d["standings"][0], "type": "HOME"}]), "no standings entry of type TOTAL"),
        (lambda d: d.pop("standings"), "standings"),
        (lambda d: d["standings"][0]["table"][4].update(playedGames=None), "team 66: playedGames is not an integer"),
        (lambda d: d["standings"][0]["table"][0].update(team="Arsenal"), "table row team"),
        (lambda d: d.pop("season"), "season"),
    ],
)
def test_bad_standings_shapes_are_provider_errors(server: ProviderServer, change: Any, named: str) -> None:
    data = recorded(STANDINGS)
    change(data)
    assert named in failure(server, PL_TABLE, Reply(body=body(data)), call="standings").reason


def test_a_body_that_is_not_json_is_a_provider_error(server: ProviderServer) -> None:
    failure(server, PL_MATCHES, Reply(body=b"<html>busy</html>", content_type="text/html"))


# --- what the client refuses ----------------------------------------------------------------


def test_unknown_competitions_are_refused_before_any_request(server: ProviderServer) -> None:
    fd = client(server)
    for call in (lambda: fd.fixtures("mls", date(2026, 2, 23), date(2026, 2, 24)), lambda: fd.standings("mls")):
        with pytest.raises(ProviderError, match="unknown competition 'mls'"):
            call()
    assert server.requests == []


def test_what_football_data_does_not_offer_here(server: ProviderServer) -> None:
    fd = client(server)
    assert (fd.name, fd.authoritative) == ("football-data", False)
    assert fd.capabilities == frozenset({"competitions", "fixtures", "live", "standings"})
    assert isinstance(fd, Provider)
    refused = {
        "odds": lambda: fd.odds("epl"),
        "past_odds": lambda: fd.past_odds("epl", NOW),
        "lineups": lambda: fd.lineups("1"),
        "events": lambda: fd.events("1"),
        "statistics": lambda: fd.statistics("1"),
        "head_to_head": lambda: fd.head_to_head("1", "2"),
    }
    for call, ask in refused.items():
        with pytest.raises(ProviderError) as caught:
            ask()
        assert (caught.value.call, caught.value.reason) == (call, "not offered by this provider")
    assert server.requests == []
