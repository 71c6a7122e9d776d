"""The football-data.co.uk reader: the shared 2012-13..2018-19 set, the published format's variants, odds
fallbacks and broken files. No Flask app involved."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from app.model.footballdata import (
    FootballDataError,
    MatchRow,
    Odds,
    read_dir,
    read_file,
    season_file,
    season_range,
    seasons_on_disk,
)

# ../shared beside the repository, as the Makefile's BACKTEST_DATA has it
SHARED = Path(os.environ.get("FOOTBALL_DATA_DIR") or Path(__file__).resolve().parents[3] / "shared/data/football-data")
LEAGUES = ["E0", "SP1", "I1", "D1", "F1"]
SEASONS = season_range("2012-13:2018-19")
needs_shared = pytest.mark.skipif(not (SHARED / "E0" / "2012-13.csv").is_file(), reason=f"no shared data at {SHARED}")

# The first three lines of E0/2018-19.csv, verbatim (the mirror's header: `>`/`<` rewritten to `_`).
SAMPLE = "".join(
    line + "\n"
    for line in (
        "Div,Date,HomeTeam,AwayTeam,FTHG,FTAG,FTR,HTHG,HTAG,HTR,Referee,HS,AS,HST,AST,HF,AF,HC,AC,HY,AY,HR,AR"
        ",B365H,B365D,B365A,BWH,BWD,BWA,IWH,IWD,IWA,PSH,PSD,PSA,WHH,WHD,WHA,VCH,VCD,VCA,Bb1X2,BbMxH,BbAvH"
        ",BbMxD,BbAvD,BbMxA,BbAvA,BbOU,BbMx_2_5,BbAv_2_5,BbMx_2_5_1,BbAv_2_5_1,BbAH,BbAHh,BbMxAHH,BbAvAHH"
        ",BbMxAHA,BbAvAHA,PSCH,PSCD,PSCA",
        "E0,10/08/2018,Man United,Leicester,2,1,H,1,0,H,A Marriner,8,13,6,4,11,8,2,5,2,1,0,0,1.57,3.9,7.5"
        ",1.53,4.0,7.5,1.55,3.8,7.0,1.58,3.93,7.5,1.57,3.8,6.0,1.57,4.0,7.0,39,1.6,1.56,4.2,3.92,8.05,7.06,38"
        ",2.12,2.03,1.85,1.79,17,-0.75,1.75,1.7,2.29,2.21,1.55,4.07,7.69",
        "E0,11/08/2018,Bournemouth,Cardiff,2,0,H,1,0,H,K Friend,12,10,4,1,11,9,7,4,1,1,0,0,1.9,3.6,4.5,1.9"
        ",3.4,4.4,1.9,3.5,4.1,1.89,3.63,4.58,1.91,3.5,4.0,1.87,3.6,4.75,39,1.93,1.88,3.71,3.53,4.75,4.37,38"
        ",2.05,1.98,1.92,1.83,20,-0.75,2.2,2.13,1.8,1.75,1.88,3.61,4.7",
        "E0,11/08/2018,Fulham,Crystal Palace,0,2,A,0,1,A,M Dean,15,10,6,9,9,11,5,5,1,2,0,0,2.5,3.4,3.0,2.45"
        ",3.3,2.95,2.4,3.3,2.95,2.5,3.46,3.0,2.45,3.3,2.8,2.5,3.4,3.0,39,2.6,2.47,3.49,3.35,3.05,2.92,38,2.0"
        ",1.95,1.96,1.87,22,-0.25,2.18,2.11,1.81,1.77,2.62,3.38,2.9",
    )
)

Row = dict[str, str]

EXPECTED = [
    MatchRow(
        "E0",
        dt.date(2018, 8, 10),
        None,
        "Man United",
        "Leicester",
        2,
        1,
        8,
        13,
        6,
        4,
        Odds(1.55, 4.07, 7.69, "pinnacle_closing"),
        Odds(1.6, 4.2, 8.05, "best"),
    ),
    MatchRow(
        "E0",
        dt.date(2018, 8, 11),
        None,
        "Bournemouth",
        "Cardiff",
        2,
        0,
        12,
        10,
        4,
        1,
        Odds(1.88, 3.61, 4.7, "pinnacle_closing"),
        Odds(1.93, 3.71, 4.75, "best"),
    ),
    MatchRow(
        "E0",
        dt.date(2018, 8, 11),
        None,
        "Fulham",
        "Crystal Palace",
        0,
        2,
        15,
        10,
        6,
        9,
        Odds(2.62, 3.38, 2.9, "pinnacle_closing"),
        Odds(2.6, 3.49, 3.05, "best"),
    ),
]


def sample() -> tuple[list[str], list[Row]]:
    reader = csv.DictReader(io.StringIO(SAMPLE))
    return list(reader.fieldnames or []), list(reader)


def write(
    path: Path,
    columns: Sequence[str],
    rows: Sequence[Row | Sequence[str]],
    *,
    encoding: str = "utf-8",
    newline: str = "\n",
    bom: bool = False,
    tail: str = "",
) -> Path:
    """A CSV as football-data would publish it: any encoding, line end, BOM, and raw text appended."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=newline)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(c, "") for c in columns] if isinstance(row, dict) else row)
    data = (out.getvalue() + tail.replace("\n", newline)).encode(encoding)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


