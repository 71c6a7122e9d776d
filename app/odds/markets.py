"""The markets a board shows: their order, their names, the labels of their outcomes, and each family's main line."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from app.odds.board import MarketBoard
from app.providers.records import OUTCOMES, MarketKind

# Display order and names of the families a board shows; any other market is kept as data, not shown.
FAMILIES: tuple[tuple[str, str], ...] = (
    (MarketKind.MATCH_RESULT, "Match result"),
    (MarketKind.TOTALS, "Total goals"),
    (MarketKind.ASIAN_HANDICAP, "Asian handicap"),
    (MarketKind.BOTH_TEAMS_TO_SCORE, "Both teams to score"),
)
FAMILY_NAMES = dict(FAMILIES)
MAIN_TOTAL = 2.5
LINED = frozenset({MarketKind.TOTALS, MarketKind.ASIAN_HANDICAP})


def signed(line: float) -> str:
    """A handicap as a bettor reads it: '+0.25', '-1', '0'."""
    return "0" if line == 0 else f"{line:+g}"


def shown(kind: str, line: float | None) -> bool:
    """Whether a board shows this market: a known family, with a line exactly when the family has lines."""
    return kind in FAMILY_NAMES and (line is not None) == (kind in LINED)


def title(kind: str, line: float | None) -> str:
    """The heading of one market's table."""
    if kind == MarketKind.TOTALS and line is not None:
        return f"Over/under {line:g} goals"
    if kind == MarketKind.ASIAN_HANDICAP and line is not None:
        return f"Handicap: home {signed(line)}, away {signed(-line)}"
    return FAMILY_NAMES.get(kind, kind)


def line_name(kind: str, line: float | None) -> str:
    """A line alone, as a list of lines names it: '2.5'; a handicap from the home side, signed: '-0.25'."""
    if line is None:
        return ""
    return signed(line) if kind == MarketKind.ASIAN_HANDICAP else f"{line:g}"


def outcome_labels(kind: str, line: float | None) -> tuple[str, ...]:
    """Column headings, one per outcome: '1 X 2', 'Over 2.5', 'Home -0.25 / Away +0.25', 'Yes / No'."""
    if kind == MarketKind.MATCH_RESULT:
        return ("1", "X", "2")
    if kind == MarketKind.TOTALS and line is not None:
        return (f"Over {line:g}", f"Under {line:g}")
    if kind == MarketKind.ASIAN_HANDICAP and line is not None:
        return (f"Home {signed(line)}", f"Away {signed(-line)}")
    return tuple(o.title() for o in OUTCOMES.get(kind, ()))


def dom_key(market_key: str) -> str:
    """A market key as a piece of a DOM id: 'ah:-0.25' -> 'ah--0_25' (stable per market and line)."""
    return market_key.replace(":", "-").replace(".", "_")


@dataclass(frozen=True, slots=True)
class Line:
    """One market of a family, as far as choosing the family's main line needs it."""

    line: float | None
    board: MarketBoard


def main_index(kind: str, lines: Sequence[Line]) -> int:
    """Which line a family shows open: 2.5 goals; the handicap nearest an even split; else the most quoted."""
    if kind == MarketKind.TOTALS:
        for i, m in enumerate(lines):
            if m.line == MAIN_TOTAL:
                return i
    if kind == MarketKind.ASIAN_HANDICAP:
        balanced = [
            (abs(m.board.consensus[0] - 0.5), -len(m.board.rows), i) for i, m in enumerate(lines) if m.board.consensus
        ]
        if balanced:
            return min(balanced)[2]
    return max(range(len(lines)), key=lambda i: (len(lines[i].board.rows), -i))
