"""BetScore as an installable app: the manifest, the service worker with its versioned shell, the offline page, and
which pages a device may keep (anything personal is marked `private`, so neither the worker nor a shared cache
stores it)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from fnmatch import fnmatch
from typing import Any

from flask import Flask, Response, current_app, render_template, request, session, url_for
from flask_login import current_user

from app.web import assets

# What every page needs to draw itself without the network: the stylesheet, the scripts, the icons.
# (The web-vitals library is loaded only by the sampled pages' vitals.js, but a saved page may be one of them.)
SHELL_FILES = (
    "app.css",
    "app.js",
    "pwa.js",
    "vitals.js",
    "vendor/htmx*.js",
    "vendor/web-vitals-*.js",
    "icons/icon.svg",
    "icons/*.png",
)
# Saved pages outlive shell versions (a new stylesheet does not make yesterday's copy of a match useless).
PAGES_CACHE = "betscore-pages-v1"
COLOUR = "#0b1220"


@dataclass(frozen=True)
class Built:
    """The worker script, the offline page and the manifest, rendered once per app (static files never change
    while it runs): the routes only send bytes."""

    version: str
    worker: bytes
    offline: bytes
    manifest: bytes


def shell_urls(names: list[str]) -> list[str]:
    """The versioned URLs of the shell's files among `names` (each URL carries its file's hash)."""
    return [assets.asset(name) for name in names if any(fnmatch(name, pattern) for pattern in SHELL_FILES)]


def version_of(shell: list[str], offline: bytes) -> str:
    """The shell's version: it changes when any shell file (its hash is in its URL) or the offline page changes."""
    digest = hashlib.blake2b(digest_size=6)
    for url in shell:
        digest.update(url.encode() + b"\n")
    digest.update(offline)
    return digest.hexdigest()


def manifest() -> dict[str, Any]:
    """The web app manifest: what an installed BetScore is called, looks like, and opens."""

    def icon(name: str, size: str, purpose: str = "any") -> dict[str, str]:
        kind = "image/svg+xml" if name.endswith(".svg") else "image/png"
        return {"src": assets.asset(f"icons/{name}"), "sizes": size, "type": kind, "purpose": purpose}

    def screenshot(name: str, size: str, form_factor: str, label: str) -> dict[str, str]:
        src = assets.asset(f"screenshots/{name}")
        return {"src": src, "sizes": size, "type": "image/png", "form_factor": form_factor, "label": label}

    def shortcut(name: str, endpoint: str, description: str) -> dict[str, Any]:
        return {
            "name": name,
            "short_name": name,
            "description": description,
            "url": url_for(endpoint),
            "icons": [icon("icon-192.png", "192x192")],
        }

    return {
        "id": url_for("matches.index"),
        "name": "BetScore",
        "short_name": "BetScore",
        "description": "Every bookmaker's price side by side, live scores and fair odds.",
        "lang": "en",
        "dir": "ltr",
        "start_url": url_for("matches.index"),
        "scope": "/",
        "display": "standalone",
        "background_color": COLOUR,
        "theme_color": COLOUR,
        "categories": ["sports", "news"],
        "icons": [
            icon("icon.svg", "any"),
            icon("icon-192.png", "192x192"),
            icon("icon-512.png", "512x512"),
            icon("icon-maskable-192.png", "192x192", "maskable"),
            icon("icon-maskable-512.png", "512x512", "maskable"),
        ],
        "screenshots": [
            screenshot("matches-narrow.png", "360x800", "narrow", "Today's matches with the best price of each"),
            screenshot("match-narrow.png", "360x800", "narrow", "A match: every bookmaker's price and fair odds"),
            screenshot("matches-wide.png", "1280x800", "wide", "Today's matches with the best price of each"),
        ],
        "shortcuts": [
            shortcut("Matches", "matches.index", "Today's matches and prices"),
            shortcut("Model", "predictions.show", "The model's forecasts and track record"),
            shortcut("My bets", "bets.index", "The bets you track"),
        ],
    }


def _build(app: Flask) -> Built:
    with app.test_request_context():  # what it renders depends on the static files, never on a request
        offline = render_template("pwa/offline.html", pages_cache=PAGES_CACHE).encode()
        shell = shell_urls(assets.names())
        version = version_of(shell, offline)
        worker = render_template(
            "pwa/sw.js",
            version=version,
            shell=[*shell, url_for("site.offline")],
            offline=url_for("site.offline"),
            pages_cache=PAGES_CACHE,
        ).encode()
        document = json.dumps(manifest(), indent=1, ensure_ascii=False).encode()
    return Built(version=version, worker=worker, offline=offline, manifest=document)


def built() -> Built:
    """This app's worker, offline page and manifest, rendered on first use and then kept."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    done = app.extensions.get("betscore.pwa")
    if done is None:  # two first requests at once render it twice, identically
        done = app.extensions["betscore.pwa"] = _build(app)
    return done


def send(body: bytes, mimetype: str) -> Response:
    """A rendered part, revalidated on every use (no-cache) and answered 304 when unchanged."""
    response = current_app.response_class(body, mimetype=mimetype)
    response.cache_control.no_cache = True
    response.set_etag(hashlib.blake2b(body, digest_size=8).hexdigest())
    response.make_conditional(request)  # 304 and no body when the browser's copy is this one
    return response


def init_app(app: Flask) -> None:
    @app.after_request
    def private_when_personal(response: Response) -> Response:
        # A page for a signed-in viewer, or one that sets a cookie or writes the session (a form's CSRF token, a
        # flashed message), is theirs alone: `private` keeps it out of shared caches and out of the service
        # worker's saved pages (a worker cannot see Set-Cookie; the session's cookie is set after this hook).
        if response.mimetype != "text/html" or request.path.startswith("/static/"):
            return response
        if "Set-Cookie" in response.headers or session.modified or current_user.is_authenticated:
            response.cache_control.private = True
            if not response.cache_control.no_store:
                response.cache_control.no_cache = True
        return response