def published(name: str) -> str:
    """The original football-data header for a mirror-rewritten one (`BbMx_2_5_1` -> `BbMx<2.5`)."""
    if name.endswith("_2_5_1"):
        return name.removesuffix("_2_5_1") + "<2.5"
    if name.endswith("_2_5"):
        return name.removesuffix("_2_5") + ">2.5"
    return name


def modern(rows: list[Row], *, pinnacle_closing: bool) -> tuple[list[str], list[Row]]:
    """The sample in the 2019-20-on layout: Time, Avg*/Max* instead of Bb*, closing prices, `>`/`<`."""
    columns = [
        "Div",
        "Date",
        "Time",
        "HomeTeam",
        "AwayTeam",
        "FTHG",
        "FTAG",
        "FTR",
        "HTHG",
        "HTAG",
        "HTR",
        "Referee",
        "HS",
        "AS",
        "HST",
        "AST",
        "B365H",
        "B365D",
        "B365A",
        "PSH",
        "PSD",
        "PSA",
        "MaxH",
        "MaxD",
        "MaxA",
        "AvgH",
        "AvgD",
        "AvgA",
        "B365>2.5",
        "B365<2.5",
        "Avg>2.5",
        "Avg<2.5",
        "AHh",
        "B365CH",
        "B365CD",
        "B365CA",
        *(["PSCH", "PSCD", "PSCA"] if pinnacle_closing else []),
        "MaxCH",
        "MaxCD",
        "MaxCA",
        "AvgCH",
        "AvgCD",
        "AvgCA",
        "Avg C>2.5",
    ]
    out = []
    for i, row in enumerate(rows):
        new = dict(row, Time=f"{12 + i * 2}:30")
        for side in "HDA":
            new[f"Avg{side}"], new[f"Max{side}"] = row[f"BbAv{side}"], row[f"BbMx{side}"]
            new[f"B365C{side}"] = new[f"MaxC{side}"] = row[f"B365{side}"]
            new[f"AvgC{side}"] = f"{float(row[f'PSC{side}']) - 0.05:.2f}"
        new["B365>2.5"] = new["Avg>2.5"] = row["BbAv_2_5"]
        new["B365<2.5"] = new["Avg<2.5"] = row["BbAv_2_5_1"]
        new["AHh"] = row["BbAHh"]
        out.append(new)
    return columns, out


# ---------------------------------------------------------------- the shared set


