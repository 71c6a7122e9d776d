"""Pure parsing of API-Football (v3) payloads into BetScore records; no HTTP, no Flask.

Every function raises ShapeError (never KeyError/TypeError) on a payload it cannot read;
the client turns that into a ProviderError naming the call.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from app.providers.media import image_url
from app.providers.records import (
    BookmakerRef,
    CompetitionRecord,
    EventKind,
    FixtureRecord,
    LineupPlayer,
    LineupRecord,
    MatchEventRecord,
    MatchStatsRecord,
    MatchStatus,
    PriceRecord,
    StandingRecord,
    TeamRef,
    TeamSeasonStatsRecord,
)

# BetScore's canonical competition keys and API-Football's league ids for them.
LEAGUES: dict[str, int] = {"epl": 39, "laliga": 140, "seriea": 135, "bundesliga": 78, "ligue1": 61}
KEY_BY_LEAGUE: dict[int, str] = {league: key for key, league in LEAGUES.items()}

STATUS: dict[str, MatchStatus] = {
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
}
# score.halftime follows the running score during the first half, so it only means
# "half-time score" once the first half is over.
PAST_FIRST_HALF = frozenset({"HT", "2H", "ET", "BT", "P", "FT", "AET", "PEN"})
# The demo provider shows a clock only while a match is being played; so does this client.
CLOCKED = frozenset({MatchStatus.LIVE, MatchStatus.HALF_TIME, MatchStatus.OTHER})

EVENT_KINDS: dict[tuple[str, str], EventKind] = {
    ("goal", "normal goal"): EventKind.GOAL,
    ("goal", "own goal"): EventKind.OWN_GOAL,
    ("goal", "penalty"): EventKind.PENALTY_GOAL,
    ("goal", "missed penalty"): EventKind.MISSED_PENALTY,
    ("card", "yellow card"): EventKind.YELLOW_CARD,
    ("card", "red card"): EventKind.RED_CARD,
    ("card", "second yellow card"): EventKind.RED_CARD,  # a second yellow is a sending-off
}

# Bet ids of the markets BetScore knows (names as fallback when a bet comes without an id).
MATCH_WINNER, ASIAN_HANDICAP, GOALS_OVER_UNDER, BOTH_TEAMS_SCORE = 1, 4, 5, 8
BET_IDS_BY_NAME = {"match winner": 1, "asian handicap": 4, "goals over/under": 5, "both teams score": 8}


class ShapeError(ValueError):
    """A payload does not have the shape the client needs."""


# --- small readers ---------------------------------------------------------------------


def obj(value: Any, what: str) -> dict[str, Any]:
    """The value as a JSON object, or ShapeError naming it."""
    if not isinstance(value, dict):
        raise ShapeError(f"{what} is not an object")
    return value


def array(value: Any, what: str) -> list[Any]:
    """The value as a JSON array, or ShapeError naming it."""
    if not isinstance(value, list):
        raise ShapeError(f"{what} is not a list")
    return value


def sub(mapping: Mapping[str, Any], key: str) -> dict[str, Any]:
    """mapping[key] when it is an object, else {} (optional parts of a payload)."""
    value = mapping.get(key)
    return value if isinstance(value, dict) else {}


def items(mapping: Mapping[str, Any], key: str) -> list[Any]:
    """mapping[key] when it is a list, else []."""
    value = mapping.get(key)
    return value if isinstance(value, list) else []


def text(mapping: Mapping[str, Any], key: str) -> str:
    """mapping[key] when it is a string, else ''."""
    value = mapping.get(key)
    return value if isinstance(value, str) else ""


def opt_int(value: Any) -> int | None:
    """An integer, or None for null and anything else (bool is not a number here)."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def req_int(value: Any, what: str) -> int:
    """An integer, or ShapeError naming the field."""
    number = opt_int(value)
    if number is None:
        raise ShapeError(f"{what} is not an integer: {value!r}")
    return number


def opt_str(value: Any) -> str | None:
    """A non-empty string, or None."""
    return value if isinstance(value, str) and value != "" else None


def slug(text: str, sep: str = "_") -> str:
    """Lowercase ascii words joined by `sep`: 'Goals Over/Under' -> 'goals_over_under'."""
    return re.sub(r"[^a-z0-9]+", sep, text.lower()).strip(sep)


def bookmaker_key(name: str) -> str:
    """'William Hill' -> 'williamhill': spaces dropped, so keys match the ones other providers use."""
    return slug(re.sub(r"\s+", "", name))


