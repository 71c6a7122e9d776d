"""Static asset URLs, computed once at start with a content hash: cacheable for a year, busted on change."""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Flask, Response, current_app, request, url_for

ONE_YEAR = 365 * 24 * 3600


def _fingerprinted(app: Flask) -> dict[str, str]:
    root = Path(app.static_folder or "static")
    urls = {}
    with app.test_request_context():
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            name = path.relative_to(root).as_posix()
            digest = hashlib.blake2b(path.read_bytes(), digest_size=5).hexdigest()
            urls[name] = url_for("static", filename=name, v=digest)
    return urls


def asset(name: str) -> str:
    """The versioned URL of a static file (KeyError for a file that does not exist)."""
    return current_app.extensions["betscore.assets"][name]


def names() -> list[str]:
    """Every static file's name, relative to the static folder, sorted."""
    return list(current_app.extensions["betscore.assets"])


def init_app(app: Flask) -> None:
    # What a page names: its validator changes with them (web.conditional); the service worker's shell too (web.pwa).
    app.extensions["betscore.assets"] = _fingerprinted(app)
    # One name for the whole set: a new release (any file changed) is a new version.
    app.extensions["betscore.asset_version"] = hashlib.blake2b(
        "\n".join(sorted(app.extensions["betscore.assets"].values())).encode(), digest_size=6
    ).hexdigest()

    @app.after_request
    def immutable_when_versioned(response: Response) -> Response:
        # Only a fingerprinted URL may be kept for a year: its content can never change.
        if request.path.startswith("/static/") and request.args.get("v") and response.status_code == 200:
            response.cache_control.public = True
            response.cache_control.max_age = ONE_YEAR
            response.cache_control.immutable = True
        return response

    app.add_template_global(asset)
