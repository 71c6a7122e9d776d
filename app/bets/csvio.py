"""A user's bets as CSV, and back. Export writes COLUMNS; import reads the same file: the columns a bet is made of
(IMPORTED) are validated row by row as the form validates them, and the ones settlement works out (result, profit,
closing prices, CLV) and the descriptive ones (league, teams, kickoff) are ignored and worked out again.
An import is all or nothing: every row's errors are listed, and nothing is recorded unless every row is good."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from app.bets import forms, services
from app.bets.forms import Draft
from app.bets.models import Bet

COLUMNS = (
    "id", "placed_at", "match_id", "league", "home", "away", "kickoff_at", "market", "line", "selection",
    "bookmaker", "price", "stake", "result", "profit", "settled_at", "closing_price", "fair_closing_price", "clv",
)  # fmt: skip
IMPORTED = ("placed_at", "match_id", "market", "line", "selection", "bookmaker", "price", "stake")
MAX_BYTES = 1_000_000
MAX_ROWS = 2_000
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def _text(value: str) -> str:
    """Names from providers, quoted so a spreadsheet never reads them as a formula."""
    return f"'{value}" if value.startswith(_FORMULA_START) else value


def export(bets: Iterable[Bet]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for bet in bets:
        match = bet.match
        writer.writerow(
            _cell(v)
            for v in (
                bet.id, bet.placed_at, bet.match_id, _text(match.competition.name), _text(match.home_team.name),
                _text(match.away_team.name), bet.kickoff_at, bet.market_kind, bet.line, bet.selection,
                bet.bookmaker_name, f"{bet.price:g}", f"{bet.stake:.2f}", bet.result,
                None if bet.profit is None else f"{bet.profit:.2f}", bet.settled_at, bet.closing_price,
                bet.fair_closing_price, bet.clv,
            )
        )  # fmt: skip
    return out.getvalue()


@dataclass
class Imported:
    drafts: list[Draft] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # about the file as a whole
    row_errors: list[tuple[int, dict[str, str]]] = field(default_factory=list)  # (line in the file, field errors)

    @property
    def ok(self) -> bool:
        return not self.problems and not self.row_errors and bool(self.drafts)


def _key(draft: Draft | Bet) -> tuple[object, ...]:
    return (
        draft.match_id, draft.market_kind, draft.line, draft.selection, draft.bookmaker_name, draft.price,
        draft.stake_cents, draft.placed_at,
    )  # fmt: skip


def read(user_id: int, data: bytes, now: datetime) -> Imported:
    """Every row checked: the drafts to record when all are good, else what is wrong, row by row."""
    found = Imported()
    if len(data) > MAX_BYTES:
        found.problems.append(f"The file is larger than {MAX_BYTES // 1000:,} KB.")
        return found
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        found.problems.append("The file is not UTF-8 text.")
        return found
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        missing = [c for c in IMPORTED if c not in (reader.fieldnames or [])]
        if missing:
            found.problems.append(f"The header lacks the column(s) {', '.join(missing)}: export a file to see them.")
            return found
        _rows(user_id, reader, now, found)
    except csv.Error as exc:
        found.problems.append(f"Line {reader.line_num}: not readable as CSV ({exc}).")
    if not found.problems and not found.row_errors and not found.drafts:
        found.problems.append("The file has no bets in it.")
    return found


def _rows(user_id: int, reader: csv.DictReader[str], now: datetime, found: Imported) -> None:
    recorded = {_key(bet) for bet in services.bets_of(user_id)}
    seen: dict[tuple[object, ...], int] = {}
    for number, row in enumerate(reader, start=2):
        if number - 1 > MAX_ROWS:
            found.problems.append(f"At most {MAX_ROWS:,} bets in one file.")
            return
        if None in row:
            found.row_errors.append((reader.line_num, {"row": f"More cells than the header's {len(COLUMNS)}."}))
            continue
        draft, errors = forms.validate({name: row.get(name) for name in IMPORTED}, now)
        if draft is not None:
            key = _key(draft)
            if key in recorded:
                errors["row"] = "This bet is already recorded."
            elif key in seen:
                errors["row"] = f"The same bet as on line {seen[key]}."
            seen.setdefault(key, reader.line_num)
        if errors:
            found.row_errors.append((reader.line_num, dict(errors)))
        elif draft is not None:
            found.drafts.append(draft)