def stat_key(name: str) -> str:
    """'Shots on Goal' -> 'shots_on_goal', 'Passes %' -> 'passes_pct'."""
    return slug(name.replace("%", " pct"))


def season_label(year: int) -> str:
    """2023 -> '2023-24', BetScore's season name."""
    return f"{year}-{(year + 1) % 100:02d}"


def competition_key(league_id: int) -> str:
    """The canonical key of one of the five leagues; other leagues keep a provider-scoped key."""
    return KEY_BY_LEAGUE.get(league_id, f"api-football:{league_id}")


def instant(value: Any) -> datetime | None:
    """An ISO-8601 string with offset as aware UTC; None when absent or unreadable."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    # Naive text would be ambiguous; API-Football's documented default timezone is UTC.
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def error_text(errors: Any) -> str:
    """The text of an `errors` member: an object ({"required": "..."}) or a list; '' when fine."""
    if not errors:
        return ""
    if isinstance(errors, dict):
        return "; ".join(f"{field}: {message}" for field, message in errors.items())
    if isinstance(errors, list):
        return "; ".join(error_text(item) if isinstance(item, dict) else str(item) for item in errors)
    return str(errors)


# --- fixtures --------------------------------------------------------------------------


def team_ref(value: Any, what: str) -> TeamRef:
    """A {id, name, logo} team as a TeamRef; a logo that is no image URL of API-Football's is left out."""
    team = obj(value, what)
    name = opt_str(team.get("name"))
    if name is None:
        raise ShapeError(f"{what} has no name")
    return TeamRef(
        external_id=str(req_int(team.get("id"), f"{what} id")), name=name, crest_url=image_url(team.get("logo"))
    )


def kickoff(fixture: Mapping[str, Any], fid: int) -> datetime:
    """fixture.timestamp (unix seconds, the real instant), else fixture.date (ISO with offset)."""
    ts = opt_int(fixture.get("timestamp"))
    if ts is not None:
        return datetime.fromtimestamp(ts, UTC)
    parsed = instant(fixture.get("date"))
    if parsed is None:
        raise ShapeError(f"fixture {fid} has no readable kickoff")
    return parsed


def _pair(value: Any) -> tuple[int | None, int | None]:
    """A {home, away} score pair; nulls (and a missing pair) stay None."""
    pair = value if isinstance(value, dict) else {}
    return opt_int(pair.get("home")), opt_int(pair.get("away"))


def _half_time(item: Mapping[str, Any], short: str) -> tuple[int | None, int | None]:
    """The half-time score, only once the first half is over."""
    if short not in PAST_FIRST_HALF:
        return None, None
    if short == "HT":
        # At the break the running score is the half-time score; score.halftime can lag behind it
        # (the live sample: goals 7-0 with seven first-half goal events, halftime 6-0).
        goals = _pair(item.get("goals"))
        if goals != (None, None):
            return goals
    score = sub(item, "score")
    return _pair(score.get("halftime"))


def fixture(item: Any, season_hint: int | None = None) -> FixtureRecord:
    """One element of a /fixtures (or /fixtures/headtohead) response."""
    item = obj(item, "fixture entry")
    fx = obj(item.get("fixture"), "fixture entry's 'fixture'")
    fid = req_int(fx.get("id"), "fixture id")
    teams = item.get("teams")
    if not isinstance(teams, dict):
        raise ShapeError(f"fixture {fid} has no teams")
    league = sub(item, "league")
    league_id = req_int(league.get("id"), f"fixture {fid} league id")
    year = opt_int(league.get("season")) or season_hint
    if year is None:
        raise ShapeError(f"fixture {fid} has no season")
    status_obj = sub(fx, "status")
    short = text(status_obj, "short")
    status = STATUS.get(short, MatchStatus.OTHER)  # an unknown code is data, never an exception
    home_score, away_score = _pair(item.get("goals"))
    ht_home, ht_away = _half_time(item, short)
    clocked = status in CLOCKED
    return FixtureRecord(
        external_id=str(fid),
        competition_key=competition_key(league_id),
        season=season_label(year),
        home=team_ref(teams.get("home"), f"fixture {fid} home team"),
        away=team_ref(teams.get("away"), f"fixture {fid} away team"),
        kickoff_at=kickoff(fx, fid),
        status=status,
        minute=opt_int(status_obj.get("elapsed")) if clocked else None,
        # Older payloads (the live sample) have no 'extra' key at all.
        added_time=opt_int(status_obj.get("extra")) if clocked else None,
        home_score=home_score,
        away_score=away_score,
        ht_home_score=ht_home,
        ht_away_score=ht_away,
        round=opt_str(league.get("round")),
    )


