"""The bet tracker's pages: a user's record and bets, the bet form (from a tapped price or by hand), one bet,
and CSV export and import. Every bet route answers only about the signed-in user's own bets."""

from __future__ import annotations

from collections.abc import Mapping

from flask import Blueprint, Response, abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app import clock
from app.accounts.services import may_record_bets
from app.bets import csvio, forms, jobs, services, settlement
from app.bets.chart import profit_chart
from app.bets.models import Bet
from app.extensions import db
from app.football.models import Match
from app.live import topics
from app.storage import replicas
from app.web.htmx import is_htmx, vary_on_htmx
from app.web.urls import MAX_ID

bp = Blueprint("bets", __name__, url_prefix="/bets")
# Its GET views only read (recording, deleting and importing are POSTs): with replicas configured, they read from one.
replicas.reads_from_replicas(bp)
FORM_FIELDS = ("match_id", "market", "line", "selection", "bookmaker", "price", "stake", "placed_at")


def _may_record() -> None:
    if not may_record_bets(current_user):
        abort(403, "Confirm your email address to track bets.")


def _own_or_404(bet_id: int) -> Bet:
    bet = services.own_bet(current_user.id, bet_id)
    if bet is None:
        abort(404, "You have no bet with that number.")
    return bet


def _state() -> str:
    state = request.args.get("state") or "current"
    if state not in services.STATES:
        abort(400, f"'state' must be one of: {', '.join(services.STATES)}.")
    return state


@bp.get("")
@login_required
def index():
    """The record and the list; over htmx (a filter, or a settled bet's live event) the part below the title."""
    state = _state()
    record = services.record_of(current_user.id)
    context = {
        "state": state,
        "states": services.STATES,
        "bets": services.bets_of(current_user.id, state),
        "record": record,
        "chart": profit_chart(record.running),
    }
    if is_htmx():
        return vary_on_htmx(make_response(render_template("bets/_main.html", **context)))
    page = render_template("bets/index.html", live_topics=[topics.user(current_user.id)], **context)
    return vary_on_htmx(make_response(page))


def _match_named(raw: str) -> Match | None:
    """The match an id in a query or form names, if it is one."""
    is_id = raw.isascii() and raw.isdigit() and len(raw) <= 10 and 0 < int(raw) <= MAX_ID
    return db.session.get(Match, int(raw)) if is_id else None


def _match_or_404(raw: str) -> Match:
    match = _match_named(raw)
    if match is None:
        abort(404, "That match does not exist, or is no longer listed.")
    return match


def _form(match: Match, values: Mapping[str, str], errors: Mapping[str, str], status: int = 200) -> Response:
    """The bet form: in place over htmx (422 with its errors, which htmx is configured to swap), else a page."""
    # A tapped price's form hides market and selection; when those are wrong, the full form shows them.
    quick = bool(values.get("quick")) and not errors.keys() & {"market", "line", "selection"}
    context = {
        "match": match,
        "values": values,
        "errors": errors,
        "quick": quick,
        "choices": [] if quick else services.choices(match),
        "bookmakers": services.bookmaker_names(),
    }
    if is_htmx():
        body = render_template("bets/_form.html", **context)
        return vary_on_htmx(make_response(body, 422 if status >= 400 else status))
    return vary_on_htmx(make_response(render_template("bets/new.html", **context), status))


@bp.get("/new")
def new():
    """From a tapped price (market, outcome and bookmaker given: all pre-filled but the stake), or by hand."""
    match = _match_or_404(request.args.get("match", ""))
    if not current_user.is_authenticated:
        if is_htmx():
            return vary_on_htmx(make_response(render_template("bets/_sign_in.html", match=match)))
        return redirect(url_for("accounts.login", next=url_for("matches.show", match_id=match.id)))
    _may_record()
    stake = services.default_stake_cents(current_user.id)
    values = {"match_id": str(match.id), "stake": f"{stake / 100:.2f}", "remember": "on"}
    market, outcome, book = (request.args.get(k, "")[:100] for k in ("market", "outcome", "bookmaker"))
    found = services.quoted(match.id, market, book, outcome) if market and outcome and book else None
    if found is not None:
        bookmaker, price = found
        kind, _, line = market.partition(":")
        values |= {"quick": "1", "market": kind, "line": line, "selection": outcome}
        values |= {"bookmaker": bookmaker.name, "price": f"{price:g}"}
    return _form(match, values, {})


