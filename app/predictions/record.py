"""The model's record: its published predictions, scored against the closing market, and the backtest."""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from app.extensions import db
from app.football.models import Competition, Match, Team
from app.model import scoring
from app.predictions.models import Prediction

log = logging.getLogger(__name__)
OUTCOME_INDEX = {"H": 0, "D": 1, "A": 2}


@dataclass(frozen=True)
class Scored:
    """One frozen prediction of a finished match, with the closing market's view when it was captured."""

    match_id: int
    kickoff_at: datetime
    league_key: str
    league: str
    home: str
    away: str
    home_score: int
    away_score: int
    model_version: str
    model: tuple[float, float, float]
    market: tuple[float, float, float] | None
    outcome: int
    rps: float
    market_rps: float | None
    best: tuple[float, float, float] | None = None  # the best closing prices, where the bookmakers all had one


@dataclass(frozen=True)
class Line:
    """The record over some matches: the model on all of them, and model against market where both were scored."""

    label: str
    model: scoring.Scores
    versus: dict[str, float] | None  # scoring.compare() on the matches with a closing market
    value: scoring.Staking | None = None  # one unit on each 1X2 outcome with an edge at the best closing price


@dataclass(frozen=True)
class TrackRecord:
    lines: tuple[Line, ...]  # all matches first, then each league
    calibration: dict[str, dict[str, tuple[list[scoring.Bin], float]]]  # "model"/"market" -> outcome -> bins, ECE
    recent: tuple[Scored, ...]
    versions: tuple[str, ...]

    @property
    def scored(self) -> int:
        return self.lines[0].model.matches if self.lines else 0


def scored_predictions() -> list[Scored]:
    """Every scored prediction, newest match first."""
    home, away = aliased(Team), aliased(Team)
    rows = db.session.execute(
        select(Prediction, Match, Competition.key, Competition.name, home.name, away.name)
        .join(Match, Match.id == Prediction.match_id)
        .join(Competition, Competition.id == Match.competition_id)
        .join(home, home.id == Match.home_team_id)
        .join(away, away.id == Match.away_team_id)
        .where(Prediction.scored_at.is_not(None))
        .order_by(Match.kickoff_at.desc(), Match.id.desc())
    ).all()
    return [
        Scored(
            match.id,
            match.kickoff_at,
            key,
            league,
            home_name,
            away_name,
            match.home_score or 0,
            match.away_score or 0,
            p.model_version,
            p.probabilities,
            p.market,
            OUTCOME_INDEX[p.outcome or ""],
            p.rps or 0.0,
            p.market_rps,
            p.best,
        )
        for p, match, key, league, home_name, away_name in rows
    ]


def scored_version() -> str:
    """What identifies the record as it stands: how many predictions are scored and the newest score's time."""
    count, newest = db.session.execute(
        select(func.count(), func.max(Prediction.scored_at)).where(Prediction.scored_at.is_not(None))
    ).one()
    return f"{count}:{newest.isoformat() if newest else ''}"


def _line(label: str, scored: Sequence[Scored]) -> Line:
    outcomes = [s.outcome for s in scored]
    both = [s for s in scored if s.market is not None]
    versus = (
        scoring.compare(
            [s.model for s in both], [s.market for s in both if s.market is not None], [s.outcome for s in both]
        )
        if both
        else None
    )
    priced = [s for s in scored if s.best is not None]
    value = (
        scoring.level_stakes([s.model for s in priced], [s.best for s in priced], [s.outcome for s in priced])
        if priced
        else None
    )
    return Line(label, scoring.scores([s.model for s in scored], outcomes), versus, value)


def track_record(recent: int = 20) -> TrackRecord:
    """The record of what the model published: overall and per league, against the market, and its calibration."""
    scored = scored_predictions()
    if not scored:
        return TrackRecord((), {}, (), ())
    leagues = sorted({(s.league, s.league_key) for s in scored})
    lines = (
        _line("All leagues", scored),
        *(_line(name, [s for s in scored if s.league_key == key]) for name, key in leagues),
    )
    both = [s for s in scored if s.market is not None]
    calibration = {"model": scoring.calibration([s.model for s in scored], [s.outcome for s in scored])}
    if both:
        calibration["market"] = scoring.calibration(
            [s.market for s in both if s.market is not None], [s.outcome for s in both]
        )
    return TrackRecord(lines, calibration, tuple(scored[:recent]), tuple(sorted({s.model_version for s in scored})))


# --- the backtest --------------------------------------------------------------------------------

_loaded: dict[str, tuple[float, dict[str, Any] | None]] = {}  # path -> (mtime, report)


def _bins(raw: Any) -> tuple[list[scoring.Bin], float]:
    bins = [
        scoring.Bin(float(b["low"]), float(b["high"]), int(b["count"]), float(b["mean_forecast"]), float(b["observed"]))
        for b in raw["bins"]
    ]
    return bins, float(raw["ece"])


def _parse(text: str) -> dict[str, Any]:
    """The report `flask predictions backtest --json` writes; KeyError/TypeError/ValueError when it is not one."""
    body = json.loads(text)
    summary = [dict(row) for row in body["summary"]]
    for row in summary:
        for key, value in row.items():
            if key != "league" and not isinstance(value, int | float):
                raise ValueError(f"{key} is not a number")
    if not summary or not math.isfinite(float(summary[-1]["model_rps"])):
        raise ValueError("the summary has no overall line")
    calibration = {
        who: {label: _bins(outcomes[label]) for label in scoring.OUTCOMES}
        for who, outcomes in body["calibration"].items()
    }
    value_bets = [
        {
            "prices": str(v["prices"]),
            "min_edge": float(v["min_edge"]),
            "bets": int(v["bets"]),
            "matches": int(v["matches"]),
            "roi": float(v["roi"]),
            "se": float(v["se"]),
            "beyond_luck": scoring.beyond_luck(float(v["roi"]), float(v["se"])),
        }
        for v in body.get("value_bets", [])
    ]  # reports written before value bets were scored have none
    return {
        "generated_at": str(body["generated_at"]),
        "model_version": str(body["model_version"]),
        "model": dict(body["model"]),
        "seasons": [str(s) for s in body["seasons"]],
        "leagues": [str(lg) for lg in body["leagues"]],
        "summary": summary,
        "calibration": calibration,
        "value_bets": value_bets,
        "fits": int(body["fits"]),
        "fit_seconds": float(body["fit_seconds"]),
        "seconds": float(body["seconds"]),
        "skipped_rows": len(body["skipped_rows"]),
        "failed_fits": len(body["failed_fits"]),
    }


def backtest_report(path: str) -> dict[str, Any] | None:
    """The backtest the model page shows, read once per change of the file; None (and a log line) when the file
    is missing or is not a backtest report: the page says so instead of failing."""
    file = Path(path)
    try:
        mtime = file.stat().st_mtime
    except OSError:
        return None
    cached = _loaded.get(path)
    if cached is not None and cached[0] == mtime:
        return cached[1]
    try:
        report: dict[str, Any] | None = _parse(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        log.warning("the backtest report %s is unreadable: %s", path, exc)
        report = None
    _loaded[path] = (mtime, report)
    return report
