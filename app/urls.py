"""URL helpers shared by features."""

from __future__ import annotations

from flask import url_for


def safe_next(target: str | None) -> str:
    """Only a path on this site, else the home page: never an open redirect."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("matches.index")