@needs_shared
@pytest.mark.parametrize("season", SEASONS)
@pytest.mark.parametrize("league", LEAGUES)
def test_every_shared_file(league: str, season: str) -> None:
    path = SHARED / league / f"{season}.csv"
    report = read_file(path, division=league)

    assert report.skipped == []
    assert report.unplayed == 0
    assert len(report.rows) == (306 if league == "D1" else 380)
    assert report.rows == sorted(report.rows, key=MatchRow.sort_key)
    teams = {row.home for row in report.rows}
    assert len(teams) == (18 if league == "D1" else 20)
    assert {row.away for row in report.rows} == teams
    start = int(season[:4])
    for row in report.rows:
        assert row.division == league
        assert dt.date(start, 7, 1) <= row.date <= dt.date(start + 1, 6, 30)
        assert row.kickoff is None  # no Time column before 2019-20
        assert row.odds is not None and row.odds_source is not None
        assert min(row.odds.home, row.odds.draw, row.odds.away) > 1.0
        assert row.best_odds is not None and row.best_odds.source == "best"
        assert row.file == path and row.line >= 2

    # Pinnacle closing wherever the file has a usable PSCH/PSCD/PSCA, with the file's values.
    with path.open(newline="") as f:
        raw = {i: cells for i, cells in enumerate(csv.DictReader(f), start=2)}
    assert "PSCH" in next(iter(raw.values()))
    for row in report.rows:
        cells = raw[row.line]
        assert (cells["HomeTeam"], cells["AwayTeam"]) == (row.home, row.away)
        if cells["PSCH"] and cells["PSCD"] and cells["PSCA"]:
            assert row.odds == Odds(
                float(cells["PSCH"]), float(cells["PSCD"]), float(cells["PSCA"]), "pinnacle_closing"
            )
        assert row.best_odds == Odds(float(cells["BbMxH"]), float(cells["BbMxD"]), float(cells["BbMxA"]), "best")


@needs_shared
def test_the_whole_shared_set() -> None:
    report = read_dir(SHARED, LEAGUES, SEASONS)

    assert len(report.rows) == 12782 and report.skipped == [] and len(report.files) == 35
    assert report.rows == sorted(report.rows, key=MatchRow.sort_key)
    # The four matches SOURCES.md lists without Pinnacle closing fall back, each to the next usable source.
    fallbacks = {
        (r.division, r.date.isoformat(), r.home, r.away): r.odds_source
        for r in report.rows
        if r.odds_source != "pinnacle_closing"
    }
    assert fallbacks == {
        ("I1", "2013-05-05", "Parma", "Atalanta"): "average",
        ("I1", "2013-05-08", "Torino", "Genoa"): "average",
        ("D1", "2019-05-04", "Bayern Munich", "Hannover"): "average",
        ("SP1", "2017-10-14", "Alaves", "Sociedad"): "pinnacle",
    }
    bastia = next(r for r in report.rows if (r.home, r.away, r.date) == ("Bastia", "Lyon", dt.date(2017, 4, 16)))
    assert (bastia.home_shots, bastia.away_shots, bastia.home_shots_on_target, bastia.away_shots_on_target) == (
        None,
        None,
        None,
        None,
    )


@needs_shared
def test_the_sample_is_verbatim() -> None:
    with (SHARED / "E0" / "2018-19.csv").open(newline="") as f:
        assert [f.readline() for _ in range(4)] == SAMPLE.splitlines(keepends=True)


@needs_shared
def test_a_known_row() -> None:
    report = read_file(SHARED / "E0" / "2018-19.csv")
    last = report.rows[-1]
    assert last == MatchRow(
        "E0",
        dt.date(2019, 5, 12),
        None,
        "Watford",
        "West Ham",
        1,
        4,
        17,
        16,
        8,
        9,
        Odds(2.11, 3.86, 3.41, "pinnacle_closing"),
        Odds(2.26, 3.9, 3.25, "best"),
    )
    assert last.line == 381 and last.result == "A"
    pinnacle_prematch = read_file(SHARED / "SP1" / "2017-18.csv")
    alaves = next(r for r in pinnacle_prematch.rows if r.home == "Alaves" and r.away == "Sociedad")
    assert alaves.odds is not None and alaves.odds.source == "pinnacle" and alaves.odds.home == 3.52


# ---------------------------------------------------------------- format variants


def test_the_sample_as_the_mirror_stores_it(tmp_path: Path) -> None:
    columns, rows = sample()
    report = read_file(write(tmp_path / "E0.csv", columns, rows))
    assert report.rows == EXPECTED and report.skipped == []
    assert [r.line for r in report.rows] == [2, 3, 4]


