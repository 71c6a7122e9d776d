"""The odds board fragment, rendered once per match and odds format, then served from cache."""

from __future__ import annotations

from flask import render_template
from markupsafe import Markup

from app import clock
from app.football.services import MatchCard
from app.odds import centre
from app.refresh import freshness
from app.storage import cache_keys
from app.storage.cache import cached
from app.web import viewer

# The board shows prices' ages ("3m"): a rendered board lives at most this long, and is
# dropped at once when a price or the match changes.
BOARD_HTML_SECONDS = 20


def board(match: MatchCard, kept: str | None = None) -> Markup:
    """The board in the viewer's odds format. `kept`: its cache entry, if the caller has read it already."""

    def render() -> str:
        odds = centre.match_odds(match.id, clock.now())
        league = match.competition.key or ""
        stale = freshness.stale_since("refresh_odds", league) if match.status != "finished" else None
        return render_template("odds/_board.html", match=match, odds=odds, prices_stale_since=stale)

    return Markup(cached(cache_keys.board_key(match.id, viewer.odds_format()), render, BOARD_HTML_SECONDS, kept=kept))
