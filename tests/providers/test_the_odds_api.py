"""TheOddsAPI against a real loopback server replaying The Odds API's recorded responses, and edited copies."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from typing import Any

import pytest

from app.providers.base import Provider, ProviderError
from app.providers.http import ProviderHTTP
from app.providers.records import MatchStatus, OddsBatch, PriceRecord, Usage
from app.providers.the_odds_api import Sport, TheOddsAPI, credit_cost
from tests.providers.conftest import ProviderServer, Reply, sample

KEY = "k3y-5f2b9c0e71d84a6b"
NOW = datetime(2025, 5, 15, 2, 0, tzinfo=UTC)  # 7.5 minutes after the first recorded NHL event began
EPL = "/v4/sports/soccer_epl"
EU = "the-odds-api/odds_soccer_epl_h2h_eu__ledjob.json"
UK = "the-odds-api/odds_soccer_epl_h2h_uk__footballtipsters.json"
BETWAY = "the-odds-api/odds_soccer_epl_h2h_betway_only__parlaytracker.json"
SPREADS = "the-odds-api/odds_soccer_epl_spreads_uk__adarshs02.json"
SINGLE = "the-odds-api/event_odds_single_event__bellanov.json"
EVENTS = "the-odds-api/events__bellanov.json"
SCORES = "the-odds-api/scores_soccer_epl_completed__adarshs02.json"
MISSING_KEY = "the-odds-api/error_missing_key__ledjob.json"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def client(server: ProviderServer, now: datetime = NOW, **kwargs: Any) -> TheOddsAPI:
    return TheOddsAPI(KEY, base_url=f"{server.url}/v4", clock=lambda: now, **kwargs)


def edited(name: str, edit: Callable[[Any], object]) -> bytes:
    """A copy of a recorded sample with one deliberate change."""
    data = json.loads(sample(name))
    edit(data)
    return json.dumps(data).encode()


def odds(server: ProviderServer, body: bytes, now: datetime = NOW, **kwargs: Any) -> OddsBatch:
    server.route(f"{EPL}/odds", Reply(body=body))
    return client(server, now).odds("epl", **kwargs)


def price(batch: OddsBatch, event: str, book: str, market: str, outcome: str) -> PriceRecord:
    (found,) = [
        p
        for p in batch.prices
        if (p.fixture_external_id, p.bookmaker.key, p.market, p.outcome) == (event, book, market, outcome)
    ]
    return found


def first_outcome(data: Any) -> dict[str, Any]:
    outcome: dict[str, Any] = data[0]["bookmakers"][0]["markets"][0]["outcomes"][0]
    return outcome


# --- every recorded sample through the client -------------------------------------------------


def test_sports_sample(server: ProviderServer) -> None:
    server.route("/v4/sports", body=sample("the-odds-api/sports__botfair.json"))
    sports = client(server).sports()
    assert len(sports) == 66 and all(isinstance(s, Sport) for s in sports)
    assert sum(s.has_outrights for s in sports) == 10
    assert Sport("soccer_epl", "Soccer", "EPL", True, False, "English Premier League") in sports
    assert server.hits("/v4/sports")[0].query["apiKey"] == [KEY]


def test_events_sample_live_once_kickoff_passed(server: ProviderServer) -> None:
    server.route(f"{EPL}/events", body=sample(EVENTS))
    fixtures = client(server).upcoming("epl")
    assert [f.status for f in fixtures] == [MatchStatus.LIVE] + [MatchStatus.SCHEDULED] * 3
    first = fixtures[0]
    assert first.external_id == "8bc67f62969a31cf08fd993eec244007"
    assert first.kickoff_at == datetime(2025, 5, 15, 1, 52, 30, tzinfo=UTC)
    assert (first.home.external_id, first.home.name) == ("Vegas Golden Knights", "Vegas Golden Knights")
    assert (first.away.external_id, first.competition_key, first.season) == ("Edmonton Oilers", "epl", "2024-25")
    assert server.hits(f"{EPL}/events")[0].query["dateFormat"] == ["iso"]


def test_fixtures_keep_the_date_window(server: ProviderServer) -> None:
    server.route(f"{EPL}/events", body=sample(EVENTS))
    fixtures = client(server).fixtures("epl", date(2025, 5, 16), date(2025, 5, 16))
    assert [f.home.name for f in fixtures] == ["Winnipeg Jets", "Florida Panthers"]
    query = server.hits(f"{EPL}/events")[0].query
    assert (query["commenceTimeFrom"], query["commenceTimeTo"]) == (["2025-05-16T00:00:00Z"], ["2025-05-16T23:59:59Z"])


def test_eu_sample_outcomes_by_name_not_position(server: ProviderServer) -> None:
    captured = at("2024-08-04T22:00:00Z")
    batch = odds(server, sample(EU), now=captured)
    assert (batch.observed_at, batch.problems) == (captured, [])
    assert len(batch.prices) == 507 and len({p.bookmaker.key for p in batch.prices}) == 16
    assert len({(p.fixture_external_id, p.bookmaker.key) for p in batch.prices}) == 159
    assert Counter(p.market for p in batch.prices) == {"1x2": 477, "h2h_lay": 30}
    united_fulham = "7579d22151b7be3f590e9e338de9dff6"  # recorded order: Fulham, Manchester United, Draw
    home = price(batch, united_fulham, "unibet_eu", "1x2", "home")
    assert (home.price, home.line, home.bookmaker.name) == (1.53, None, "Unibet")
    assert home.source_updated_at == at("2024-08-04T21:52:09Z")
    assert price(batch, united_fulham, "unibet_eu", "1x2", "away").price == 5.5
    assert price(batch, united_fulham, "unibet_eu", "1x2", "draw").price == 4.3
    # The exchange's lay market is kept as data under its own key, outcomes mapped the same way.
    assert price(batch, united_fulham, "betfair_ex_eu", "h2h_lay", "home").price == 1.62
    assert price(batch, united_fulham, "betfair_ex_eu", "h2h_lay", "away").price == 6.2
    # The batch names its events as fixtures, so the app can resolve the API's ids to its matches.
    assert [f.external_id for f in batch.fixtures][:1] == [united_fulham] and len(batch.fixtures) == 10
    assert {f.status for f in batch.fixtures} == {MatchStatus.SCHEDULED}
    assert (batch.fixtures[0].home.name, batch.fixtures[0].away.name) == ("Manchester United", "Fulham")
    assert {p.fixture_external_id for p in batch.prices} == {f.external_id for f in batch.fixtures}


def test_uk_sample(server: ProviderServer) -> None:
    batch = odds(server, sample(UK))
    assert {f.status for f in batch.fixtures} == {MatchStatus.LIVE}  # kickoffs long past at NOW: in play
    assert (len(batch.prices), len({p.fixture_external_id for p in batch.prices}), batch.problems) == (882, 19, [])
    assert len({p.bookmaker.key for p in batch.prices}) == 17
    assert Counter(p.market for p in batch.prices) == {"1x2": 798, "h2h_lay": 84}
    burnley_city = "8f77bda60a2e394a76b139a8e0efb986"
    assert price(batch, burnley_city, "skybet", "1x2", "home").price == 10.5
    assert price(batch, burnley_city, "matchbook", "h2h_lay", "home").price == 12.0


def test_betway_sample_sent_as_bookmakers_not_regions(server: ProviderServer) -> None:
    batch = odds(server, sample(BETWAY), markets=("h2h",), bookmakers=["betway"])
    assert len(batch.prices) == 33 and {p.bookmaker.key for p in batch.prices} == {"betway"}
    assert price(batch, "36808dc52374b40df08cab6b1d5664d1", "betway", "1x2", "away").price == 1.6
    query = server.hits(f"{EPL}/odds")[0].query
    assert query["bookmakers"] == ["betway"] and "regions" not in query


def test_spreads_sample_line_is_home_point_for_both(server: ProviderServer) -> None:
    batch = odds(server, sample(SPREADS), markets=("spreads",))
    assert (len(batch.prices), batch.problems) == (16, [])  # 12 events with bookmakers: [] are not errors
    assert (len({p.fixture_external_id for p in batch.prices}), len(batch.fixtures)) == (8, 20)
    west_ham_forest = "0eceedf0cb9a125174e2637be71b5b5e"  # Forest (away, -0.25) listed first
    home, away = (price(batch, west_ham_forest, "matchbook", "ah", side) for side in ("home", "away"))
    assert (home.price, home.line, away.price, away.line) == (1.92, 0.25, 2.06, 0.25)
    city_brighton = "414d33bf"
    assert {p.line for p in batch.prices if p.fixture_external_id.startswith(city_brighton)} == {-1.25}


def test_single_event_odds_is_one_object(server: ProviderServer) -> None:
    event_id = "1788c3241e069a3d1d6a0de166535580"
    server.route(f"{EPL}/events/{event_id}/odds", body=sample(SINGLE))
    batch = client(server).event_odds("epl", event_id, markets=("h2h",), regions="us")
    assert (len(batch.prices), len({p.bookmaker.key for p in batch.prices})) == (22, 11)
    assert [(f.external_id, f.away.name, f.status) for f in batch.fixtures] == [
        (event_id, "Dallas Stars", MatchStatus.SCHEDULED)
    ]
    jets = price(batch, event_id, "draftkings", "1x2", "home")  # Winnipeg Jets, listed second
    assert (jets.price, jets.source_updated_at) == (1.8, at("2025-05-15T19:12:50Z"))
    assert server.hits(f"{EPL}/events/{event_id}/odds")[0].query["regions"] == ["us"]


def test_scores_sample_matched_by_name(server: ProviderServer) -> None:
    server.route(f"{EPL}/scores", body=sample(SCORES))
    fixtures = {f.external_id: f for f in client(server).scores("epl", days_from=3)}
    assert len(fixtures) == 10 and {f.status for f in fixtures.values()} == {MatchStatus.FINISHED}
    everton = fixtures["b82564b1b4c38fbfa3d5a23213c33a0b"]  # Brentford's 4 is listed first
    assert (everton.home.name, everton.home_score, everton.away_score) == ("Everton", 2, 4)
    newcastle = fixtures["33e174d56928e320b3fdbac2510a1003"]
    assert (newcastle.home_score, newcastle.away_score, newcastle.season) == (2, 0, "2025-26")
    assert server.hits(f"{EPL}/scores")[0].query["daysFrom"] == ["3"]


def _unfinish(data: Any) -> None:
    data[0]["completed"] = False  # in play: scores present
    data[1].update(completed=False, scores=None)  # not started


def test_scores_live_and_scheduled(server: ProviderServer) -> None:
    server.route(f"{EPL}/scores", body=edited(SCORES, _unfinish))
    fixtures = client(server).scores("epl")
    assert [f.status for f in fixtures[:3]] == [MatchStatus.LIVE, MatchStatus.SCHEDULED, MatchStatus.FINISHED]
    assert (fixtures[0].home_score, fixtures[0].away_score, fixtures[0].minute) == (3, 1, None)
    assert fixtures[1].home_score is None and "daysFrom" not in server.hits(f"{EPL}/scores")[0].query


def test_live_asks_every_league_and_keeps_in_play(server: ProviderServer) -> None:
    for sport in (
        "soccer_epl",
        "soccer_spain_la_liga",
        "soccer_italy_serie_a",
        "soccer_germany_bundesliga",
        "soccer_france_ligue_one",
    ):
        server.route(f"/v4/sports/{sport}/scores", body=b"[]")
    server.route(f"{EPL}/scores", body=edited(SCORES, _unfinish))
    live = client(server).live()
    assert [f.external_id for f in live] == ["a40e631c634842e80f05ef44c374c45d"]
    assert len(server.requests) == 5


# --- the traps, one by one, on edited copies of recorded samples ------------------------------


@pytest.mark.parametrize(("value", "expected"), [("5.5", 5.5), (5, 5.0), ("7", 7.0), (1.0, 1.0), (0.5, 0.5)])
def test_readable_prices_become_floats_even_below_one_point_zero_one(
    server: ProviderServer, value: object, expected: float
) -> None:
    batch = odds(server, edited(EU, lambda d: first_outcome(d).update(price=value)))
    record = price(batch, "7579d22151b7be3f590e9e338de9dff6", "unibet_eu", "1x2", "away")
    assert (record.price, type(record.price), batch.problems) == (expected, float, [])


@pytest.mark.parametrize(
    ("edit", "reason"),
    [
        (lambda o: o.update(price=None), "has no price"),
        (lambda o: o.update(price="abc"), "'abc' is not a number"),
        (lambda o: o.update(price=True), "True is not a number"),
        (lambda o: o.update(price="nan"), "'nan' is not a number"),
        (lambda o: o.pop("price"), "has no price"),
        (lambda o: o.update(name="Fulham FC"), "'Fulham FC' is neither team"),
    ],
)
def test_unreadable_outcome_is_skipped_and_named(
    server: ProviderServer, edit: Callable[[dict[str, Any]], object], reason: str
) -> None:
    batch = odds(server, edited(EU, lambda d: edit(first_outcome(d))))
    assert len(batch.prices) == 506  # only that one outcome is lost
    (problem,) = batch.problems
    assert problem.startswith("event 7579d22151b7be3f590e9e338de9dff6 bookmaker unibet_eu market h2h: ")
    assert reason in problem


def _totals(data: Any) -> None:
    data[0]["bookmakers"][0]["markets"] = [
        {
            "key": "totals",
            "outcomes": [
                {"name": "Under", "price": "1.95", "point": 2.5},
                {"name": "Over", "price": 1.87, "point": 2.5},
            ],
        }
    ]
    data[0]["bookmakers"][0]["key"], data[0]["bookmakers"][0]["title"] = "newbook_zz", "New Book"


def test_totals_and_unknown_bookmaker_and_bookmaker_last_update(server: ProviderServer) -> None:
    batch = odds(server, edited(EU, _totals))
    ou = [p for p in batch.prices if p.market == "ou"]
    assert sorted((p.outcome, p.price, p.line) for p in ou) == [("over", 1.87, 2.5), ("under", 1.95, 2.5)]
    assert {(p.bookmaker.key, p.bookmaker.name) for p in ou} == {("newbook_zz", "New Book")}
    # No market last_update: the bookmaker's own stamp is the price's source instant.
    assert {p.source_updated_at for p in ou} == {at("2024-08-04T21:52:09Z")}


def test_empty_bookmakers_is_a_fixture_without_prices(server: ProviderServer) -> None:
    batch = odds(server, edited(EU, lambda d: [e.update(bookmakers=[]) for e in d[1:]]))
    assert ({p.fixture_external_id for p in batch.prices}, batch.problems) == ({"7579d22151b7be3f590e9e338de9dff6"}, [])


METHODS = {"events": "upcoming"}  # the client's method for an endpoint, where the two names differ


@pytest.mark.parametrize(
    ("endpoint", "body", "reason"),
    [
        (
            "odds",
            edited(EU, lambda d: d[3].pop("home_team")),
            "event 3 (e09a13134dbd8919ccc4805a59984ddc) has no home_team",
        ),
        (
            "odds",
            edited(EU, lambda d: d[0].update(commence_time="soon")),
            "event 0 (7579d22151b7be3f590e9e338de9dff6) has no readable commence_time",
        ),
        ("odds", json.dumps(json.loads(sample(EU))[0]).encode(), "expected a list of events, got dict"),
        ("odds", b'["7579d22151b7be3f590e9e338de9dff6"]', "events 0 is not an object but str"),
        ("odds", sample(MISSING_KEY), "API key is missing (MISSING_KEY)"),
        ("events", b'{"data": []}', "expected a list of events, got dict"),
        ("scores", edited(SCORES, lambda d: d[0]["scores"][0].update(score="three")), "unreadable score entry"),
        ("scores", edited(SCORES, lambda d: d[4]["scores"].pop()), "scores do not name both teams"),
    ],
)
def test_wrong_shapes_are_provider_errors(server: ProviderServer, endpoint: str, body: bytes, reason: str) -> None:
    server.route(f"{EPL}/{endpoint}", body=body)
    with pytest.raises(ProviderError) as caught:
        getattr(client(server), METHODS.get(endpoint, endpoint))("epl")
    assert (caught.value.provider, caught.value.call) == ("the-odds-api", endpoint)
    assert reason in caught.value.reason and KEY not in str(caught.value)


def test_single_event_endpoint_rejects_a_list(server: ProviderServer) -> None:
    server.route(f"{EPL}/events/x/odds", body=sample(BETWAY))
    with pytest.raises(ProviderError, match="expected one event object, got list"):
        client(server).event_odds("epl", "x")


@pytest.mark.parametrize("status", [200, 401])
def test_key_never_in_errors(server: ProviderServer, status: int) -> None:
    echo = json.dumps({"message": f"API key {KEY} is not valid", "error_code": "INVALID_KEY"}).encode()
    server.route(f"{EPL}/odds", Reply(status=status, body=echo))
    with pytest.raises(ProviderError) as caught:
        client(server).odds("epl")
    assert KEY not in str(caught.value) and KEY not in repr(caught.value)
    assert server.hits(f"{EPL}/odds")[0].query["apiKey"] == [KEY] and KEY not in repr(client(server))


def test_an_injected_http_learns_the_key_as_a_secret(server: ProviderServer) -> None:
    http = ProviderHTTP("the-odds-api", f"{server.url}/v4")
    api = TheOddsAPI(KEY, http=http, clock=lambda: NOW)
    server.route(f"{EPL}/odds", body=json.dumps({"message": f"key {KEY} over quota"}).encode())
    with pytest.raises(ProviderError) as caught:
        api.odds("epl")
    assert KEY in http.secrets and KEY not in str(caught.value) and "over quota" in caught.value.reason
    assert server.hits(f"{EPL}/odds")[0].query["apiKey"] == [KEY]


# --- the query sent, the credits it costs, and what is not offered ----------------------------


@pytest.mark.parametrize(
    ("kwargs", "ctor", "expected"),
    [
        ({}, {}, {"regions": ["uk,eu"], "markets": ["h2h,totals"]}),
        ({"regions": "us", "markets": ["h2h"]}, {}, {"regions": ["us"], "markets": ["h2h"]}),
        ({"bookmakers": ["betway", "pinnacle"]}, {}, {"bookmakers": ["betway,pinnacle"]}),
        ({}, {"bookmakers": ["skybet"], "regions": "uk"}, {"bookmakers": ["skybet"]}),
        ({"bookmakers": []}, {"bookmakers": ["skybet"]}, {"regions": ["uk,eu"]}),
    ],
)
def test_bookmakers_are_sent_instead_of_regions(
    server: ProviderServer, kwargs: dict[str, Any], ctor: dict[str, Any], expected: Mapping[str, list[str]]
) -> None:
    server.route(f"{EPL}/odds", body=b"[]")
    assert client(server, **ctor).odds("epl", **kwargs).prices == []
    query = server.hits(f"{EPL}/odds")[0].query
    assert {k: query[k] for k in expected} == expected
    assert ("regions" in query) != ("bookmakers" in query)
    assert (query["oddsFormat"], query["dateFormat"], query["apiKey"]) == (["decimal"], ["iso"], [KEY])


@pytest.mark.parametrize(
    ("args", "cost"),
    [
        ((["h2h", "totals"], "uk,eu"), 4),
        ((["h2h"], None, [f"book{i}" for i in range(12)]), 2),
        ((["h2h", "totals"], "us", [f"book{i}" for i in range(10)]), 2),
        ((["h2h", "totals", "spreads"],), 6),
        ((["h2h"], "uk", [f"book{i}" for i in range(11)]), 2),
        ((["h2h", "h2h"], "eu"), 1),
    ],
)
def test_credit_cost(args: tuple[Any, ...], cost: int) -> None:
    assert credit_cost(*args) == cost


def test_unknown_competition_sends_nothing(server: ProviderServer) -> None:
    api = client(server)
    for call in (api.odds, api.upcoming, api.scores):
        with pytest.raises(ProviderError, match=r"unknown competition 'x'"):
            call("x")
    assert server.requests == []


def test_standings_and_competitions_not_offered(server: ProviderServer) -> None:
    api = client(server)
    assert isinstance(api, Provider) and (api.name, api.authoritative) == ("the-odds-api", False)
    assert api.capabilities == {"odds", "live", "fixtures"}
    for call in (api.competitions, lambda: api.standings("epl")):
        with pytest.raises(ProviderError, match="not offered by this provider"):
            call()


def test_usage_read_from_the_credit_headers(server: ProviderServer) -> None:
    headers = {"x-requests-remaining": "496", "x-requests-used": "4", "x-requests-last": "4"}
    server.route(f"{EPL}/odds", Reply(body=b"[]", headers=headers))
    api = client(server)
    assert api.usage() is None
    api.odds("epl")
    assert api.usage() == Usage("the-odds-api", NOW, remaining=496, used=4, limit=500, last_cost=4)


def test_an_injected_usage_parser_is_used(server: ProviderServer) -> None:
    server.route(f"{EPL}/odds", Reply(body=b"[]", headers={"x-requests-remaining": "498"}))

    def usage(headers: Mapping[str, str]) -> Usage:
        return Usage("the-odds-api", NOW, remaining=int(headers["x-requests-remaining"]))

    api = client(server, usage_parser=usage)
    api.odds("epl")
    assert api.usage() is not None and api.usage().remaining == 498