def test_published_headers_bom_and_crlf(tmp_path: Path) -> None:
    columns, rows = sample()
    headers = [published(c) for c in columns]
    assert "BbMx>2.5" in headers and "BbAv<2.5" in headers
    renamed = [{published(k): v for k, v in row.items()} for row in rows]
    path = write(tmp_path / "E0.csv", headers, renamed, bom=True, newline="\r\n")
    assert path.read_bytes().startswith(b"\xef\xbb\xbfDiv,") and b"\r\n" in path.read_bytes()

    report = read_file(path)
    assert report.rows == EXPECTED and report.skipped == []
    assert [r.line for r in report.rows] == [2, 3, 4]


def test_two_and_four_digit_years(tmp_path: Path) -> None:
    columns, rows = sample()
    rows[0]["Date"] = "10/08/18"
    rows[1]["Date"] = "11/8/2018"
    report = read_file(write(tmp_path / "E0.csv", columns, rows))
    assert report.rows == EXPECTED


def test_time_column_and_order(tmp_path: Path) -> None:
    columns, rows = sample()
    columns.insert(2, "Time")
    rows[0]["Time"], rows[1]["Time"], rows[2]["Time"] = "20:00", "15:00", "12:30"
    report = read_file(write(tmp_path / "E0.csv", columns, rows))
    # Same day: Fulham's 12:30 kick-off comes before Bournemouth's 15:00 although B < F.
    assert [(r.home, r.kickoff) for r in report.rows] == [
        ("Man United", dt.time(20, 0)),
        ("Fulham", dt.time(12, 30)),
        ("Bournemouth", dt.time(15, 0)),
    ]


@pytest.mark.parametrize("pinnacle_closing", [True, False])
def test_2019_20_layout(tmp_path: Path, pinnacle_closing: bool) -> None:
    columns, rows = modern(sample()[1], pinnacle_closing=pinnacle_closing)
    assert not any(c.startswith("Bb") for c in columns)
    report = read_file(write(tmp_path / "E0.csv", columns, rows, bom=True, newline="\r\n"))

    assert report.skipped == []
    assert [(r.home, r.kickoff) for r in report.rows] == [
        ("Man United", dt.time(12, 30)),
        ("Bournemouth", dt.time(14, 30)),
        ("Fulham", dt.time(16, 30)),
    ]
    odds = [r.odds for r in report.rows]
    if pinnacle_closing:
        assert odds == [e.odds for e in EXPECTED]
    else:  # Pinnacle pre-match comes before the market's closing average
        assert odds == [
            Odds(1.58, 3.93, 7.5, "pinnacle"),
            Odds(1.89, 3.63, 4.58, "pinnacle"),
            Odds(2.5, 3.46, 3.0, "pinnacle"),
        ]
        for row in rows:
            row["PSH"] = ""
        report = read_file(write(tmp_path / "E0.csv", columns, rows))
        assert [r.odds for r in report.rows] == [
            Odds(1.5, 4.02, 7.64, "average_closing"),
            Odds(1.83, 3.56, 4.65, "average_closing"),
            Odds(2.57, 3.33, 2.85, "average_closing"),
        ]
    assert [r.home_shots for r in report.rows] == [8, 12, 15]
    assert [r.best_odds for r in report.rows] == [e.best_odds for e in EXPECTED]  # from MaxH/MaxD/MaxA


def test_2019_20_layout_without_closing_prices_uses_averages(tmp_path: Path) -> None:
    columns, rows = modern(sample()[1], pinnacle_closing=False)
    for row in rows:
        row["AvgCH"] = row["AvgCD"] = row["AvgCA"] = ""
    rows[0]["PSH"] = ""
    report = read_file(write(tmp_path / "E0.csv", columns, rows))
    assert [r.odds for r in report.rows] == [
        Odds(1.56, 3.92, 7.06, "average"),
        Odds(1.89, 3.63, 4.58, "pinnacle"),
        Odds(2.5, 3.46, 3.0, "pinnacle"),
    ]


