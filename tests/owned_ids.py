"""Which user owns which id, for the authorisation walk (tests/accounts/test_authorisation.py).

A URL argument that names a user's own row (a bet, a favourite) is registered here by the feature that owns it: in
`tests/<feature>/owned.py`, `@owned("bet_id")` on a function `(app, user_id) -> id` that makes such a row for that
user and commits. The walk imports every `tests/*/owned.py`, plugs user A's ids into every route, and expects user B
to get 403 or 404. An integer argument that names something public (a match) is listed in PUBLIC instead: a route
with an integer argument in neither fails the walk, so a new feature cannot be forgotten."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from pathlib import Path

from flask import Flask

MakeOwned = Callable[[Flask, int], int]
OWNED: dict[str, MakeOwned] = {}
# Integer arguments naming what every visitor may see, or what only administrators reach (B is no administrator).
PUBLIC = {
    "match_id": "a match",
    "target_id": "a match, club or league to follow: public; a follow acts on the signed-in user only",
    "unresolved_id": "admin: an alias to review",
    "run_id": "admin: a job run",
}


def owned(argument: str) -> Callable[[MakeOwned], MakeOwned]:
    def register(make: MakeOwned) -> MakeOwned:
        OWNED[argument] = make
        return make

    return register


def load_all() -> dict[str, MakeOwned]:
    """Every feature's registrations (tests/<feature>/owned.py)."""
    tests = Path(__file__).parent
    for package in pkgutil.iter_modules([str(tests)]):
        if package.ispkg and (tests / package.name / "owned.py").exists():
            importlib.import_module(f"tests.{package.name}.owned")
    return OWNED