# --- competitions, standings, team statistics ------------------------------------------


def _current_season(seasons: list[Any], league_id: int) -> dict[str, Any]:
    """The season flagged current (else the latest listed)."""
    rows = [s for s in seasons if isinstance(s, dict)]
    if not rows:
        raise ShapeError(f"league {league_id} lists no seasons")
    return next((s for s in rows if s.get("current") is True), rows[-1])


def _day(value: Any, what: str) -> date:
    """A YYYY-MM-DD date, or ShapeError naming the field."""
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise ShapeError(f"{what} is not a date: {value!r}") from None


def competitions(items: list[Any]) -> list[CompetitionRecord]:
    """The five canonical leagues found in a /leagues response; other leagues are ignored."""
    out = []
    for item in items:
        entry = obj(item, "league entry")
        league = obj(entry.get("league"), "league entry's 'league'")
        league_id = opt_int(league.get("id"))
        if league_id not in KEY_BY_LEAGUE:
            continue
        season = _current_season(array(entry.get("seasons"), f"league {league_id} seasons"), league_id)
        country = sub(entry, "country")
        out.append(
            CompetitionRecord(
                key=KEY_BY_LEAGUE[league_id],
                external_id=str(league_id),
                name=opt_str(league.get("name")) or KEY_BY_LEAGUE[league_id],
                country=opt_str(country.get("name")) or "",
                season=season_label(req_int(season.get("year"), f"league {league_id} season year")),
                season_start=_day(season.get("start"), f"league {league_id} season start"),
                season_end=_day(season.get("end"), f"league {league_id} season end"),
                crest_url=image_url(league.get("logo")),
            )
        )
    return out


def standing(row: Any, key: str, season: str) -> StandingRecord:
    """One table row; API-Football's form is most recent FIRST, BetScore's most recent last."""
    row = obj(row, "standings row")
    team = team_ref(row.get("team"), "standings team")
    total = obj(row.get("all"), f"standings row of {team.name}: 'all'")
    goals = obj(total.get("goals"), f"standings row of {team.name}: goals")
    what = f"standings row of {team.name}"
    form = text(row, "form")
    return StandingRecord(
        competition_key=key,
        season=season,
        team=team,
        position=req_int(row.get("rank"), f"{what}: rank"),
        played=req_int(total.get("played"), f"{what}: played"),
        won=req_int(total.get("win"), f"{what}: win"),
        drawn=req_int(total.get("draw"), f"{what}: draw"),
        lost=req_int(total.get("lose"), f"{what}: lose"),
        goals_for=req_int(goals.get("for"), f"{what}: goals for"),
        goals_against=req_int(goals.get("against"), f"{what}: goals against"),
        points=req_int(row.get("points"), f"{what}: points"),
        form=form[::-1],
        group=opt_str(row.get("group")),
    )


def standings(items: list[Any], key: str, season_year: int) -> list[StandingRecord]:
    """response[0].league.standings is a list of groups (lists of rows): flattened, group kept."""
    if not items:
        return []  # no table yet (a season before its first match)
    league = obj(obj(items[0], "standings entry").get("league"), "standings entry's 'league'")
    season = season_label(opt_int(league.get("season")) or season_year)
    groups = array(league.get("standings"), "league.standings")
    return [standing(row, key, season) for group in groups for row in array(group, "standings group")]


def _total(section: Any, *path: str) -> int | None:
    """A nested count (fixtures.wins.total); None where the provider has nothing."""
    for name in path:
        section = section.get(name) if isinstance(section, dict) else None
    return opt_int(section)