@pytest.mark.parametrize(
    ("encoding", "home", "away"),
    [
        ("latin-1", "Atlético", "Gazélec Ajaccio"),
        ("cp1252", "Atlético", "Borussia M\u2019gladbach"),  # the curly apostrophe is byte 0x92 in cp1252 only
        ("utf-8", "Atlético", "Gazélec Ajaccio"),
        ("utf-8-sig", "Atlético", "Nürnberg"),
    ],
)
def test_accented_team_names(tmp_path: Path, encoding: str, home: str, away: str) -> None:
    columns, rows = sample()
    rows[2]["HomeTeam"], rows[2]["AwayTeam"] = home, away
    path = write(tmp_path / "E0.csv", columns, rows, encoding=encoding)
    if encoding != "utf-8-sig":
        assert path.read_bytes().startswith(b"Div,")
    report = read_file(path)
    assert [(r.home, r.away) for r in report.rows if r.line == 4] == [(home, away)]
    assert report.skipped == []


def test_trailing_empty_columns_and_rows(tmp_path: Path) -> None:
    columns, rows = sample()
    padded = [[*(row[c] for c in columns), "", "", ""] for row in rows]
    tail = ",,,,,,,,,,\n" + "," * (len(columns) + 2) + "\n\n   \n"
    report = read_file(write(tmp_path / "E0.csv", [*columns, "", "", ""], padded, tail=tail, newline="\r\n"))
    assert report.rows == EXPECTED and report.skipped == [] and report.unplayed == 0


def test_older_goal_columns_and_a_missing_div_column(tmp_path: Path) -> None:
    path = write(
        tmp_path / "old.csv",
        ["Date", "HomeTeam", "AwayTeam", "HG", "AG", "Res"],
        [["19/08/95", "Aston Villa", "Man United", "3", "1", "H"]],
    )
    with pytest.raises(FootballDataError, match=r"old\.csv:1: no Div column"):
        read_file(path)
    report = read_file(path, division="E0")
    assert report.rows == [MatchRow("E0", dt.date(1995, 8, 19), None, "Aston Villa", "Man United", 3, 1)]
    assert report.rows[0].odds is None and report.rows[0].odds_source is None


# ---------------------------------------------------------------- odds fallbacks

ODDS_COLUMNS = [
    "Div",
    "Date",
    "HomeTeam",
    "AwayTeam",
    "FTHG",
    "FTAG",
    "AvgH",
    "AvgD",
    "AvgA",
    "PSH",
    "PSD",
    "PSA",
    "AvgCH",
    "AvgCD",
    "AvgCA",
    "PSCH",
    "PSCD",
    "PSCA",
    "BbAvH",
    "BbAvD",
    "BbAvA",
]
ALL_PRICES = {
    "PSCH": "2.1",
    "PSCD": "3.2",
    "PSCA": "3.9",
    "PSH": "2.2",
    "PSD": "3.3",
    "PSA": "3.8",
    "AvgCH": "2.0",
    "AvgCD": "3.1",
    "AvgCA": "3.7",
    "AvgH": "2.05",
    "AvgD": "3.15",
    "AvgA": "3.6",
    "BbAvH": "1.95",
    "BbAvD": "3.0",
    "BbAvA": "3.5",
}


def blank(*names: str) -> Callable[[Row], None]:
    def change(row: Row) -> None:
        for name in names:
            row[name] = ""

    return change


