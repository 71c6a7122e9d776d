"""The answer past a rate limit: the error page (its fragment over htmx) saying how long to wait, and Retry-After."""

from __future__ import annotations

import math
import time

from flask import Flask, Response
from werkzeug.exceptions import TooManyRequests

from app.extensions import limiter
from app.web.errors import render_error


def too_many_requests(error: TooManyRequests) -> tuple[str | Response, int, dict[str, str]]:
    breached = limiter.current_limit
    if breached is None:  # a 429 from anywhere but the limiter
        error.description = "Too many requests. Please wait a minute and try again."
        return (*render_error(error), {})
    item = breached.limit
    per = item.GRANULARITY.name if item.multiples == 1 else f"{item.multiples} {item.GRANULARITY.name}s"
    wait = max(1, math.ceil(breached.reset_at - time.time()))
    error.description = (
        f"Too many requests from your address: at most {item.amount} per {per}. "
        f"Please wait {_duration(wait)} and try again."
    )
    return (*render_error(error), {"Retry-After": str(wait)})


def _duration(seconds: int) -> str:
    if seconds < 120:
        return f"{seconds} second" + ("" if seconds == 1 else "s")
    return f"{math.ceil(seconds / 60)} minutes"


def init_app(app: Flask) -> None:
    app.register_error_handler(TooManyRequests, too_many_requests)