def team_statistics(data: Any, key: str, season_year: int) -> TeamSeasonStatsRecord:
    """/teams/statistics: `response` is an OBJECT (and `results` counts its keys, not teams)."""
    data = obj(data, "team statistics")
    team = team_ref(data.get("team"), "team statistics team")
    fixtures, goals = data.get("fixtures"), data.get("goals")
    counts = {
        "played": _total(fixtures, "played", "total"),
        "won": _total(fixtures, "wins", "total"),
        "drawn": _total(fixtures, "draws", "total"),
        "lost": _total(fixtures, "loses", "total"),
        "goals for": _total(goals, "for", "total", "total"),
        "goals against": _total(goals, "against", "total", "total"),
    }
    missing = [name for name, value in counts.items() if value is None]
    if missing:
        raise ShapeError(f"team statistics of {team.name} lack {', '.join(missing)}")
    played, won, drawn, lost, goals_for, goals_against = (value or 0 for value in counts.values())
    league = sub(data, "league")
    form = data.get("form")  # oldest first here already, unlike the standings' form
    return TeamSeasonStatsRecord(
        competition_key=key,
        season=season_label(opt_int(league.get("season")) or season_year),
        team=team,
        played=played,
        won=won,
        drawn=drawn,
        lost=lost,
        goals_for=goals_for,
        goals_against=goals_against,
        form=form if isinstance(form, str) else "",
        clean_sheets=_total(data, "clean_sheet", "total"),
        failed_to_score=_total(data, "failed_to_score", "total"),
    )


# --- lineups, events, match statistics -------------------------------------------------


def _player(entry: Any, what: str) -> LineupPlayer:
    """One {"player": {...}} line-up entry."""
    player = obj(obj(entry, what).get("player"), f"{what}: player")
    name = opt_str(player.get("name"))
    if name is None:
        raise ShapeError(f"{what} has no name")
    pid = opt_int(player.get("id"))
    return LineupPlayer(
        name=name,
        external_id=None if pid is None else str(pid),
        number=opt_int(player.get("number")),
        position=opt_str(player.get("pos")),
        grid=opt_str(player.get("grid")),
    )


def lineup(item: Any, fixture_id: str) -> LineupRecord:
    """One team's /fixtures/lineups entry."""
    item = obj(item, "lineup entry")
    team = team_ref(item.get("team"), "lineup team")
    coach = sub(item, "coach")
    return LineupRecord(
        fixture_external_id=fixture_id,
        team=team,
        formation=opt_str(item.get("formation")),
        starting=tuple(_player(p, f"{team.name} starter") for p in array(item.get("startXI"), "startXI")),
        substitutes=tuple(
            _player(p, f"{team.name} substitute") for p in array(item.get("substitutes") or [], "substitutes")
        ),
        coach=opt_str(coach.get("name")),
    )


def event_kind(kind: str, detail: str) -> EventKind:
    """API-Football's (type, detail) as an EventKind; anything unrecognised is OTHER."""
    kind, detail = kind.strip().lower(), detail.strip().lower()
    if kind == "subst":
        return EventKind.SUBSTITUTION  # detail is "Substitution 1", "Substitution 2", ...
    if kind == "var":
        return EventKind.VAR
    return EVENT_KINDS.get((kind, detail), EventKind.OTHER)


def _name(value: Any) -> str | None:
    """The name of a {id, name} player, None when absent (assist {id: null, name: null})."""
    return opt_str(value.get("name")) if isinstance(value, dict) else None


def event(item: Any, fixture_id: str) -> MatchEventRecord:
    """One /fixtures/events entry; for substitutions `player` goes off and `assist` comes on."""
    item = obj(item, "event entry")
    time = sub(item, "time")
    kind, detail = item.get("type"), item.get("detail")
    return MatchEventRecord(
        fixture_external_id=fixture_id,
        team=team_ref(item.get("team"), "event team"),
        kind=event_kind(kind if isinstance(kind, str) else "", detail if isinstance(detail, str) else ""),
        minute=opt_int(time.get("elapsed")),
        extra_minute=opt_int(time.get("extra")),
        player=_name(item.get("player")),
        assist=_name(item.get("assist")),
        detail=opt_str(detail),
    )


def stat_value(value: Any) -> float | None:
    """7 -> 7.0, '35%' -> 35.0, '1.17' -> 1.17; null (and unreadable text) -> None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            number = float(value.strip().removesuffix("%"))
        except ValueError:
            return None
        return number if math.isfinite(number) else None
    return None


def match_stats(item: Any, fixture_id: str) -> MatchStatsRecord:
    """One team's /fixtures/statistics entry, keys snake_case."""
    item = obj(item, "statistics entry")
    team = team_ref(item.get("team"), "statistics team")
    stats: dict[str, float | None] = {}
    for entry in array(item.get("statistics"), f"statistics of {team.name}"):
        entry = obj(entry, f"a statistic of {team.name}")
        if isinstance(entry.get("type"), str) and stat_key(entry["type"]):
            stats[stat_key(entry["type"])] = stat_value(entry.get("value"))
    return MatchStatsRecord(fixture_external_id=fixture_id, team=team, stats=stats)


