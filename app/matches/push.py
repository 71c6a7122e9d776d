"""What a committed change pushes to open pages, rendered once per event and odds format.

For each changed match, after the commit:
  match:<id>        the header's score and minute once it has a score, the details when they
                    changed, and each odds-board part whose signature changed (app/live/parts.py);
                    board and details only while someone watches the match (app/refresh/watching.py)
  matches:<date>    its row's score, minute and best prices, on each date the match may fall
  league:<key>      on in any time zone (its UTC date and the days either side), and its league's page
Parts that show a local time are never pushed: when a match starts, ends, moves or is called
off, pages are told to fetch the part themselves (a refetch), in their own time zone.
Each part goes out once, in one message for all the topics it belongs to (`live.publish` takes several): a list
showing three days is on three `matches:` topics, and must get a row's update once, not once per day it shows.
What each match last pushed is kept in the cache, so only what changed goes out.
"""

from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from flask import Flask, current_app, get_template_attribute, request

from app.extensions import cache
from app.football import services
from app.football.services import MatchCard
from app.jobs import signals
from app.live import parts, topics
from app.live import service as live
from app.matches import fragments
from app.model.prices import ODDS_FORMATS
from app.odds import fragments as odds_fragments
from app.odds import services as odds_services
from app.refresh import watching
from app.web import viewer

log = logging.getLogger("betscore.live")
STATE_SECONDS = 2 * 24 * 3600


def _state_key(match_id: int) -> str:
    return f"live:last:{match_id}"


class Signatures:
    """What one match last pushed, part by part (hashed), and what it pushes now."""

    def __init__(self, old: dict[str, str]) -> None:
        self.old = old
        self.new: dict[str, str] = {}

    def changed(self, ident: str, html: str) -> bool:
        self.new[ident] = hashlib.blake2b(html.encode(), digest_size=12).hexdigest()
        return self.old.get(ident) != self.new[ident]


@dataclass
class Message:
    """HTML parts for one topic: some the same for everyone, some per odds format."""

    common: list[str] = field(default_factory=list)
    by_format: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    def variants(self) -> dict[str, str]:
        if not any(self.by_format.values()):
            return {"": _wrapped(self.common)} if self.common else {}
        return {f: _wrapped(self.common + self.by_format.get(f, [])) for f in ODDS_FORMATS}


def _wrapped(html_parts: list[str]) -> str:
    """Each part in a <template> of its own: a <td> and a <section> side by side would not both
    survive HTML parsing (the first element sets the parser's mode), each alone in a template does."""
    return "".join(f"<template>{part}</template>" for part in html_parts)


@contextmanager
def _rendering() -> Iterator[None]:
    """A request to render in when there is none (jobs run outside requests): url_for, filters."""
    if request:
        yield
        return
    with current_app.test_request_context("/"):
        yield


def init_app(app: Flask) -> None:
    signals.committed.connect(_committed, sender=app)


def _committed(app: Flask, changes: signals.Changes) -> None:
    announce(changes.matches, changes.leagues)


def announce(match_ids: Iterable[int] = (), league_keys: Iterable[str] = ()) -> None:
    """Push what changed; called after the commit. Never raises: pages resync on reconnect."""
    try:
        _announce(sorted(set(match_ids)), sorted(set(league_keys)))
    except Exception:
        log.exception("live: announcing changes failed")


Topics = tuple[str, ...]  # the topics one message goes to, sorted


def _announce(match_ids: list[int], league_keys: list[str]) -> None:
    if not match_ids and not league_keys:
        return
    messages: dict[Topics, Message] = defaultdict(Message)
    refetches: dict[str, set[str]] = defaultdict(set)  # a part's id -> every topic whose pages fetch it again
    for key in league_keys:
        refetches[f"league-body-{key}"].add(topics.league(key))
    with _rendering():
        _render(match_ids, messages, refetches)
    by_topics: dict[Topics, list[str]] = defaultdict(list)
    for ident, named in sorted(refetches.items()):
        by_topics[tuple(sorted(named))].append(ident)
    for names, ids in by_topics.items():
        live.refetch(names, ids)
    for names, message in messages.items():
        if variants := message.variants():
            live.publish(names, variants)


def _render(match_ids: list[int], messages: dict[Topics, Message], refetches: dict[str, set[str]]) -> None:
    cards = [c for c in map(services.match_card, match_ids) if c is not None]
    if not cards:
        return
    watched = watching.watched(c.id for c in cards)
    previous = dict(zip([c.id for c in cards], cache.get_many(*(_state_key(c.id) for c in cards)), strict=True))
    best = odds_services.best_match_prices([c.id for c in cards])
    macros = {
        name: get_template_attribute("_macros.html", name)
        for name in ("row_when", "row_score", "row_best", "header_centre")
    }
    states = {}
    for card in cards:
        before: dict[str, Any] = previous.get(card.id) or {}
        sigs = Signatures(before.get("signatures", {}))
        state = [card.status, card.kickoff_at.isoformat()]
        moved = before.get("state") not in (None, state)
        day_topics = [topics.matches(card.kickoff_at.date() + timedelta(days=d)) for d in (-1, 0, 1)]
        league_topics = [topics.league(card.competition.key)] if card.competition.key else []
        list_topics: Topics = tuple(sorted(day_topics + league_topics))
        match_topic: Topics = (topics.match(card.id),)

        # Lists: a match that started, ended or moved changes its list's shape: refetch it.
        if moved:
            refetches["matches-list"].update(day_topics)
            if card.competition.key:
                refetches[f"league-body-{card.competition.key}"].update(league_topics)
            refetches[f"matches-header-{card.id}"].update(match_topic)
        row_parts = [str(macros["row_score"](card))]
        if card.status != "scheduled":
            row_parts.append(str(macros["row_when"](card)))
        if card.has_score:
            centre = str(macros["header_centre"](card))
            if sigs.changed(f"centre-{card.id}", centre) and not moved:
                messages[match_topic].common.append(centre)
        row_parts = [p for i, p in enumerate(row_parts) if sigs.changed(f"row-{card.id}-{i}", p)]
        messages[list_topics].common.extend(row_parts)
        for fmt in ODDS_FORMATS:
            with viewer.odds_format_as(fmt):
                prices = str(macros["row_best"](card, best.get(card.id)))
            if sigs.changed(f"{fmt}:best-{card.id}", prices):
                messages[list_topics].by_format[fmt].append(prices)

        state_now: dict[str, Any] = {"state": state, "signatures": sigs.new}
        if card.id in watched:
            state_now.update(_match_page(card, before, messages[match_topic], refetches))
        states[_state_key(card.id)] = state_now
    cache.set_many(states, timeout=STATE_SECONDS)


def _match_page(
    card: MatchCard, before: dict[str, Any], message: Message, refetches: dict[str, set[str]]
) -> dict[str, Any]:
    """The board's changed parts per format, and the details when they changed: for pages on this match."""
    old_boards: dict[str, dict[str, str]] = before.get("board") or {}
    boards = {}
    for fmt in ODDS_FORMATS:
        with viewer.odds_format_as(fmt):
            diff = parts.changes(str(odds_fragments.board(card)), old_boards.get(fmt))
        boards[fmt] = diff.signatures
        if diff.refetch:
            refetches[diff.refetch].add(topics.match(card.id))
        else:
            message.by_format[fmt].extend(diff.html)
    details = parts.changes(str(fragments.match_details(card)), before.get("details"))
    message.common.extend(details.html)
    return {"board": boards, "details": details.signatures}
