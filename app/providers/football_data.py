"""football-data.org v4: BetScore's backup source for fixtures, scores and standings. No Flask, no database."""

from __future__ import annotations

import contextlib
import json
import re
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

from app.providers.base import ProviderBase, ProviderError, Quota
from app.providers.http import ProviderHTTP, UsageParser
from app.providers.media import image_url
from app.providers.quota import football_data_usage
from app.providers.records import CompetitionRecord, FixtureRecord, MatchStatus, StandingRecord, TeamRef

CODES = {"epl": "PL", "laliga": "PD", "seriea": "SA", "bundesliga": "BL1", "ligue1": "FL1"}
KEYS = {code: key for key, code in CODES.items()}
S = MatchStatus
T = TypeVar("T")
STATUSES = {
    "SCHEDULED": S.SCHEDULED,
    "TIMED": S.SCHEDULED,
    "IN_PLAY": S.LIVE,
    "LIVE": S.LIVE,
    "EXTRA_TIME": S.LIVE,
    "PENALTY_SHOOTOUT": S.LIVE,
    "PAUSED": S.HALF_TIME,
    "FINISHED": S.FINISHED,
    "AWARDED": S.FINISHED,
    "POSTPONED": S.POSTPONED,
    "CANCELLED": S.CANCELLED,
    "CANCELED": S.CANCELLED,  # both spellings are about
}  # SUSPENDED, like any code not listed, is OTHER
MAX_SPAN_DAYS = 10  # GET /matches answers 400 "Specified period must not exceed 10 days" beyond this
SHORT_NAME_LENGTH = 12  # teams.short_name: a longer shortName ("Wolverhampton") gives way to the tla
MAX_ERROR_BODY, ERROR_BODY_SECONDS = 16 * 1024, 2.0  # football-data's error bodies are under 200 bytes
_MINUTE = re.compile(r"\s*(\d+)\s*(?:\+\s*(\d+))?\s*'?\s*")


class _BadShape(Exception):
    """JSON that is not the shape football-data documents; becomes a ProviderError naming the call."""


def status_of(raw: Any) -> MatchStatus:
    """BetScore's status for a football-data code; an unknown code is OTHER, never an error."""
    return STATUSES.get(raw, S.OTHER) if isinstance(raw, str) else S.OTHER


def form_recent_last(raw: Any) -> str:
    """football-data lists form most recent FIRST ("W,D,L"); BetScore's form has it LAST ("LDW")."""
    return "".join(r for r in reversed(raw.upper()) if r in "WDL") if isinstance(raw, str) else ""


def minute_of(raw: Any, injury_time: Any = None) -> tuple[int | None, int | None]:
    """(minute, added) from 67, "67" or "45+2"; anything else (e.g. "HT") is unknown, not an error."""
    added = injury_time if type(injury_time) is int else None  # `type(...) is int` keeps JSON true/false out
    found = _MINUTE.fullmatch(str(raw)) if type(raw) in (int, str) else None
    return (int(found[1]), int(found[2]) if found[2] else added) if found else (None, None)


def _of(value: Any, kind: type[T], what: str) -> T:
    """The value if it is a JSON object (dict) or array (list), else a _BadShape saying what is missing."""
    if not isinstance(value, kind):
        raise _BadShape(f"{what} is missing or not {'an object' if kind is dict else 'a list'}")
    return value


def _int(value: Any, what: str) -> int:
    """The value if it is a JSON integer."""
    if type(value) is not int:
        raise _BadShape(f"{what} is not an integer")
    return value


def _id(value: Any, what: str) -> str:
    """A provider id as text (football-data's are integers)."""
    if not (type(value) is int or (isinstance(value, str) and value)):
        raise _BadShape(f"{what} has no id")
    return str(value)


