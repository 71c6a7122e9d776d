"""Conditional GET for pages and fragments: a validator computed BEFORE rendering, so that a revalidation whose
ETag still matches is answered 304 without rendering anything.

The validator names everything such a page depends on, read cheaply:
- the data: the listing version, which every job's commit moves (`storage.cache_keys.changed`), and the signed-in
  user's own version, which moves with each change they make (any successful POST, PUT, PATCH or DELETE of theirs);
- the viewer: their cookies as sent (theme, zones, odds format, staking, the session) and who is signed in;
- the request: path and query, and whether htmx asks (a fragment, not the page);
- the code: the deploy's asset version, so a new release never answers 304 with an old page;
- the minute: pages say how long ago things changed ('12m'); within a minute a label may lag, never the data.
A page with flashed messages waiting gets no validator: it shows them once, and must not be kept.

Such responses vary on Cookie (and HX-Request); a signed-in viewer's are `Cache-Control: private`.
ETags are weak: the same page compressed differently (br, gzip, none) is the same page.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Flask, Response, current_app, make_response, request, session
from flask_login import current_user

from app import clock
from app.extensions import cache
from app.storage.cache import bump
from app.storage.cache_keys import LISTING_VERSION

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _user_version_key(user_id: Any) -> str:
    return f"user:{user_id}:version"


def validator() -> str | None:
    """This request's page, named before it is drawn; None when it must be drawn (not a GET, messages waiting)."""
    if request.method not in ("GET", "HEAD") or session.get("_flashes"):
        return None
    user_id = current_user.id if current_user.is_authenticated else None
    keys = [LISTING_VERSION] + ([_user_version_key(user_id)] if user_id is not None else [])
    versions = cache.get_many(*keys)
    parts = (
        request.full_path,
        request.headers.get("HX-Request", ""),
        request.headers.get("Cookie", ""),
        str(user_id),
        *(str(v or 0) for v in versions),
        current_app.extensions["betscore.asset_version"],
        clock.now().strftime("%Y-%m-%dT%H:%M"),
    )
    return hashlib.blake2b("\n".join(parts).encode(), digest_size=12).hexdigest()


def _mark(response: Response, tag: str | None) -> Response:
    response.vary.add("Cookie")
    response.vary.add("HX-Request")
    if current_user.is_authenticated:
        response.cache_control.private = True
    response.cache_control.no_cache = True  # kept, but asked about each time: the answer is cheap
    if tag is not None and response.status_code in (200, 304):
        response.set_etag(tag, weak=True)
    return response


def conditional(view: Callable[..., Any]) -> Callable[..., Response]:
    """Answer 304 without calling the view when the viewer's copy is current; else the view's answer, tagged."""

    @wraps(view)
    def answer(*args: Any, **kwargs: Any) -> Response:
        tag = validator()
        if tag is not None and request.if_none_match.contains_weak(tag):
            return _mark(Response(status=304), tag)
        return _mark(make_response(view(*args, **kwargs)), tag)

    return answer


def init_app(app: Flask) -> None:
    @app.after_request
    def user_changed(response: Response) -> Response:
        """A signed-in user changed something of theirs: their pages' validators move on."""
        if request.method not in SAFE_METHODS and response.status_code < 400 and current_user.is_authenticated:
            bump(_user_version_key(current_user.id))
        return response
