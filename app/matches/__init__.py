"""Matches as a bettor sees them: the list by day, a match page (prices, prediction, details), a league page, and
what a commit pushes to those pages."""