# --- odds ------------------------------------------------------------------------------


def price(odd: Any) -> float:
    """API-Football's `odd` is a STRING ('1.50'): a float above 1.0, or ShapeError."""
    if isinstance(odd, bool) or not isinstance(odd, str | int | float):
        raise ShapeError(f"price {odd!r} is not a number")
    try:
        value = float(odd)
    except ValueError:
        raise ShapeError(f"price {odd!r} is not a number") from None
    # A decimal price of 1.0 or less pays nothing back; BetScore's maths refuses it.
    if not math.isfinite(value) or value <= 1.0:
        raise ShapeError(f"price {odd!r} is not a decimal price above 1")
    return value


def _line(number: str) -> float:
    """A market line as a float."""
    return float(number) + 0.0  # + 0.0 turns -0.0 into 0.0, so a market key never reads 'ah:-0'


def market(bet_id: int | None, bet_name: str, value: str) -> tuple[str, str, float | None]:
    """(market, outcome, line) for one value of one bet; ShapeError when a known bet's value is odd."""
    label = value.strip()
    if bet_id == MATCH_WINNER and label.lower() in ("home", "draw", "away"):
        return "1x2", label.lower(), None
    if bet_id == BOTH_TEAMS_SCORE and label.lower() in ("yes", "no"):
        return "btts", label.lower(), None
    if bet_id == GOALS_OVER_UNDER:
        found = re.fullmatch(r"(over|under)\s*(\d+(?:\.\d+)?)", label, re.IGNORECASE)
        if found:
            return "ou", found[1].lower(), _line(found[2])
    if bet_id == ASIAN_HANDICAP:
        found = re.fullmatch(r"(home|away)\s*([+-]?\d+(?:\.\d+)?)", label, re.IGNORECASE)
        if found:
            side, line = found[1].lower(), _line(found[2])
            # "Away +1" is the same market as "Home -1": lines are stated from the home side's view.
            return "ah", side, line if side == "home" else -line + 0.0
    if bet_id in (MATCH_WINNER, BOTH_TEAMS_SCORE, GOALS_OVER_UNDER, ASIAN_HANDICAP):
        raise ShapeError(f"unexpected value {value!r}")
    market_slug = slug(bet_name)
    if not market_slug or not label:
        raise ShapeError(f"bet {bet_name!r} value {value!r} cannot be named")
    return market_slug, label, None  # any other bet is kept as data, without a line


def _bet_prices(
    bet: Any, fid: str, book: BookmakerRef, updated: datetime | None, problems: list[str]
) -> list[PriceRecord]:
    """Prices of one bet; unreadable values are skipped and named in `problems`."""
    if not isinstance(bet, dict):
        problems.append(f"fixture {fid} {book.key}: a bet is not an object")
        return []
    name = text(bet, "name")
    bet_id = opt_int(bet.get("id"))
    bet_id = bet_id if bet_id is not None else BET_IDS_BY_NAME.get(name.strip().lower())
    out = []
    for entry in items(bet, "values"):
        entry = entry if isinstance(entry, dict) else {}
        value = entry.get("value")
        try:
            kind, outcome, line = market(bet_id, name, str(value) if isinstance(value, str | int | float) else "")
            odd = price(entry.get("odd"))
        except ShapeError as exc:
            problems.append(f"fixture {fid} {book.key} {name!r} {value!r}: {exc}")
            continue
        out.append(PriceRecord(fid, book, kind, outcome, odd, line, updated))
    return out


def odds_entry(item: Any, problems: list[str]) -> list[PriceRecord]:
    """Prices of one /odds entry (one fixture, every bookmaker); the batch stands without bad parts."""
    item = item if isinstance(item, dict) else {}
    fx = sub(item, "fixture")
    fid = opt_int(fx.get("id"))
    if fid is None:
        problems.append("an odds entry has no fixture id")
        return []
    updated = instant(item.get("update"))
    out = []
    for book in items(item, "bookmakers"):
        name = book.get("name") if isinstance(book, dict) else None
        if not isinstance(name, str) or not bookmaker_key(name):
            problems.append(f"fixture {fid}: a bookmaker has no name")
            continue
        ref = BookmakerRef(key=bookmaker_key(name), name=name)
        for bet in items(book, "bets"):
            out.extend(_bet_prices(bet, str(fid), ref, updated, problems))
    return out
