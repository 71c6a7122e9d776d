"""Following teams, leagues and matches (a star on any page), and the signed-in user's "My matches".

The follow actions act on the signed-in user's own follows, and no one else's. A visitor who is not signed in is
sent to sign in, and back to the page they were on. Pages every visitor shares (the cached matches list) draw a
neutral star on each row; the viewer's own stars are swapped in by id from `marks`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Blueprint, abort, current_app, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from markupsafe import Markup
from werkzeug.wrappers import Response

from app import clock
from app.extensions import csrf, db
from app.favourites import services
from app.favourites.models import KINDS
from app.football import services as football
from app.football.models import Match
from app.live import topics
from app.odds import services as odds_services
from app.storage import replicas
from app.web import viewer
from app.web.htmx import hx_redirect, is_htmx, vary_on_htmx
from app.web.urls import MAX_ID, next_from_request, safe_next

bp = Blueprint("favourites", __name__)
# Its GET views only read (following is a POST): with replicas configured, they read from one.
replicas.reads_from_replicas(bp)

FOLLOW = f"/follows/<kind>/<int(max={MAX_ID}):target_id>"
MEMO = "betscore.favourites"  # this module's per-request value, in the WSGI environ
MY_DAYS = 14  # My matches reaches this many days past today
MARKS_SINCE = timedelta(days=4)  # the matches list shows days from three before today


@bp.app_context_processor
def _stars() -> dict[str, Any]:
    return {"follow_star": star, "has_follows": lambda: bool(_my_follows())}


def _my_follows() -> set[tuple[str, int]]:
    """The signed-in viewer's follows, read once a request (a page draws several stars)."""
    if not current_user.is_authenticated:
        return set()
    # Kept in the WSGI environ, not `g`: an app context (and its `g`) may outlive a request.
    if MEMO not in request.environ:
        request.environ[MEMO] = services.follows_of(current_user.id)
    found: set[tuple[str, int]] = request.environ[MEMO]
    return found


def _here() -> str:
    """The page a star is drawn on: where a plain form returns to, and where sign-in comes back to."""
    if is_htmx():
        return next_from_request()  # the page htmx says it is on
    if request.method == "POST":
        return safe_next(request.form.get("next"))  # a plain form says where it came from
    return safe_next(request.full_path.rstrip("?"))


def star(kind: str, target_id: int, name: str, followed: bool | None = None) -> Markup:
    """The follow toggle of one team, league or match, in the viewer's state (or the one given)."""
    if followed is None:
        followed = (kind, target_id) in _my_follows()
    return Markup(
        render_template(
            "favourites/_star.html", kind=kind, target_id=target_id, name=name, followed=followed, here=_here()
        )
    )


def _target_name(kind: str, target_id: int) -> str:
    if kind not in KINDS:
        abort(400, f"One can follow a {', a '.join(KINDS[:-1])} or a {KINDS[-1]}, not {kind[:20]!r}.")
    name = services.target_name(kind, target_id)
    if name is None:
        abort(404, f"There is no {kind} {target_id}.")
    return name


@bp.get(FOLLOW)
@login_required
def show(kind: str, target_id: int):
    """A follow as a page of its own: where a list row's star leads without JavaScript."""
    name = _target_name(kind, target_id)
    return render_template("favourites/show.html", kind=kind, target_id=target_id, name=name)


@bp.post(FOLLOW)
@csrf.exempt  # checked below, once signed in: a visitor who is not has no token, and only goes to sign in
def create(kind: str, target_id: int):
    return _change(kind, target_id, following=True)


@bp.post(f"{FOLLOW}/delete")
@csrf.exempt  # as create
def delete(kind: str, target_id: int):
    return _change(kind, target_id, following=False)


def _change(kind: str, target_id: int, following: bool) -> Response:
    if not current_user.is_authenticated:
        return _to_sign_in()
    if current_app.config.get("WTF_CSRF_ENABLED", True):
        csrf.protect()
    name = _target_name(kind, target_id)
    (services.follow if following else services.unfollow)(current_user.id, kind, target_id)
    db.session.commit()
    if is_htmx():
        return vary_on_htmx(make_response(star(kind, target_id, name, followed=following)))
    return redirect(safe_next(request.form.get("next")), 303)


def _to_sign_in() -> Response:
    """Sign in first, then back to the page the star was on."""
    where = url_for("accounts.login", next=_here())
    if is_htmx():
        return vary_on_htmx(hx_redirect(make_response("", 204), where))
    return redirect(where, 303)


@bp.get("/follows/marks")
def marks():
    """The viewer's own stars of the matches they follow, for a shared list to swap in by id (nothing when signed
    out: a shared list's neutral star serves)."""
    if not current_user.is_authenticated:
        return make_response("", 204)
    followed = services.followed_matches(current_user.id, clock.now() - MARKS_SINCE)
    return render_template("favourites/_marks.html", followed=followed)


@bp.get("/my")
@login_required
def index():
    """My matches: of followed teams, leagues and matches, live first, then by kickoff, from today for two weeks."""
    today = viewer.today()
    start, _ = football.local_day_bounds(today, viewer.tz())
    _, end = football.local_day_bounds(today + timedelta(days=MY_DAYS), viewer.tz())
    matches = services.my_matches(current_user.id, start, end)
    listing = Markup(render_template("favourites/_list.html", **_grouped(matches), following=bool(_my_follows())))
    if is_htmx():
        return vary_on_htmx(make_response(listing))
    # A row's score, minute and prices are pushed on the topics of the days it falls on, as on the matches list.
    days = {m.kickoff_at.date() for m in matches} | {today}
    page = render_template(
        "favourites/index.html", listing=listing, live_topics=[topics.matches(d) for d in sorted(days)]
    )
    return vary_on_htmx(make_response(page))


def _grouped(matches: list[Match]) -> dict[str, Any]:
    live = [m for m in matches if m.in_play]
    days = viewer.by_day(m for m in matches if not m.in_play)
    return {"live": live, "days": days, "best": odds_services.best_match_prices([m.id for m in matches])}