def _team(raw: Any, what: str) -> TeamRef:
    """A TeamRef from {id, name, shortName, tla, crest}; short_name: the shortName ("Man City") when it fits, else the
    tla; a crest that is no image URL of football-data's (some point at other sites) is left out."""
    team = _of(raw, dict, what)
    name = team.get("name")
    if not isinstance(name, str) or not name:
        raise _BadShape(f"{what} has no name")
    fits = (team.get("shortName"), team.get("tla"))
    short = next((s for s in fits if isinstance(s, str) and s and len(s) <= SHORT_NAME_LENGTH), None)
    return TeamRef(
        external_id=_id(team.get("id"), what), name=name, short_name=short, crest_url=image_url(team.get("crest"))
    )


def _score(raw: Any, what: str) -> tuple[int | None, int | None]:
    """(home, away) goals: v4 keys home/away, older payloads homeTeam/awayTeam; null until known."""
    pair = _of(raw, dict, what) if raw is not None else {}
    sides = [pair[new] if new in pair else pair.get(old) for new, old in (("home", "homeTeam"), ("away", "awayTeam"))]
    if any(side is not None and type(side) is not int for side in sides):
        raise _BadShape(f"{what} holds a goal count that is not an integer")
    return sides[0], sides[1]


def _season(raw: Any, what: str) -> tuple[str, date, date]:
    """(label, start, end) from startDate/endDate: "2025-26" over two years, "2025" within one."""
    season = _of(raw, dict, what)
    try:
        start, end = date.fromisoformat(season["startDate"]), date.fromisoformat(season["endDate"])
    except (KeyError, TypeError, ValueError):
        raise _BadShape(f"{what} has no valid startDate/endDate") from None
    return (f"{start.year}-{end.year % 100:02d}" if end.year > start.year else str(start.year)), start, end


def parse_match(raw: Any, key: str) -> FixtureRecord:
    """One v4 match as a FixtureRecord of competition `key`; its `odds` notice is ignored."""
    match = _of(raw, dict, "match")
    where = f"match {_id(match.get('id'), 'match')}"
    try:
        kickoff = datetime.fromisoformat(match["utcDate"] if isinstance(match.get("utcDate"), str) else "")
    except (TypeError, ValueError):
        raise _BadShape(f"{where} has no valid utcDate") from None
    score = _of(match.get("score") or {}, dict, f"{where} score")
    home_goals, away_goals = _score(score.get("fullTime"), f"{where} score.fullTime")  # the running score in play
    ht_home, ht_away = _score(score.get("halfTime"), f"{where} score.halfTime")
    minute, added = minute_of(match.get("minute"), match.get("injuryTime"))
    matchday = match.get("matchday")
    return FixtureRecord(
        external_id=str(match["id"]),
        competition_key=key,
        season=_season(match.get("season"), f"{where} season")[0],
        home=_team(match.get("homeTeam"), f"{where} homeTeam"),
        away=_team(match.get("awayTeam"), f"{where} awayTeam"),
        # utcDate is UTC by name: a stamp without zone is read as UTC, one with a zone is converted
        kickoff_at=kickoff.replace(tzinfo=UTC) if kickoff.tzinfo is None else kickoff.astimezone(UTC),
        status=status_of(match.get("status")),
        minute=minute,
        added_time=added,
        home_score=home_goals,
        away_score=away_goals,
        ht_home_score=ht_home,
        ht_away_score=ht_away,
        round=f"Matchday {matchday}" if type(matchday) is int else None,
    )


def parse_standing_row(raw: Any, key: str, season: str, group: str | None) -> StandingRecord:
    """One table row; rows of one table may have played different numbers of games."""
    row = _of(raw, dict, "table row")
    team = _team(row.get("team"), "table row team")
    n = {
        f: _int(row.get(f), f"table row of team {team.external_id}: {f}")
        for f in ("position", "playedGames", "won", "draw", "lost", "goalsFor", "goalsAgainst", "points")
    }
    return StandingRecord(
        competition_key=key,
        season=season,
        team=team,
        position=n["position"],
        played=n["playedGames"],
        won=n["won"],
        drawn=n["draw"],
        lost=n["lost"],
        goals_for=n["goalsFor"],
        goals_against=n["goalsAgainst"],
        points=n["points"],
        form=form_recent_last(row.get("form")),
        group=group,
    )