def set_(**values: str) -> Callable[[Row], None]:
    return lambda row: row.update(values)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (blank(), Odds(2.1, 3.2, 3.9, "pinnacle_closing")),
        (blank("PSCH"), Odds(2.2, 3.3, 3.8, "pinnacle")),
        (set_(PSCD="1.0"), Odds(2.2, 3.3, 3.8, "pinnacle")),
        (set_(PSCA="0", PSH="1", PSD="-"), Odds(2.0, 3.1, 3.7, "average_closing")),
        (set_(PSCH="0.95", PSA="nan", AvgCD="inf"), Odds(2.05, 3.15, 3.6, "average")),
        (set_(PSCH="abc", PSH="", AvgCH="", AvgA="1.00"), Odds(1.95, 3.0, 3.5, "average")),
        (blank(*ALL_PRICES), None),
        (set_(**dict.fromkeys(ALL_PRICES, "1")), None),
    ],
)
def test_odds_preference(tmp_path: Path, change: Callable[[Row], None], expected: Odds | None) -> None:
    row: Row = {
        "Div": "E0",
        "Date": "01/09/18",
        "HomeTeam": "A",
        "AwayTeam": "B",
        "FTHG": "1",
        "FTAG": "1",
        **ALL_PRICES,
    }
    change(row)
    report = read_file(write(tmp_path / "E0.csv", ODDS_COLUMNS, [row]))
    assert report.skipped == [] and len(report.rows) == 1  # a row without usable odds is still a result
    assert report.rows[0].odds == expected
    assert report.rows[0].odds_source == (expected.source if expected else None)


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        (
            {"MaxH": "2.3", "MaxD": "3.5", "MaxA": "4.1", "BbMxH": "2.2", "BbMxD": "3.4", "BbMxA": "4.0"},
            Odds(2.3, 3.5, 4.1, "best"),
        ),
        (
            {"MaxH": "2.3", "MaxD": "", "MaxA": "4.1", "BbMxH": "2.2", "BbMxD": "3.4", "BbMxA": "4.0"},
            Odds(2.2, 3.4, 4.0, "best"),
        ),
        ({"MaxH": "2.3", "MaxD": "1.0", "MaxA": "4.1", "BbMxH": "x", "BbMxD": "3.4", "BbMxA": "4.0"}, None),
        ({}, None),
    ],
)
def test_best_prices_are_read_apart_from_the_market_prices(
    tmp_path: Path,
    cells: Row,
    expected: Odds | None,
) -> None:
    row: Row = {
        "Div": "E0",
        "Date": "01/09/18",
        "HomeTeam": "A",
        "AwayTeam": "B",
        "FTHG": "1",
        "FTAG": "1",
        **ALL_PRICES,
        **cells,
    }
    columns = [*ODDS_COLUMNS, *cells]
    report = read_file(write(tmp_path / "E0.csv", columns, [row]))
    assert report.skipped == [] and report.rows[0].best_odds == expected
    assert report.rows[0].odds == Odds(2.1, 3.2, 3.9, "pinnacle_closing")  # the market's prices are not the best


def test_old_pinnacle_columns(tmp_path: Path) -> None:
    path = write(
        tmp_path / "E0.csv",
        ["Div", "Date", "HomeTeam", "AwayTeam", "FTHG", "FTAG", "PH", "PD", "PA", "BbAvH", "BbAvD", "BbAvA"],
        [
            ["E0", "01/09/12", "A", "B", "0", "0", "2.5", "3.3", "3.1", "2.4", "3.2", "3.0"],
            ["E0", "01/09/12", "C", "D", "0", "0", "2.5", "", "3.1", "2.4", "3.2", "3.0"],
        ],
    )
    assert [r.odds for r in read_file(path).rows] == [Odds(2.5, 3.3, 3.1, "pinnacle"), Odds(2.4, 3.2, 3.0, "average")]


# ---------------------------------------------------------------- broken files and rows


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf", b"\n\n", b"\r\n  \r\n"])
def test_empty_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "E0.csv"
    path.write_bytes(content)
    with pytest.raises(FootballDataError) as caught:
        read_file(path)
    assert str(caught.value) == f"{path}:1: empty file"
    assert (caught.value.file, caught.value.line) == (path, 1)


@pytest.mark.parametrize(
    ("content", "lacking"),
    [
        ("<!DOCTYPE html>\n<html><body>Not found</body></html>\n", "Date, HomeTeam, AwayTeam, FTHG or HG, FTAG or AG"),
        ("Div,Date,Home,Away,FTHG,FTAG\nE0,01/09/18,A,B,1,0\n", "HomeTeam, AwayTeam"),
        ("Div,Date,HomeTeam,AwayTeam,FTR\nE0,01/09/18,A,B,H\n", "FTHG or HG, FTAG or AG"),
        ("\nDiv,Date,HomeTeam,AwayTeam,FTHG,FTAG\n", "Date, HomeTeam"),
    ],
)
def test_not_a_results_file(tmp_path: Path, content: str, lacking: str) -> None:
    path = tmp_path / "E0.csv"
    path.write_text(content)
    with pytest.raises(FootballDataError, match="header lacks") as caught:
        read_file(path)
    assert str(caught.value).startswith(f"{path}:1: not a football-data results file")
    assert lacking in str(caught.value)


