"""Predictions: the model's forecasts for upcoming matches, their track record, and the backtest CLI."""
