"""The model page: what the model published and how it did against the market, and its backtest."""

from __future__ import annotations

from flask import current_app, render_template

from app.extensions import cache
from app.model import scoring
from app.predictions import bp, record
from app.predictions.charts import reliability_chart

RECORD_CACHE_SECONDS = 60  # scoring runs every 2 minutes: a minute's delay is the most a reader waits


def _diagrams(calibration: dict[str, dict[str, tuple[list[scoring.Bin], float]]]) -> list[dict]:
    """One diagram per outcome, the model's bins beside the market's."""
    return [{"outcome": outcome,
             "chart": reliability_chart({who: by_outcome[outcome][0] for who, by_outcome in calibration.items()}),
             "ece": {who: by_outcome[outcome][1] for who, by_outcome in calibration.items()}}
            for outcome in scoring.OUTCOMES] if calibration else []


@bp.get("/model")
def show():
    track = cache.get("predictions:record")
    if track is None:
        track = record.track_record()
        cache.set("predictions:record", track, timeout=RECORD_CACHE_SECONDS)
    backtest = record.backtest_report(current_app.config["BACKTEST_REPORT"])
    return render_template("predictions/show.html", track=track, track_diagrams=_diagrams(track.calibration),
                           backtest=backtest, backtest_diagrams=_diagrams(backtest["calibration"]) if backtest else [])
