"""The odds board fragment, rendered once per match and odds format, then served from cache."""

from __future__ import annotations

from flask import render_template
from markupsafe import Markup

from app import clock, events, viewer
from app.extensions import cache
from app.matches.models import MatchDisplay
from app.odds import services

# The board shows prices' ages ("3m"): a rendered board lives at most this long, and is
# dropped at once when a price or the match changes.
BOARD_HTML_SECONDS = 20


def board(match: MatchDisplay) -> Markup:
    key = events.board_key(match.id, viewer.odds_format())
    html = cache.get(key)
    if html is None:
        odds = services.match_odds(match.id, clock.now())
        html = render_template("odds/_board.html", match=match, odds=odds)
        cache.set(key, html, timeout=BOARD_HTML_SECONDS)
    return Markup(html)
