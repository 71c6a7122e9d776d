"""A prediction's explanation card: what drives it, in plain words and numbers, and what changed."""

from __future__ import annotations

import math
from typing import Any

from app.model.blend import Terms


def _times(log_value: float) -> float:
    return round(math.exp(log_value), 2)


def _percent(log_value: float) -> str:
    change = math.exp(log_value) - 1
    return f"{change:+.0%}"


def drivers(terms: Terms, home: str, away: str, form: dict[str, str]) -> list[dict[str, Any]]:
    """Each factor of the expected goals, strongest effect first; a factor of 1.0 is the league average."""
    out: list[dict[str, Any]] = [
        {
            "key": "home_advantage",
            "factor": _times(terms.home_advantage),
            "words": f"Home advantage: {_percent(terms.home_advantage)} goals for {home}.",
        },
        {
            "key": "home_attack",
            "factor": _times(terms.home_attack),
            "words": f"{home}'s attack scores {_percent(terms.home_attack)} against an average defence.",
        },
        {
            "key": "away_defence",
            "factor": _times(terms.away_defence),
            "words": f"{away}'s defence concedes {_percent(terms.away_defence)} to an average attack.",
        },
        {
            "key": "away_attack",
            "factor": _times(terms.away_attack),
            "words": f"{away}'s attack scores {_percent(terms.away_attack)} against an average defence.",
        },
        {
            "key": "home_defence",
            "factor": _times(terms.home_defence),
            "words": f"{home}'s defence concedes {_percent(terms.home_defence)} to an average attack.",
        },
    ]
    out.sort(key=lambda d: -abs(math.log(d["factor"])) if d["factor"] > 0 else 0)
    for side, known, newcomer in (
        (home, terms.home_known, terms.home_newcomer),
        (away, terms.away_known, terms.away_newcomer),
    ):
        if not known:
            out.insert(
                0,
                {
                    "key": "new_club",
                    "factor": 1.0,
                    "words": f"{side} has no matches in our data yet: rated as a typical promoted club until it has.",
                },
            )
        elif newcomer:
            out.insert(
                0,
                {
                    "key": "promoted",
                    "factor": 1.0,
                    "words": f"{side} is new to the league this season: its rating starts from a typical "
                    "promoted club's, not the average, and its own results move it from there.",
                },
            )
    for side in (home, away):
        if form.get(side):
            out.append(
                {
                    "key": "form",
                    "team": side,
                    "form": form[side],
                    "words": f"{side}'s last results, newest first: {form[side]}. Recent matches weigh most.",
                }
            )
    return out


def changes(before: dict[str, Any] | None, now: dict[str, Any]) -> list[str]:
    """What moved since the previous published prediction, in words (nothing when nothing did)."""
    if before is None:
        return ["First prediction for this match."]
    out = []
    for key, label in (("p_home", "home win"), ("p_draw", "draw"), ("p_away", "away win")):
        delta = now[key] - before[key]
        if abs(delta) >= 0.005:
            out.append(f"{label.capitalize()} {before[key]:.0%} → {now[key]:.0%} ({delta * 100:+.1f} points).")
    for key, label in (("home_goals", "home"), ("away_goals", "away")):
        delta = now[key] - before[key]
        if abs(delta) >= 0.03:
            out.append(f"Expected {label} goals {before[key]:.2f} → {now[key]:.2f}.")
    return out or ["No change worth a mention since the last run."]