@bp.post("")
@login_required
def create():
    _may_record()
    values = {name: request.form.get(name, "") for name in (*FORM_FIELDS, "quick", "remember", "choice")}
    if values["choice"]:  # the by-hand form's one select: "kind|line|selection"
        values["market"], values["line"], values["selection"] = ([*values["choice"].split("|"), "", ""])[:3]
    draft, errors = forms.validate(values, clock.now())
    if draft is None:
        match = _match_named(values["match_id"])
        if match is None:
            abort(400, errors.get("match_id", "Choose a match."))
        return _form(match, values, errors, 400)
    bet = services.record(current_user.id, draft, remember_stake=bool(values["remember"]))
    db.session.commit()
    if is_htmx():
        return vary_on_htmx(make_response(render_template("bets/_recorded.html", bet=bet), 201))
    flash(f"Bet recorded: {bet.bookmaker_name} at {bet.price:g}.")
    return redirect(url_for("bets.index"), 303)


@bp.get(f"/<int(max={MAX_ID}):bet_id>")
@login_required
def show(bet_id: int):
    return render_template("bets/show.html", bet=_own_or_404(bet_id))


@bp.post(f"/<int(max={MAX_ID}):bet_id>/delete")
@login_required
def delete(bet_id: int):
    db.session.delete(_own_or_404(bet_id))
    db.session.commit()
    flash("Bet deleted.")
    return redirect(url_for("bets.index"), 303)


@bp.get("/export.csv")
@login_required
def export():
    response = make_response(csvio.export(reversed(services.bets_of(current_user.id))))  # oldest first
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = 'attachment; filename="betscore-bets.csv"'
    return response


@bp.url_value_preprocessor
def _room_for_a_file(endpoint: str | None, values: dict | None) -> None:
    """An import may be larger than the app's request limit (MAX_CONTENT_LENGTH). Set here because URL preprocessors
    run before every before_request hook, and CSRF protection's reads the form in one."""
    if endpoint == "bets.import_csv":
        request.max_content_length = csvio.MAX_BYTES + 16 * 1024  # the file, and the form around it


@bp.route("/import", methods=["GET", "POST"])
@login_required
def import_csv():
    """All or nothing: every row is checked and the errors listed; bets are recorded only when every row is good."""
    _may_record()
    if request.method == "GET":
        return render_template("bets/import.html", found=None, columns=csvio.COLUMNS, imported=csvio.IMPORTED)
    upload = request.files.get("file")
    data = upload.stream.read(csvio.MAX_BYTES + 1) if upload else b""
    found = csvio.read(current_user.id, data, clock.now())
    if not found.ok:
        page = render_template("bets/import.html", found=found, columns=csvio.COLUMNS, imported=csvio.IMPORTED)
        return page, 400
    for draft in found.drafts:
        services.record(current_user.id, draft, remember_stake=False)
    db.session.commit()
    jobs.settle({draft.match_id for draft in found.drafts}, clock.now())  # bets on matches already over
    flash(f"Imported {len(found.drafts)} bets.")
    return redirect(url_for("bets.index"), 303)


@bp.app_template_global("selection_label")
def selection_label(kind: str, line: float | str | None, selection: str, match: Match) -> str:
    """A bet's selection as a bettor reads it ('Arsenal -0.25'); a form's line arrives as text."""
    if isinstance(line, str):
        line = float(line) if line else None
    return services.selection_label(kind, line, selection, match.home_team.name, match.away_team.name)


@bp.app_template_global("market_name")
def market_name(kind: str) -> str:
    return services.MARKET_NAMES.get(kind, kind)


@bp.app_context_processor
def archive_days() -> dict[str, int]:
    return {"archive_days": settlement.ARCHIVE_AFTER.days}
