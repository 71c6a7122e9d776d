"""The stake-suggestion preference: off by default, or a fraction of Kelly, remembered in a cookie."""

from __future__ import annotations

from flask import request

from app.predictions.value import STAKING_CHOICES

KELLY_COOKIE = "kelly"


def kelly() -> str:
    """The viewer's choice: "off" (the default, and for any value we did not set) or a Kelly fraction."""
    value = request.cookies.get(KELLY_COOKIE, "off")
    return value if value in STAKING_CHOICES else "off"