def test_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(FootballDataError, match=r"nope\.csv: cannot read") as caught:
        read_file(tmp_path / "nope.csv")
    assert caught.value.line is None
    with pytest.raises(FootballDataError, match="cannot read"):
        read_file(tmp_path)


def test_bad_rows_are_reported_with_their_lines_and_skipped(tmp_path: Path) -> None:
    columns, rows = sample()
    good = rows[0]
    bad = [
        dict(good, Date="31/02/2018"),
        dict(good, Date="2018-08-12"),
        dict(good, FTAG="x"),
        dict(good, FTHG="1.5"),
        dict(good, FTHG="-1"),
        dict(good, HomeTeam=""),
        dict(good, AwayTeam="  "),
        dict(good, FTR="D"),
        dict(good, HST="six"),
        dict(good, AwayTeam="Man United"),
        dict(good, Div="E1"),
        dict(good, FTHG=""),
        dict(good),
    ]
    path = write(tmp_path / "E0.csv", columns, [rows[1], *bad, rows[2]], newline="\r\n")

    report = read_file(path, division="E0")
    # The last row is a clean copy of Man United - Leicester: kept, not a duplicate of the rejected ones.
    assert report.rows == EXPECTED and report.rows[0].line == 15
    assert [(p.line, p.reason) for p in report.skipped] == [
        (3, "impossible date '31/02/2018'"),
        (4, "unparseable date '2018-08-12' (want dd/mm/yy or dd/mm/yyyy)"),
        (5, "away goals 'x' is not a non-negative integer"),
        (6, "home goals '1.5' is not a non-negative integer"),
        (7, "home goals '-1' is not a non-negative integer"),
        (8, "missing home team"),
        (9, "missing away team"),
        (10, "FTR 'D' disagrees with the score 2-1"),
        (11, "HST 'six' is not a non-negative integer"),
        (12, "'Man United' plays itself"),
        (13, "Div 'E1', expected 'E0'"),
        (14, "home goals '' is not a non-negative integer"),
    ]
    assert all(p.file == path and str(p) == f"{path}:{p.line}: {p.reason}" for p in report.skipped)


def test_duplicates_and_unplayed(tmp_path: Path) -> None:
    columns, rows = sample()
    fixture = dict(rows[0], Date="18/08/2018", FTHG="", FTAG="", FTR="", HTHG="", HTAG="", HTR="")
    path = write(tmp_path / "E0.csv", columns, [*rows, dict(rows[1]), fixture])
    report = read_file(path)
    assert report.rows == EXPECTED
    assert [(p.line, p.reason) for p in report.skipped] == [(5, "duplicate of line 3")]
    assert report.unplayed == 1  # not played yet: counted, not reported


def test_truncated_and_overlong_rows(tmp_path: Path) -> None:
    columns, _ = sample()
    lines = SAMPLE.splitlines()
    path = tmp_path / "E0.csv"
    path.write_text("\n".join([lines[0], lines[1][:120], lines[2] + ",1.5,2", lines[3]]) + "\n")
    report = read_file(path)
    assert report.rows == EXPECTED[2:]
    assert [(p.line, p.reason) for p in report.skipped] == [
        (2, f"truncated row: 32 fields, the header has {len(columns)}"),
        (3, f"{len(columns) + 2} fields, more than the header's {len(columns)}"),
    ]
    # A file cut off in the middle of its last line.
    path.write_text(SAMPLE[:-200])
    report = read_file(path)
    assert report.rows == EXPECTED[:2] and [p.line for p in report.skipped] == [4]


