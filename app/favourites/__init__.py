"""Favourites: the teams, leagues and matches a signed-in user follows, and their own "My matches" page."""
