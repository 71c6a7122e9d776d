"""A demo match's happenings beyond the score: scorers, cards, substitutions, shots, possession."""

from __future__ import annotations

import bisect
import random
from dataclasses import dataclass
from functools import lru_cache

from app.providers.demo.calendar import MatchSpec, rng
from app.providers.demo.match import HALF_TIME_MINUTES, MatchDraw, _goal_times, draw_match
from app.providers.demo.squads import Player, team_sheet
from app.providers.records import EventKind

RED_RATE = 0.05  # per side and match
PENALTY_SHARE = 0.1
ASSIST_SHARE = 0.7
SCORING_WEIGHT = {"D": 1.0, "M": 2.5, "F": 5.0}
SEGMENT = 15.0  # possession swings per quarter hour of play
Times = tuple[float, ...]


@dataclass(frozen=True, slots=True)
class Happening:
    """One event at `at` real minutes from kickoff; `other` is the assist or the player coming on."""

    at: float
    side: int
    kind: EventKind
    player: str
    other: str | None
    detail: str


@dataclass(frozen=True, slots=True)
class SideStats:
    """One side's pre-drawn match statistics as instants (real minutes), xG per shot."""

    saved: Times
    missed: Times
    saved_xg: tuple[float, ...]
    missed_xg: tuple[float, ...]
    goal_xg: tuple[float, ...]
    corners: Times
    fouls: Times
    offsides: Times


@dataclass(frozen=True, slots=True)
class Detail:
    """Everything drawn about a match beyond its goals."""

    happenings: tuple[Happening, ...]
    sides: tuple[SideStats, SideStats]
    possession: tuple[float, ...]  # home share per segment of play


def _real(d: MatchDraw, played: float) -> float:
    """Real minutes from kickoff of a minute of play."""
    return played if played < d.first_end else played + HALF_TIME_MINUTES


def _raw(r: random.Random, d: MatchDraw) -> list[tuple[float, int, EventKind]]:
    """Instants of goals (as drawn), cards and substitutions (after the hour), unassigned."""
    raw = [(t, side, EventKind.GOAL) for side, goals in enumerate((d.home_goals, d.away_goals)) for t in goals]
    for side in (0, 1):
        for _ in range(r.choices(range(6), weights=(12, 25, 28, 20, 10, 5))[0]):
            raw.append((_real(d, r.uniform(1, d.play_length)), side, EventKind.YELLOW_CARD))
        if r.random() < RED_RATE:
            raw.append((_real(d, r.uniform(15, d.play_length)), side, EventKind.RED_CARD))
        for _ in range(r.randint(3, 5)):
            raw.append((_real(d, r.uniform(d.first_end + 15, d.play_length - 0.5)), side, EventKind.SUBSTITUTION))
    return sorted(raw, key=lambda x: (x[0], x[1], x[2]))


class _Side:
    """Who is on the pitch and the bench of one side while the match unfolds."""

    def __init__(self, starting: list[Player], bench: list[Player]) -> None:
        self.pitch = [p for p in starting if p.position != "G"]
        self.bench = [p for p in bench if p.position != "G"]
        self.booked: set[str] = set()
        self.subs = 0

    def happen(self, r: random.Random, at: float, side: int, kind: EventKind) -> Happening | None:
        """Assign the event to players; None when nobody fits (no bench left, all booked)."""
        if kind is EventKind.GOAL:
            scorer = r.choices(self.pitch, weights=[SCORING_WEIGHT[p.position] for p in self.pitch])[0]
            if r.random() < PENALTY_SHARE:
                return Happening(at, side, EventKind.PENALTY_GOAL, scorer.name, None, "Penalty")
            mates = [p for p in self.pitch if p is not scorer]
            assist = r.choice(mates).name if mates and r.random() < ASSIST_SHARE else None
            return Happening(at, side, kind, scorer.name, assist, "Normal Goal")
        if kind is EventKind.SUBSTITUTION:
            return self._substitute(r, at, side)
        candidates = [p for p in self.pitch if p.name not in self.booked]
        if not candidates:
            return None
        player = r.choice(candidates)
        if kind is EventKind.RED_CARD:
            self.pitch.remove(player)
            return Happening(at, side, kind, player.name, None, "Red Card")
        self.booked.add(player.name)
        return Happening(at, side, kind, player.name, None, "Yellow Card")

    def _substitute(self, r: random.Random, at: float, side: int) -> Happening | None:
        """A like-for-like change where the bench allows, else any outfield one."""
        if not self.bench or not self.pitch:
            return None
        off = r.choice(self.pitch)
        alike = [p for p in self.bench if p.position == off.position] or self.bench
        on = alike[0]
        self.pitch[self.pitch.index(off)] = on
        self.bench.remove(on)
        self.subs += 1
        return Happening(at, side, EventKind.SUBSTITUTION, off.name, on.name, f"Substitution {self.subs}")