def test_line_numbers_count_physical_lines(tmp_path: Path) -> None:
    columns, rows = sample()
    rows[0]["Referee"] = "two\nlines"  # a quoted cell spanning lines
    path = write(tmp_path / "E0.csv", columns, [rows[0], dict(rows[1], FTHG="?"), rows[2]], tail=",,,\n")
    report = read_file(path)
    assert [r.line for r in report.rows] == [2, 5]
    assert [p.line for p in report.skipped] == [4]


# ---------------------------------------------------------------- seasons and directories


def test_season_range() -> None:
    assert season_range("2014-15:2018-19") == ["2014-15", "2015-16", "2016-17", "2017-18", "2018-19"]
    assert season_range("2014-15") == ["2014-15"]
    assert season_range(" 1998-99 : 2000-01 ") == ["1998-99", "1999-00", "2000-01"]
    for bad in ["2018-19:2014-15", "2014-16", "14-15", "2014/15", "2014-15:", ""]:
        with pytest.raises(ValueError):
            season_range(bad)


def test_read_dir_layouts_and_checks(tmp_path: Path) -> None:
    columns, rows = sample()
    (tmp_path / "E0").mkdir()
    write(tmp_path / "E0" / "2018-19.csv", columns, rows)
    second = [dict(r, Date=r["Date"].replace("2018", "2019")) for r in rows]
    second[2]["Date"] = "01/11/2020"  # outside 2019-20
    write(tmp_path / "E0" / "1920.csv", columns, second)  # football-data's own short name

    report = read_dir(tmp_path, ["E0"], ["2018-19", "2019-20"])
    assert len(report.rows) == 5 and report.files == [tmp_path / "E0" / "2018-19.csv", tmp_path / "E0" / "1920.csv"]
    assert [str(p) for p in report.skipped] == [
        f"{tmp_path / 'E0' / '1920.csv'}:4: date 2020-11-01 outside season 2019-20"
    ]
    assert report.rows == sorted(report.rows, key=MatchRow.sort_key)

    write(tmp_path / "E0" / "2019-20.csv", columns, second)
    with pytest.raises(FootballDataError, match=r"both 2019-20\.csv and 1920\.csv exist"):
        season_file(tmp_path, "E0", "2019-20")


def test_seasons_on_disk_in_either_naming_up_to_the_last(tmp_path: Path) -> None:
    columns, rows = sample()
    for league, name in (
        ("E0", "2016-17.csv"),
        ("E0", "1718.csv"),
        ("SP1", "2015-16.csv"),
        ("SP1", "2019-20.csv"),
        ("E0", "notes.csv"),
        ("E0", "2018-2019.csv"),
    ):
        (tmp_path / league).mkdir(exist_ok=True)
        write(tmp_path / league / name, columns, rows)
    assert seasons_on_disk(tmp_path, ["E0", "SP1"], "2018-19") == ["2015-16", "2016-17", "2017-18"]
    assert seasons_on_disk(tmp_path, ["E0"], "2016-17") == ["2016-17"]
    assert seasons_on_disk(tmp_path, ["D1"], "2018-19") == []


def test_read_dir_missing_season_file(tmp_path: Path) -> None:
    columns, rows = sample()
    (tmp_path / "E0").mkdir()
    write(tmp_path / "E0" / "2018-19.csv", columns, rows)
    missing = tmp_path / "E0" / "2017-18.csv"
    with pytest.raises(FootballDataError) as caught:
        read_dir(tmp_path, ["E0"], ["2017-18", "2018-19"])
    assert str(caught.value) == f"{missing}: missing season file (nor 1718.csv either)"
    with pytest.raises(FootballDataError, match=r"SP1[/\\]2018-19\.csv"):
        read_dir(tmp_path, ["E0", "SP1"], ["2018-19"])


def test_read_dir_checks_the_division(tmp_path: Path) -> None:
    columns, rows = sample()
    (tmp_path / "E1").mkdir()
    write(tmp_path / "E1" / "2018-19.csv", columns, rows)  # an E0 file in the E1 folder
    report = read_dir(tmp_path, ["E1"], ["2018-19"])
    assert report.rows == [] and [p.reason for p in report.skipped] == ["Div 'E0', expected 'E1'"] * 3
