"""Read football-data.co.uk results CSVs into typed match rows for the model's backtest.

Pure Python (no Flask, no pandas). One file is one league and season, as football-data.co.uk publishes
it (`mmz4281/1415/E0.csv`) or as the shared developer set stores it (`<DIV>/2014-15.csv`).

What is accepted:

* UTF-8 with or without a byte-order mark; when the bytes are not UTF-8 the whole file is decoded as
  cp1252, and as latin-1 when cp1252 cannot (older files carry latin-1 accents).
* LF or CRLF line ends; trailing empty columns (in the header or in rows) and rows of nothing but commas.
* Any column set: columns are picked by name, so the original over/under headers (`B365>2.5`,
  `Avg<2.5`) and the mirror's rewritten ones (`BbMx_2_5`, `BbAv_2_5_1`) are both fine (neither is read).
* Goals as `FTHG`/`FTAG` or, in older files, `HG`/`AG`; integers printed as `2` or `2.0`.
* Dates `dd/mm/yy` and `dd/mm/yyyy`; an optional `Time` column (`HH:MM`, UK time, 2019-20 on).

What a row becomes, and when it is left out:

* Full-time result, optional shots (`HS`, `AS`) and shots on target (`HST`, `AST`; empty cell -> None),
  and one 1X2 price triple chosen per row by `ODDS_PREFERENCE`: Pinnacle closing, Pinnacle
  pre-match, market-average closing, market-average pre-match. A triple counts only if all three
  prices parse as finite numbers above 1.0; otherwise the next source is tried. No usable triple:
  `odds` is None (the row is still read). Likewise `best_odds`: the best pre-match price of each outcome
  (`MaxH/MaxD/MaxA`, or `BbMxH/BbMxD/BbMxA` before 2019-20), for scoring value bets at prices a bettor could get.
* A row that is wrong (too few or too many fields, missing team or division, unparseable date or time,
  goals that are not non-negative integers, a present but non-integer shot count, `FTR` that disagrees
  with the goals, home == away, a duplicate of an earlier row, a `Div` other than the expected one, or
  -- in `read_dir` -- a date outside its season) is left out and listed in `Report.skipped` with its
  1-based physical line number.
* A row whose both goal cells are empty is a fixture not played yet: it is left out *silently* and only
  counted in `Report.unplayed` (one empty goal cell out of two is an error, reported).
* Rows of empty cells are ignored.

A file that cannot be such a file at all (unreadable, empty, no header with `Date`, `HomeTeam`,
`AwayTeam` and goals columns, no division) raises `FootballDataError` naming the file and the line.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

OddsSource = Literal["pinnacle_closing", "pinnacle", "average_closing", "average", "best"]

# Preference order; within a source, alternative column triples are tried in order.
ODDS_PREFERENCE: tuple[tuple[OddsSource, tuple[tuple[str, str, str], ...]], ...] = (
    ("pinnacle_closing", (("PSCH", "PSCD", "PSCA"),)),
    ("pinnacle", (("PSH", "PSD", "PSA"), ("PH", "PD", "PA"))),
    ("average_closing", (("AvgCH", "AvgCD", "AvgCA"),)),
    ("average", (("AvgH", "AvgD", "AvgA"), ("BbAvH", "BbAvD", "BbAvA"))),
)

# The best price among the bookmakers football-data.co.uk followed, when it collected them before the match.
BEST_PREFERENCE: tuple[tuple[OddsSource, tuple[tuple[str, str, str], ...]], ...] = (
    ("best", (("MaxH", "MaxD", "MaxA"), ("BbMxH", "BbMxD", "BbMxA"))),
)

HOME_GOALS_COLUMNS = ("FTHG", "HG")
AWAY_GOALS_COLUMNS = ("FTAG", "AG")

_BOM = b"\xef\xbb\xbf"
_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})")
_TIME = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?")
_SEASON = re.compile(r"(\d{4})-(\d{2})")
_SEASON_NAME = re.compile(r"^(?:(\d{4})-(\d{2})|(\d{2})(\d{2}))$")  # a season file's stem: 2014-15 or 1415
_MIDNIGHT = dt.time(0, 0)


class FootballDataError(Exception):
    """A file that cannot be read as a football-data results file (or a season file that is missing)."""

    def __init__(self, file: str | os.PathLike[str], line: int | None, reason: str) -> None:
        self.file = Path(file)
        self.line = line
        self.reason = reason
        where = f"{self.file}:{line}" if line is not None else str(self.file)
        super().__init__(f"{where}: {reason}")


@dataclass(frozen=True)
class Problem:
    """A row left out of a report: where it is (1-based physical line) and why."""

    file: Path
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}"


@dataclass(frozen=True)
class Odds:
    """Decimal 1X2 prices, all > 1.0, and which market they come from."""

    home: float
    draw: float
    away: float
    source: OddsSource


@dataclass(frozen=True)
class MatchRow:
    """One played match. `file` and `line` say where it was read and take no part in equality."""

    division: str
    date: dt.date
    kickoff: dt.time | None
    home: str
    away: str
    home_goals: int
    away_goals: int
    home_shots: int | None = None
    away_shots: int | None = None
    home_shots_on_target: int | None = None
    away_shots_on_target: int | None = None
    odds: Odds | None = None
    best_odds: Odds | None = None  # the best pre-match price of each outcome (source "best")
    file: Path | None = field(default=None, compare=False, repr=False)
    line: int = field(default=0, compare=False, repr=False)

    @property
    def odds_source(self) -> OddsSource | None:
        return self.odds.source if self.odds is not None else None

    @property
    def result(self) -> Literal["H", "D", "A"]:
        if self.home_goals > self.away_goals:
            return "H"
        return "D" if self.home_goals == self.away_goals else "A"

    def sort_key(self) -> tuple[dt.date, dt.time, str, str]:
        return (self.date, self.kickoff or _MIDNIGHT, self.division, self.home)


@dataclass(frozen=True)
class Report:
    """Rows sorted by (date, kickoff or 00:00, division, home); problems in file and line order."""

    rows: list[MatchRow]
    skipped: list[Problem]
    unplayed: int = 0
    files: list[Path] = field(default_factory=list)


class _BadRow(Exception):
    pass


# ---------------------------------------------------------------- cells


def _parse_date(text: str) -> dt.date:
    m = _DATE.fullmatch(text)
    if m is None:
        raise _BadRow(f"unparseable date {text!r} (want dd/mm/yy or dd/mm/yyyy)")
    day, month, year_text = int(m[1]), int(m[2]), m[3]
    year = int(year_text)
    if len(year_text) == 2:  # the same pivot as strptime's %y: 69-99 -> 19xx, 00-68 -> 20xx
        year += 1900 if year >= 69 else 2000
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise _BadRow(f"impossible date {text!r}") from None


def _parse_time(text: str) -> dt.time | None:
    if not text:
        return None
    m = _TIME.fullmatch(text)
    try:
        if m is None:
            raise ValueError
        return dt.time(int(m[1]), int(m[2]), int(m[3] or 0))
    except ValueError:
        raise _BadRow(f"unparseable time {text!r} (want HH:MM)") from None


def _parse_count(text: str, what: str) -> int:
    """A non-negative integer, printed as `2` or (pandas) `2.0`."""
    try:
        return _count(text)
    except ValueError:
        raise _BadRow(f"{what} {text!r} is not a non-negative integer") from None


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        number = float(text)
        if not number.is_integer():  # also rejects nan and inf
            raise
        value = int(number)
    if value < 0:
        raise ValueError(text)
    return value


def _price(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) and value > 1.0 else None


# ---------------------------------------------------------------- files


def _decode(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as e:
        raise FootballDataError(path, None, f"cannot read: {e.strerror or e}") from e
    data = data.removeprefix(_BOM)
    for encoding in ("utf-8", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")  # never fails


class _Columns:
    """The header: name -> position (first occurrence wins; empty names are trailing padding)."""

    def __init__(self, path: Path, header: list[str]) -> None:
        self.index: dict[str, int] = {}
        for i, raw in enumerate(header):
            name = raw.strip()
            if name and name not in self.index:
                self.index[name] = i
        self.width = max(self.index.values(), default=-1) + 1  # up to the last named column
        missing = [
            " or ".join(alternatives)
            for alternatives in (("Date",), ("HomeTeam",), ("AwayTeam",), HOME_GOALS_COLUMNS, AWAY_GOALS_COLUMNS)
            if not any(name in self.index for name in alternatives)
        ]
        if missing:
            raise FootballDataError(path, 1, "not a football-data results file: header lacks " + ", ".join(missing))
        self.home_goals = next(self.index[n] for n in HOME_GOALS_COLUMNS if n in self.index)
        self.away_goals = next(self.index[n] for n in AWAY_GOALS_COLUMNS if n in self.index)
        self.odds = self._triples(ODDS_PREFERENCE)
        self.best = self._triples(BEST_PREFERENCE)

    def _triples(
        self,
        preference: Sequence[tuple[OddsSource, tuple[tuple[str, str, str], ...]]],
    ) -> list[tuple[OddsSource, tuple[int, int, int]]]:
        """The price columns of this header, in order of preference."""
        return [
            (source, (self.index[h], self.index[d], self.index[a]))
            for source, triples in preference
            for h, d, a in triples
            if h in self.index and d in self.index and a in self.index
        ]

    def get(self, cells: list[str], name: str) -> str:
        i = self.index.get(name)
        return cells[i].strip() if i is not None else ""


def _odds(triples: list[tuple[OddsSource, tuple[int, int, int]]], cells: list[str]) -> Odds | None:
    for source, (h, d, a) in triples:
        home, draw, away = _price(cells[h]), _price(cells[d]), _price(cells[a])
        if home is not None and draw is not None and away is not None:
            return Odds(home, draw, away, source)
    return None


def _optional_count(columns: _Columns, cells: list[str], name: str) -> int | None:
    text = columns.get(cells, name)
    return _parse_count(text, name) if text else None


def _row(columns: _Columns, cells: list[str], division: str | None, path: Path, line: int) -> MatchRow | None:
    """A match, None for a fixture not played yet; raises _BadRow for anything wrong."""
    if len(cells) < columns.width:
        raise _BadRow(f"truncated row: {len(cells)} fields, the header has {columns.width}")
    if any(cell.strip() for cell in cells[columns.width :]):
        raise _BadRow(f"{len(cells)} fields, more than the header's {columns.width}")
    div = columns.get(cells, "Div")
    if division is not None:
        if div and div != division:
            raise _BadRow(f"Div {div!r}, expected {division!r}")
        div = division
    elif not div:
        raise _BadRow("missing Div")
    home, away = columns.get(cells, "HomeTeam"), columns.get(cells, "AwayTeam")
    if not home or not away:
        raise _BadRow("missing " + ("home" if not home else "away") + " team")
    if home == away:
        raise _BadRow(f"{home!r} plays itself")
    day = _parse_date(columns.get(cells, "Date"))
    kickoff = _parse_time(columns.get(cells, "Time"))
    hg_text, ag_text = cells[columns.home_goals].strip(), cells[columns.away_goals].strip()
    if not hg_text and not ag_text:
        return None
    home_goals = _parse_count(hg_text, "home goals")
    away_goals = _parse_count(ag_text, "away goals")
    match = MatchRow(
        division=div,
        date=day,
        kickoff=kickoff,
        home=home,
        away=away,
        home_goals=home_goals,
        away_goals=away_goals,
        home_shots=_optional_count(columns, cells, "HS"),
        away_shots=_optional_count(columns, cells, "AS"),
        home_shots_on_target=_optional_count(columns, cells, "HST"),
        away_shots_on_target=_optional_count(columns, cells, "AST"),
        odds=_odds(columns.odds, cells),
        best_odds=_odds(columns.best, cells),
        file=path,
        line=line,
    )
    ftr = columns.get(cells, "FTR")
    if ftr and ftr != match.result:
        raise _BadRow(f"FTR {ftr!r} disagrees with the score {home_goals}-{away_goals}")
    return match


def read_file(path: str | os.PathLike[str], division: str | None = None) -> Report:
    """Every played match in one football-data CSV.

    `division` is the expected league code: it fills in a missing or empty `Div`, and a row whose `Div`
    differs is reported and skipped. Without it every row must carry its own `Div`.
    """
    path = Path(path)
    text = _decode(path)
    if not text.strip():
        raise FootballDataError(path, 1, "empty file")
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[MatchRow] = []
    skipped: list[Problem] = []
    unplayed = 0
    seen: dict[tuple[str, dt.date, str, str], int] = {}
    try:
        columns = _Columns(path, next(reader))
        if division is None and "Div" not in columns.index:
            raise FootballDataError(path, 1, "no Div column: pass the division")
        end = reader.line_num
        for cells in reader:
            line, end = end + 1, reader.line_num  # first physical line of this record
            if not any(cell.strip() for cell in cells):
                continue
            try:
                match = _row(columns, cells, division, path, line)
                if match is None:
                    unplayed += 1
                    continue
                key = (match.division, match.date, match.home, match.away)
                if key in seen:
                    raise _BadRow(f"duplicate of line {seen[key]}")
                seen[key] = line
                rows.append(match)
            except _BadRow as e:
                skipped.append(Problem(path, line, str(e)))
    except csv.Error as e:
        raise FootballDataError(path, reader.line_num, f"not readable as CSV: {e}") from e
    rows.sort(key=MatchRow.sort_key)
    return Report(rows=rows, skipped=skipped, unplayed=unplayed, files=[path])


# ---------------------------------------------------------------- seasons and directories


def _season_start(season: str) -> int:
    m = _SEASON.fullmatch(season)
    if m is None or (int(m[1]) + 1) % 100 != int(m[2]):
        raise ValueError(f"season {season!r}: want 'yyyy-yy' with consecutive years, e.g. '2014-15'")
    return int(m[1])


def season_range(spec: str) -> list[str]:
    """'2014-15:2018-19' -> ['2014-15', ..., '2018-19'] (both ends included); '2014-15' -> ['2014-15']."""
    first, sep, last = spec.partition(":")
    start = _season_start(first.strip())
    stop = _season_start(last.strip()) if sep else start
    if stop < start:
        raise ValueError(f"season range {spec!r} runs backwards")
    return [f"{year}-{(year + 1) % 100:02d}" for year in range(start, stop + 1)]


def season_file(root: str | os.PathLike[str], division: str, season: str) -> Path:
    """`<root>/<DIV>/2014-15.csv`, or football-data's own short name `<root>/<DIV>/1415.csv`."""
    start = _season_start(season)
    folder = Path(root) / division
    long, short = folder / f"{season}.csv", folder / f"{start % 100:02d}{(start + 1) % 100:02d}.csv"
    if long.is_file() and short.is_file():
        raise FootballDataError(long, None, f"both {long.name} and {short.name} exist: keep one")
    if short.is_file():
        return short
    if not long.is_file():
        raise FootballDataError(long, None, f"missing season file (nor {short.name} either)")
    return long