def _window(date_from: date, date_to: date) -> dict[str, str]:
    """dateFrom/dateTo for [date_from, date_to]: v4's dateTo is exclusive, so one more day (callers filter)."""
    # Seen in the by-date sample: 2023-12-29..30 gave only the 29th's matches, though Serie A played on the 30th.
    return {"dateFrom": date_from.isoformat(), "dateTo": (date_to + timedelta(days=1)).isoformat()}


class _ErrorBodies(threading.local):
    """A requests response hook keeping, per thread, the `message` of the last error body."""

    message: str | None = None

    @staticmethod
    def _cut(response: Any) -> None:
        """Shut the response's socket down, waking a read blocked on it; never raises."""
        with contextlib.suppress(Exception):
            response.raw.connection.sock.shutdown(socket.SHUT_RDWR)

    def __call__(self, response: Any, *args: Any, **kwargs: Any) -> None:
        """Note the message of a small JSON error body; never raises, and returning None leaves the response be."""
        if response.status_code < 400:
            return
        # The HTTP layer reads no error body, so its deadline does not bound this read: this timer does.
        timer = threading.Timer(ERROR_BODY_SECONDS, self._cut, (response,))
        timer.daemon = True
        timer.start()
        try:  # an oversized body reads as cut-off JSON: no message, like any other unreadable body
            message = json.loads(response.raw.read(MAX_ERROR_BODY + 1, decode_content=True)).get("message")
        except Exception:
            message = None
        finally:
            timer.cancel()
        self.message = message[:300] if isinstance(message, str) and message else None


