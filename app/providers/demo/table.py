"""A demo league table: every club's tally from the season's matches finished by an instant."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from app.providers.demo.calendar import season
from app.providers.demo.match import draw_match, state_at
from app.providers.demo.world import LEAGUES
from app.providers.records import MatchStatus, StandingRecord, TeamRef


@dataclass(slots=True)
class _Row:
    """A team's running tally for the table."""

    won: int = 0
    drawn: int = 0
    lost: int = 0
    goals_for: int = 0
    goals_against: int = 0
    clean_sheets: int = 0
    failed_to_score: int = 0
    results: list[str] = field(default_factory=list)

    def add(self, scored: int, conceded: int) -> None:
        """Record one finished match."""
        self.goals_for += scored
        self.goals_against += conceded
        self.clean_sheets += conceded == 0
        self.failed_to_score += scored == 0
        result = "W" if scored > conceded else "D" if scored == conceded else "L"
        self.won += result == "W"
        self.drawn += result == "D"
        self.lost += result == "L"
        self.results.append(result)

    @property
    def played(self) -> int:
        """Finished matches."""
        return self.won + self.drawn + self.lost

    @property
    def points(self) -> int:
        """Three for a win, one for a draw."""
        return 3 * self.won + self.drawn

    @property
    def form(self) -> str:
        """The last five results, most recent last."""
        return "".join(self.results[-5:])

    def record(self, key: str, label: str, team: TeamRef, position: int) -> StandingRecord:
        """The tally as a standings row."""
        return StandingRecord(
            key,
            label,
            team,
            position,
            self.played,
            self.won,
            self.drawn,
            self.lost,
            self.goals_for,
            self.goals_against,
            self.points,
            self.form,
        )


def season_rows(seed: int, key: str, index: int, ts: int) -> dict[int, _Row]:
    """Every club's tally (by club index) from the season's matches finished by the instant."""
    s = season(seed, key, index)
    rows = {i: _Row() for i in range(len(LEAGUES[key].clubs))}
    for spec in s.matches[: bisect.bisect_right(s.kickoffs, ts)]:
        st = state_at(spec, draw_match(seed, spec), ts)
        if st.status is MatchStatus.FINISHED and st.home is not None and st.away is not None:
            rows[spec.home].add(st.home, st.away)
            rows[spec.away].add(st.away, st.home)
    return rows


def table_order(key: str, rows: dict[int, _Row]) -> list[int]:
    """Club indices by points, goal difference, goals scored, then name."""
    clubs = LEAGUES[key].clubs
    return sorted(
        rows,
        key=lambda i: (
            -rows[i].points,
            -(rows[i].goals_for - rows[i].goals_against),
            -rows[i].goals_for,
            clubs[i].name,
        ),
    )