def seasons_on_disk(root: str | os.PathLike[str], leagues: Sequence[str], last: str) -> list[str]:
    """Every season with a file under `root` for any of these leagues, up to `last`: history for first fits."""
    found = set()
    for league in leagues:
        for path in (Path(root) / league).glob("*.csv"):
            m = _SEASON_NAME.match(path.stem)
            if m:
                start = int(m[1]) if m[1] else 2000 + int(m[3])
                found.add(f"{start}-{(start + 1) % 100:02d}")
    return sorted(s for s in found if s <= last)


def merge(reports: Iterable[Report]) -> Report:
    """One report from several, rows re-sorted."""
    rows: list[MatchRow] = []
    skipped: list[Problem] = []
    files: list[Path] = []
    unplayed = 0
    for report in reports:
        rows.extend(report.rows)
        skipped.extend(report.skipped)
        files.extend(report.files)
        unplayed += report.unplayed
    rows.sort(key=MatchRow.sort_key)
    return Report(rows=rows, skipped=skipped, unplayed=unplayed, files=files)


def read_dir(root: str | os.PathLike[str], leagues: Sequence[str], seasons: Sequence[str]) -> Report:
    """Every league x season file under `root` (see `season_file`), all missing files an error.

    Files are checked to exist before any is read. Each row's `Div` must match its folder, and its date
    must fall in its season (1 June of the first year to 30 September of the second, wide enough for
    play-offs and the 2019-20 season that ran into August); other rows are reported and skipped.
    """
    paths = [(league, season, season_file(root, league, season)) for league in leagues for season in seasons]
    reports = []
    for league, season, path in paths:
        report = read_file(path, division=league)
        start = _season_start(season)
        first, last = dt.date(start, 6, 1), dt.date(start + 1, 9, 30)
        outside = [row for row in report.rows if not first <= row.date <= last]
        if outside:
            problems = [
                Problem(path, row.line, f"date {row.date.isoformat()} outside season {season}") for row in outside
            ]
            report = Report(
                rows=[row for row in report.rows if first <= row.date <= last],
                skipped=sorted([*report.skipped, *problems], key=lambda p: p.line),
                unplayed=report.unplayed,
                files=report.files,
            )
        reports.append(report)
    return merge(reports)