class FootballData(ProviderBase):
    """football-data.org v4: competitions, fixtures, live scores and standings of the five leagues. It serves no odds
    (a paid add-on), line-ups, events or statistics here: those calls are refused (ProviderBase)."""

    name = "football-data"
    authoritative = False  # a backup: its teams are matched to canonical ones, never create them
    quota: Quota = "daily"  # the free plan: 10 calls a minute, rationed by the schedule like a daily plan
    http: ProviderHTTP
    capabilities = frozenset({"competitions", "fixtures", "live", "standings"})
    BASE_URL = "https://api.football-data.org/v4"

    def __init__(
        self,
        api_key: str,
        *,
        base_url: str = BASE_URL,
        http: ProviderHTTP | None = None,
        clock: Callable[[], datetime] | None = None,
        usage_parser: UsageParser | None = None,
    ) -> None:
        self._clock = clock or (lambda: datetime.now(UTC))
        # Quota headers are stamped by our clock, like everything else this client observes.
        http = http or ProviderHTTP(
            self.name,
            base_url,
            usage_parser=usage_parser or (lambda headers: football_data_usage(headers, now=self._clock())),
        )
        # On an injected client too (own settings and base_url): our key is sent, and hidden from every error.
        http.headers["X-Auth-Token"], http.secrets = api_key, (*http.secrets, api_key)
        # ProviderHTTP names a 4xx by its status alone; football-data's reason is in the body, noted on the way past.
        self._errors = _ErrorBodies()
        http.session.hooks.setdefault("response", []).append(self._errors)
        self.http = http

    def competitions(self) -> list[CompetitionRecord]:
        """Each followed league with its current season: GET /competitions/{code}."""
        return [self._competition(key, code) for key, code in CODES.items()]

    def fixtures(self, competition: str, date_from: date, date_to: date) -> list[FixtureRecord]:
        """Matches of one league kicking off within [date_from, date_to] (UTC dates)."""
        code = self._code("fixtures", competition)
        if date_to < date_from:
            return []
        with self._read("fixtures", f"/competitions/{code}/matches", _window(date_from, date_to)) as data:
            found = [parse_match(raw, competition) for raw in _of(data.get("matches"), list, "matches")]
        return [f for f in found if date_from <= f.kickoff_at.date() <= date_to]

    def matches_on(self, date_from: date, date_to: date) -> list[FixtureRecord]:
        """Matches of the five leagues within [date_from, date_to], in windows GET /matches accepts."""
        found: dict[str, FixtureRecord] = {}
        start = date_from
        while start <= date_to:
            end = min(start + timedelta(days=MAX_SPAN_DAYS - 1), date_to)
            for fixture in self._across("matches_on", _window(start, end)):
                if date_from <= fixture.kickoff_at.date() <= date_to:
                    found.setdefault(fixture.external_id, fixture)
            start = end + timedelta(days=1)
        return list(found.values())

    def live(self) -> list[FixtureRecord]:
        """Matches of the five leagues in play or at half-time."""
        return self._across("live", {"status": "IN_PLAY,PAUSED"})

    def standings(self, competition: str) -> list[StandingRecord]:
        """The league table: the entries of type TOTAL (HOME and AWAY tables may ride along)."""
        code = self._code("standings", competition)
        with self._read("standings", f"/competitions/{code}/standings") as data:
            label = _season(data.get("season"), "season")[0]
            entries = _of(data.get("standings"), list, "standings")
            totals = [e for e in entries if _of(e, dict, "standings entry").get("type") == "TOTAL"]
            if not totals:
                raise _BadShape("no standings entry of type TOTAL")
            return [
                parse_standing_row(row, competition, label, e["group"] if isinstance(e.get("group"), str) else None)
                for e in totals
                for row in _of(e.get("table"), list, "table")
            ]

    def _across(self, call: str, params: dict[str, str]) -> list[FixtureRecord]:
        """GET /matches (mixed competitions), keeping only the five leagues by competition code."""
        with self._read(call, "/matches", {**params, "competitions": ",".join(CODES.values())}) as data:
            kept = []
            for raw in _of(data.get("matches"), list, "matches"):
                code = (_of(raw, dict, "match").get("competition") or {}).get("code")
                if code in KEYS:  # others (the by-date sample has ELC, PPL) are not ours
                    kept.append(parse_match(raw, KEYS[code]))
            return kept

    def _competition(self, key: str, code: str) -> CompetitionRecord:
        """One league from GET /competitions/{code}, with its currentSeason."""
        with self._read("competitions", f"/competitions/{code}") as data:
            name, area = data.get("name"), data.get("area")
            if not isinstance(name, str) or not name:
                raise _BadShape(f"competition {code} has no name")
            label, start, end = _season(data.get("currentSeason"), f"competition {code} currentSeason")
            country = area.get("name") if isinstance(area, dict) else None
            return CompetitionRecord(
                key=key,
                external_id=_id(data.get("id"), f"competition {code}"),
                name=name,
                country=country if isinstance(country, str) else "",
                season=label,
                season_start=start,
                season_end=end,
                crest_url=image_url(data.get("emblem")),
            )

    @contextmanager
    def _read(self, call: str, path: str, params: dict[str, str] | None = None) -> Iterator[dict[str, Any]]:
        """GET path and yield its JSON object; any failure, fetching or reading, is a ProviderError naming the call."""
        self._errors.message = None  # forget any message left over from an earlier call
        try:
            data = self.http.get_json(call, path, params).data
        except ProviderError as exc:
            message = self._errors.message
            keep = message is None or message in exc.reason  # the HTTP layer may come to quote it itself
            raise (exc if keep else self._error(call, f"{exc.reason}: {message}")) from None
        if isinstance(data, dict) and "errorCode" in data:  # an error body, whatever the status line said
            raise self._error(call, str(data.get("message") or f"error code {data['errorCode']}")[:300])
        try:
            yield _of(data, dict, "response")
        except _BadShape as exc:
            raise self._error(call, str(exc)) from None
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
            raise self._error(call, f"unexpected response shape ({type(exc).__name__})") from None

    def _code(self, call: str, competition: str) -> str:
        """football-data's code for a canonical competition key."""
        if competition not in CODES:
            raise ProviderError(self.name, call, f"unknown competition {competition!r}")
        return CODES[competition]

    def _error(self, call: str, reason: str) -> ProviderError:
        """A ProviderError whose text never carries the key."""
        return ProviderError(self.name, call, self.http.redact(reason))  # the key is among http's secrets
