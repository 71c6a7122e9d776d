"""The hourly refit: per league, fit the blend on what the database holds and publish upcoming forecasts.
Every few minutes: freeze the predictions of matches that kicked off, score the finished ones."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select

from app import clock
from app.extensions import db
from app.football.models import Competition, Match, Team
from app.jobs.job import job
from app.live import topics
from app.model import blend, explain, implied, markets
from app.model import dixon_coles as dc
from app.model.backtest import CHOSEN, VERSION
from app.odds.models import ClosingPrice, Market
from app.predictions import services

HISTORY = timedelta(days=3 * 365)
HORIZON = timedelta(days=7)
MIN_MATCHES = 20  # fewer finished matches than this and a league is not predicted


@dataclass(frozen=True)
class Past:
    """A finished match as the model sees it (teams by id, as text)."""

    day: date
    home: str
    away: str
    home_goals: int
    away_goals: int
    implied: tuple[float, float] | None
    shots_on_target: tuple[int, int] | None = None


def _closing_1x2(match_ids: list[int]) -> dict[int, tuple[float, float, float]]:
    """Each match's average closing 1X2 price per outcome, over the bookmakers that had all three."""
    rows = db.session.execute(
        select(ClosingPrice.match_id, ClosingPrice.outcome, func.avg(ClosingPrice.price))
        .join(Market, Market.id == ClosingPrice.market_id)
        .where(Market.key == "1x2", ClosingPrice.match_id.in_(match_ids))
        .group_by(ClosingPrice.match_id, ClosingPrice.outcome)
    ).all()
    prices: dict[int, dict[str, float]] = defaultdict(dict)
    for match_id, outcome, price in rows:
        prices[match_id][outcome] = float(price)
    return {m: (p["home"], p["draw"], p["away"]) for m, p in prices.items() if {"home", "draw", "away"} <= p.keys()}


def _history(competition_id: int, now_day: date) -> list[Past]:
    matches = db.session.scalars(
        select(Match)
        .where(
            Match.competition_id == competition_id,
            Match.status == "finished",
            Match.home_score.is_not(None),
            Match.kickoff_at >= clock.now() - HISTORY,
        )
        .order_by(Match.kickoff_at)
    ).all()
    played = [m for m in matches if m.kickoff_at.date() < now_day]
    closing = _closing_1x2([m.id for m in played])
    rates = dict(zip(closing, implied.from_prices(list(closing.values())), strict=True))
    return [
        Past(
            m.kickoff_at.date(),
            str(m.home_team_id),
            str(m.away_team_id),
            m.home_score or 0,
            m.away_score or 0,
            rates.get(m.id),
        )
        for m in played
    ]


def _form(history: list[Past], team: str) -> str:
    results = []
    for p in reversed(history):
        if team in (p.home, p.away):
            mine, theirs = (p.home_goals, p.away_goals) if p.home == team else (p.away_goals, p.home_goals)
            results.append("W" if mine > theirs else "D" if mine == theirs else "L")
            if len(results) == 5:
                break
    return "".join(results)


def _market_dict(priced: markets.Markets) -> dict[str, Any]:
    return {
        "over": {f"{line:g}": round(p, 4) for line, p in priced.over.items()},
        "btts": round(priced.btts, 4),
        "handicaps": [
            {"line": h.line, "win": round(h.home_win, 4), "push": round(h.push, 4), "loss": round(h.home_loss, 4)}
            for h in priced.handicaps
        ],
        "likely_scores": [[h, a, round(p, 4)] for h, a, p in priced.likely_scores],
    }


@job
def refresh_predictions(league: str) -> dict[str, Any]:
    """Refit one league and publish a prediction for each of its matches in the next week that changed."""
    now = clock.now()
    competition = db.session.scalar(select(Competition).where(Competition.key == league))
    if competition is None:
        return {"skipped": f"no league {league}", "written": 0}
    history = _history(competition.id, now.date())
    if len(history) < MIN_MATCHES:
        return {"skipped": f"{len(history)} finished matches: too few to fit", "written": 0}
    try:
        fitted = blend.fit_blend(history, now.date(), **CHOSEN)
    except dc.FitError as exc:  # reported in the run log, never published
        return {"error": f"the fit did not converge: {exc}", "written": 0}
    upcoming = db.session.scalars(
        select(Match).where(
            Match.competition_id == competition.id,
            Match.status == "scheduled",
            Match.kickoff_at > now,
            Match.kickoff_at <= now + HORIZON,
        )
    ).all()
    names = {
        team_id: name
        for team_id, name in db.session.execute(
            select(Team.id, Team.name).where(
                Team.id.in_({m.home_team_id for m in upcoming} | {m.away_team_id for m in upcoming})
            )
        )
    }
    data_time = max(p.day for p in history)
    played = Counter(team for p in history for team in (p.home, p.away))
    published, changed = 0, set()
    for match in upcoming:
        home, away = str(match.home_team_id), str(match.away_team_id)
        terms = fitted.terms(home, away)
        priced = markets.price(fitted.grid(home, away))
        now_values = {
            "p_home": priced.home,
            "p_draw": priced.draw,
            "p_away": priced.away,
            "home_goals": priced.expected_goals[0],
            "away_goals": priced.expected_goals[1],
        }
        before = services.latest(match.id)
        before_values = {k: getattr(before, k) for k in now_values} if before else None
        if before_values and max(abs(now_values[k] - before_values[k]) for k in now_values) < 0.002:
            continue  # nothing new to say
        home_name, away_name = names.get(match.home_team_id, "Home"), names.get(match.away_team_id, "Away")
        card = {
            "drivers": explain.drivers(
                terms, home_name, away_name, {home_name: _form(history, home), away_name: _form(history, away)}
            ),
            "changes": explain.changes(before_values, now_values),
            "fits": sorted(fitted.fits),
            "matches": len(history),
            "evidence": {"home": played[home], "away": played[away], "market": sum(1 for p in history if p.implied)},
        }
        services.publish(
            services.Forecast(
                match.id,
                VERSION,
                _midnight(data_time),
                priced.expected_goals[0],
                priced.expected_goals[1],
                priced.outcomes,
                _market_dict(priced),
                card,
            ),
            now,
        )
        published += 1
        changed.add(match.id)
    return {
        "league": league,
        "fitted_on": len(history),
        "upcoming": len(upcoming),
        "written": published,
        "refetch": _cards(changed),
        "changed_predictions": changed,
    }


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


@job
def settle_predictions() -> dict[str, Any]:
    """Freeze what kicked off; score what finished."""
    now = clock.now()
    frozen, scored = services.freeze_due(now), services.score_finished(now)
    return {
        "frozen": len(frozen),
        "scored": scored,
        "written": len(frozen) + scored,
        "refetch": _cards(frozen),
        "changed_predictions": set(frozen),
    }


def _cards(match_ids: Iterable[int]) -> dict[str, list[str]]:
    """The prediction cards open pages should fetch again, by topic."""
    return {topics.match(m): [f"prediction-{m}"] for m in match_ids}
