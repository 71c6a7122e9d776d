"""BetScore's own competitions, by its own keys ("epl"): canonical, whichever provider reports on them. Each client
maps these keys to its provider's ids; the schedule and the matches feature read them from here."""

from __future__ import annotations

from datetime import date

# key -> (name, country, display position)
COMPETITIONS: dict[str, tuple[str, str, int]] = {
    "epl": ("Premier League", "England", 1),
    "laliga": ("La Liga", "Spain", 2),
    "seriea": ("Serie A", "Italy", 3),
    "bundesliga": ("Bundesliga", "Germany", 4),
    "ligue1": ("Ligue 1", "France", 5),
}
LEAGUES = tuple(COMPETITIONS)  # their keys, in display order


def season_of(day: date) -> tuple[str, date, date]:
    """The European season a date falls in: ("2026-27", 1 July 2026, 30 June 2027)."""
    start = day.year if day.month >= 7 else day.year - 1
    return f"{start}-{(start + 1) % 100:02d}", date(start, 7, 1), date(start + 1, 6, 30)
