"""Reading a bet from text fields, each field with its own message: the bet form and each CSV row go through here.

Fields: match_id, market (1x2, ou, ah, btts), line, selection, bookmaker (a known one by key or name, or free text),
price (decimal odds), stake, placed_at (ISO 8601, optional: now). Only pre-match bets: placed at or before kickoff.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import TypeVar

from sqlalchemy import func, or_, select

from app.bets.models import MAX_BOOKMAKER
from app.bets.settle import KINDS, LINED, SELECTIONS
from app.extensions import db
from app.football.models import Match
from app.odds.models import Bookmaker
from app.web.urls import MAX_ID

MIN_PRICE, MAX_PRICE = Decimal("1.01"), Decimal("1000")
MAX_STAKE = Decimal("1000000")
MAX_HANDICAP, MAX_TOTAL = Decimal(10), Decimal(20)
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
MAX_FIELD = 200  # longer input is refused before it is read
T = TypeVar("T")
_NUMBER = re.compile(r"^[+-]?[0-9]{1,9}(\.[0-9]{1,6})?$")


@dataclass(frozen=True)
class Draft:
    """A bet that passed every check, ready to record."""

    match_id: int
    market_kind: str
    line: float | None
    selection: str
    bookmaker_id: int | None
    bookmaker_name: str
    price: float
    stake_cents: int
    placed_at: datetime
    kickoff_at: datetime


class Errors(dict[str, str]):
    """Field name -> what is wrong with it."""


def _text(fields: Mapping[str, str | None], name: str) -> str:
    value = fields.get(name)
    return value.strip() if isinstance(value, str) else ""


def _decimal(raw: str, what: str) -> Decimal:
    """A plain decimal number, or ValueError saying what is wrong (no exponents, infinities or thousands)."""
    if not raw:
        raise ValueError(f"Enter {what}.")
    if len(raw) > 20 or not _NUMBER.match(raw):
        raise ValueError(f"{what.capitalize()} must be a number such as 2.5.")
    try:
        return Decimal(raw)
    except InvalidOperation:  # the pattern admits only what Decimal reads; kept so no input can raise past here
        raise ValueError(f"{what.capitalize()} must be a number such as 2.5.") from None


def _price(raw: str) -> float:
    price = _decimal(raw, "the price")
    if not MIN_PRICE <= price <= MAX_PRICE:
        raise ValueError(f"The price must be decimal odds from {MIN_PRICE} to {MAX_PRICE}.")
    if price.as_tuple().exponent < -3:  # type: ignore[operator]
        raise ValueError("The price may have at most three decimals.")
    return float(price)


def _stake(raw: str) -> int:
    stake = _decimal(raw, "a stake")
    if not Decimal("0.01") <= stake <= MAX_STAKE:
        raise ValueError(f"The stake must be from 0.01 to {MAX_STAKE:,}.")
    if stake.as_tuple().exponent < -2:  # type: ignore[operator]
        raise ValueError("The stake may have at most two decimals.")
    return int(stake * 100)


def _line(kind: str, raw: str) -> float | None:
    if kind not in LINED:
        if raw:
            raise ValueError("This market has no line: leave it empty.")
        return None
    line = _decimal(raw, "the line")
    if line % Decimal("0.25"):
        raise ValueError("The line goes in quarters: 2.5, 2.25, -0.75.")
    if kind == "ou" and not 0 < line <= MAX_TOTAL:
        raise ValueError(f"A goals line is above 0 and at most {MAX_TOTAL}.")
    if kind == "ah" and abs(line) > MAX_HANDICAP:
        raise ValueError(f"A handicap is from -{MAX_HANDICAP} to +{MAX_HANDICAP}.")
    return float(line) + 0.0  # + 0.0: -0.0 would key the market 'ah:-0'


def _placed_at(raw: str, now: datetime) -> datetime:
    if not raw:
        return now
    try:
        moment = datetime.fromisoformat(raw)
        moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except (ValueError, OverflowError):
        raise ValueError("Placed at must be a date and time such as 2026-11-21T14:30.") from None
    if not EARLIEST <= moment <= now:
        raise ValueError(f"Placed at must be between {EARLIEST:%Y} and now.")
    return moment


def _bookmaker(raw: str) -> tuple[int | None, str]:
    if not raw:
        raise ValueError("Enter the bookmaker.")
    if len(raw) > MAX_BOOKMAKER:
        raise ValueError(f"The bookmaker's name may be at most {MAX_BOOKMAKER} characters.")
    if any(unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co", "Cn") for c in raw):
        raise ValueError("The bookmaker's name may not contain control or invisible characters.")
    if raw.startswith(("=", "+", "-", "@")):  # a spreadsheet opening the export would read a formula
        raise ValueError("The bookmaker's name may not start with =, +, - or @.")
    known = db.session.execute(
        select(Bookmaker.id, Bookmaker.name).where(
            or_(func.lower(Bookmaker.key) == raw.lower(), func.lower(Bookmaker.name) == raw.lower())
        )
    ).first()
    return (known[0], known[1]) if known else (None, raw)


def _match(raw: str) -> Match:
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 10 and 0 < int(raw) <= MAX_ID):
        raise ValueError("Choose a match.")
    match = db.session.get(Match, int(raw))
    if match is None:
        raise ValueError(f"There is no match {raw}.")
    return match


def _checked(fields: Mapping[str, str | None], errors: Errors, name: str, check: Callable[[str], T]) -> T | None:
    """The field read by its check, or None with its error noted (a field already refused is not read again)."""
    if name in errors:
        return None
    try:
        return check(_text(fields, name))
    except ValueError as exc:
        errors[name] = str(exc)
        return None


def validate(fields: Mapping[str, str | None], now: datetime) -> tuple[Draft | None, Errors]:
    """The bet the fields describe, or None and every field's error."""
    errors = Errors(
        {name: f"At most {MAX_FIELD} characters." for name in fields if len(_text(fields, name)) > MAX_FIELD}
    )
    kind = _text(fields, "market")
    if "market" not in errors and kind not in KINDS:
        errors["market"] = f"Choose a market: {', '.join(KINDS)}."
    match = _checked(fields, errors, "match_id", _match)
    price = _checked(fields, errors, "price", _price)
    stake = _checked(fields, errors, "stake", _stake)
    bookmaker = _checked(fields, errors, "bookmaker", _bookmaker)
    placed_at = _checked(fields, errors, "placed_at", lambda raw: _placed_at(raw, now))
    line = selection = None
    if kind in KINDS:
        line = _checked(fields, errors, "line", lambda raw: _line(kind, raw))
        selection = _checked(fields, errors, "selection", lambda raw: _selection(kind, raw))
    if match is not None and placed_at is not None and placed_at > match.kickoff_at:
        where = "placed_at" if _text(fields, "placed_at") else "match_id"
        errors[where] = "Only bets placed before kickoff are tracked: this match had kicked off."
    if errors:
        return None, errors
    assert match and price and stake and bookmaker and placed_at and selection
    return Draft(
        match_id=match.id,
        market_kind=kind,
        line=line,
        selection=selection,
        bookmaker_id=bookmaker[0],
        bookmaker_name=bookmaker[1],
        price=price,
        stake_cents=stake,
        placed_at=placed_at,
        kickoff_at=match.kickoff_at,
    ), errors


def _selection(kind: str, raw: str) -> str:
    if raw not in SELECTIONS[kind]:
        raise ValueError(f"Choose a selection: {', '.join(SELECTIONS[kind])}.")
    return raw
