"""The model page (what the model published, how it did against the market, its backtest) and the
stake-suggestion preference."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, make_response, render_template, request

from app.football import services as match_services
from app.model import scoring
from app.predictions import fragments, record, staking
from app.predictions.charts import reliability_chart
from app.predictions.value import MAX_STAKE, STAKING_CHOICES
from app.storage import replicas
from app.storage.cache import cached
from app.web.conditional import conditional
from app.web.htmx import is_htmx, vary_on_htmx
from app.web.urls import MAX_ID, next_from_request, preference_saved

bp = Blueprint("predictions", __name__)
# Its GET views only read: with replicas configured, they read from one (app/storage/replicas.py).
replicas.reads_from_replicas(bp)

RECORD_CACHE_SECONDS = 3600  # keyed by what has been scored: a new score is a new key, never a stale page


def _diagrams(calibration: dict[str, dict[str, tuple[list[scoring.Bin], float]]]) -> list[dict]:
    """One diagram per outcome, the model's bins beside the market's."""
    return (
        [
            {
                "outcome": outcome,
                "chart": reliability_chart({who: by_outcome[outcome][0] for who, by_outcome in calibration.items()}),
                "ece": {who: by_outcome[outcome][1] for who, by_outcome in calibration.items()},
            }
            for outcome in scoring.OUTCOMES
        ]
        if calibration
        else []
    )


@bp.get("/model")
@conditional
def show():
    track = cached(f"predictions:record:{record.scored_version()}", record.track_record, RECORD_CACHE_SECONDS)
    backtest = record.backtest_report(current_app.config["BACKTEST_REPORT"])
    return render_template(
        "predictions/show.html",
        track=track,
        track_diagrams=_diagrams(track.calibration),
        backtest=backtest,
        backtest_diagrams=_diagrams(backtest["calibration"]) if backtest else [],
    )


@bp.get(f"/matches/<int(max={MAX_ID}):match_id>/prediction")
@conditional
def card(match_id: int):
    """The prediction card alone: what an open match page fetches when a refit or the kickoff changes it."""
    return fragments.card(match_services.match_card_or_404(match_id))


@bp.app_template_global()
def kelly() -> str:
    return staking.kelly()


@bp.get("/settings/staking")
def staking_form():
    """The staking form: a fragment opened in place over htmx, a page without JavaScript."""
    template = "predictions/_staking_form.html" if is_htmx() else "predictions/staking.html"
    page = render_template(template, next=next_from_request(), staking_choices=STAKING_CHOICES, max_stake=MAX_STAKE)
    return vary_on_htmx(make_response(page))


@bp.post("/settings/staking")
def save_staking():
    choice = request.form.get("kelly", "")
    if choice not in STAKING_CHOICES:
        abort(400, f"Stake suggestions must be one of: {', '.join(STAKING_CHOICES)}.")
    return preference_saved(staking.KELLY_COOKIE, choice)
