"""Predictions: the model's forecasts for upcoming matches, their track record, and the backtest CLI."""

from flask import Blueprint

bp = Blueprint("predictions", __name__)

from app.predictions import routes  # noqa: E402,F401  (registers the views on bp)
