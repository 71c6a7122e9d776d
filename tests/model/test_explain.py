"""The explanation card in words: each factor's effect, the newcomers' prior, and what changed."""

from __future__ import annotations

import math

from app.model import explain
from app.model.blend import Terms


def terms(**overrides) -> Terms:
    base = {
        "level": 0.3,
        "home_advantage": math.log(1.25),
        "home_attack": math.log(1.4),
        "home_defence": 0.0,
        "away_attack": math.log(0.9),
        "away_defence": math.log(1.1),
        "home_known": True,
        "away_known": True,
    }
    return Terms(**(base | overrides))


def test_factors_are_told_strongest_first_with_their_effect():
    card = explain.drivers(terms(), "Arsenal", "Burnley", {"Arsenal": "WWDLW"})
    factors = [d for d in card if d["key"] != "form"]
    assert factors[0]["key"] == "home_attack" and factors[0]["factor"] == 1.4
    assert "Arsenal's attack scores +40%" in factors[0]["words"]
    assert any("Home advantage: +25% goals for Arsenal" in d["words"] for d in card)
    assert card[-1] == {
        "key": "form",
        "team": "Arsenal",
        "form": "WWDLW",
        "words": "Arsenal's last results, newest first: WWDLW. Recent matches weigh most.",
    }


def test_a_promoted_club_and_an_unknown_club_are_named_first():
    card = explain.drivers(terms(away_newcomer=True), "Arsenal", "Burnley", {})
    assert card[0]["key"] == "promoted" and "Burnley is new to the league" in card[0]["words"]
    card = explain.drivers(terms(away_known=False, away_newcomer=True), "Arsenal", "Luton", {})
    assert card[0]["key"] == "new_club" and "Luton has no matches" in card[0]["words"]
    assert not any(d["key"] in ("promoted", "new_club") for d in explain.drivers(terms(), "A", "B", {}))


def test_changes_say_what_moved_and_only_that():
    before = {"p_home": 0.50, "p_draw": 0.27, "p_away": 0.23, "home_goals": 1.60, "away_goals": 1.00}
    assert explain.changes(None, before) == ["First prediction for this match."]
    assert explain.changes(before, dict(before, p_home=0.501)) == ["No change worth a mention since the last run."]
    moved = explain.changes(before, dict(before, p_home=0.46, p_away=0.27, away_goals=1.2))
    assert moved == [
        "Home win 50% → 46% (-4.0 points).",
        "Away win 23% → 27% (+4.0 points).",
        "Expected away goals 1.00 → 1.20.",
    ]