def _side_stats(r: random.Random, d: MatchDraw, lam: float, goals: int) -> SideStats:
    """Shots, corners, fouls and offsides as Poisson processes over the minutes of play."""

    def times(rate: float) -> Times:
        return _goal_times(r, rate, d.first_added, d.second_added)

    saved, missed = times(1.8 + 1.6 * lam), times(4.0 + 2.5 * lam)
    return SideStats(
        saved,
        missed,
        tuple(r.uniform(0.03, 0.3) for _ in saved),
        tuple(r.uniform(0.01, 0.15) for _ in missed),
        tuple(r.uniform(0.08, 0.55) for _ in range(goals)),
        times(3.0 + 1.5 * lam),
        times(11.0),
        times(1.8),
    )


@lru_cache(maxsize=4_096)
def detail(seed: int, spec: MatchSpec) -> Detail:
    """Draw a match's happenings once: scorers, cards, substitutions and statistics."""
    d = draw_match(seed, spec)
    r = rng(seed, spec.fixture_id, "detail")
    sheets = [team_sheet(seed, spec, side) for side in (0, 1)]
    sides = [_Side([p for p, _ in s.starting], list(s.bench)) for s in sheets]
    happenings = []
    for at, side, kind in _raw(r, d):
        happening = sides[side].happen(r, at, side, kind)
        if happening is not None:
            happenings.append(happening)
    lam_h, lam_a = d.final_home, d.final_away
    stats = (_side_stats(r, d, lam_h, len(d.home_goals)), _side_stats(r, d, lam_a, len(d.away_goals)))
    base = min(68.0, max(32.0, 50.0 + 14.0 * (lam_h - lam_a) / (lam_h + lam_a)))
    segments = int(d.play_length // SEGMENT) + 1
    possession = tuple(min(80.0, max(20.0, base + r.gauss(0.0, 5.0))) for _ in range(segments))
    return Detail(tuple(happenings), stats, possession)


def happened(det: Detail, until: float) -> list[Happening]:
    """The happenings at or before a real minute (the same cut the score uses)."""
    return [h for h in det.happenings if h.at <= until]


def _count(times: Times, until: float) -> int:
    """How many instants lie at or before `until`."""
    return bisect.bisect_right(times, until)


def stats_at(det: Detail, d: MatchDraw, until: float, played: float) -> tuple[dict[str, float | None], ...]:
    """Both sides' statistics accumulated up to a real minute (`played` minutes of play)."""
    upto = happened(det, until)
    segments = det.possession[: int(played // SEGMENT) + 1]
    home_pct = round(sum(segments) / len(segments))
    out: list[dict[str, float | None]] = []
    for side, (s, goals) in enumerate(zip(det.sides, (d.home_goals, d.away_goals), strict=True)):
        scored = _count(goals, until)
        saved, missed = _count(s.saved, until), _count(s.missed, until)
        against = det.sides[1 - side]
        pct = home_pct if side == 0 else 100 - home_pct
        xg = sum(s.goal_xg[:scored]) + sum(s.saved_xg[:saved]) + sum(s.missed_xg[:missed])
        out.append(
            {
                "shots_on_goal": float(scored + saved),
                "shots_off_goal": float(missed),
                "total_shots": float(scored + saved + missed),
                "corner_kicks": float(_count(s.corners, until)),
                "fouls": float(_count(s.fouls, until)),
                "offsides": float(_count(s.offsides, until)),
                "ball_possession": float(pct),
                "goalkeeper_saves": float(_count(against.saved, until)),
                "yellow_cards": float(sum(h.side == side and h.kind is EventKind.YELLOW_CARD for h in upto)),
                "red_cards": float(sum(h.side == side and h.kind is EventKind.RED_CARD for h in upto)),
                "total_passes": float(round(played * 10 * pct / 100)),
                "expected_goals": round(xg, 2),
            }
        )
    return tuple(out)
