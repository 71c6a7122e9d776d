"""Odds: every bookmaker's prices, their history and closing lines, the comparison board, and the odds-format
preference."""
