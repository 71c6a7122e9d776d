"""Response headers every page carries (CSP without inline script, HSTS in production), and the Host check that
turns away a request no URL can be built for before anything of the app runs."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from flask import Flask, Response, request
from werkzeug.exceptions import SecurityError
from werkzeug.wrappers import Response as PlainResponse
from werkzeug.wsgi import get_host

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment


def policy(connect: str, script: str = "'self'", style: str = "'self'") -> str:
    """The Content-Security-Policy: this site's own script and styles only, and connections only to `connect`."""
    return "; ".join(
        (
            "default-src 'self'",
            f"script-src {script}",
            f"style-src {style}",
            "img-src 'self' data:",
            f"connect-src {connect}",
            "manifest-src 'self'",
            "worker-src 'self'",
            "frame-ancestors 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "object-src 'none'",
        )
    )


# rq-dashboard's pages only (app/admin/dashboard.py): inline script and styles, underscore's compiled templates.
RQ_DASHBOARD_CSP = policy("'self'", script="'self' 'unsafe-inline' 'unsafe-eval'", style="'self' 'unsafe-inline'")


def connect_sources(live_origin: str | None) -> str:
    """Where a page may connect: this site, its own socket (ws or wss as the page was served), and the live service's
    origin when it runs apart (LIVE_URL); no other host: the page's sockets and fetches go nowhere else."""
    sources = ["'self'"]
    if request.host:  # empty when the Host header is no host (werkzeug checks its characters)
        sources.append(f"{'wss' if request.is_secure else 'ws'}://{request.host}")
    if live_origin and live_origin not in sources:
        sources.append(live_origin)
    return " ".join(sources)


def _origin(url: str) -> str | None:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


def same_origin() -> bool:
    """The request comes from a page of this site, by its Origin header or, without one, its Referer."""
    source = request.headers.get("Origin") or request.headers.get("Referer")
    try:
        return bool(source) and urlsplit(source).netloc.lower() == request.host.lower()
    except ValueError:  # no URL at all: an unclosed IPv6 bracket, `http://[`
        return False


BAD_HOST = "400 Bad Request: the Host header does not name a valid host, such as betscore.example or 127.0.0.1:8000.\n"


def valid_host(environ: WSGIEnvironment, trusted_hosts: list[str] | None = None) -> bool:
    """A Host header werkzeug can build URLs for: its characters and port (werkzeug's get_host answers '' for bad
    ones), one of the trusted hosts when TRUSTED_HOSTS is set, and a name IDNA can encode, as werkzeug's URL map
    needs when it binds to the request (an empty label, `a..b`, or one past 63 characters fails there, as a 500)."""
    if "HTTP_HOST" not in environ:
        return True  # HTTP/1.0 without a Host header: werkzeug uses the server's own name
    try:
        host = get_host(environ, trusted_hosts)
    except SecurityError:
        return False
    try:
        host.lower().partition(":")[0].encode("idna")
    except UnicodeError:
        return False
    return bool(host)


class HostCheck:
    """WSGI middleware: a request with an invalid Host header is answered 400 here, in plain text, before the rate
    limiter, CSRF, the error pages or anything else that reads the host or builds a URL with it."""

    def __init__(self, app: Flask, wsgi_app: WSGIApplication) -> None:
        self.app, self.wsgi_app = app, wsgi_app

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if valid_host(environ, self.app.config.get("TRUSTED_HOSTS")):
            return self.wsgi_app(environ, start_response)
        headers = {"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"}
        return PlainResponse(BAD_HOST, 400, headers, mimetype="text/plain")(environ, start_response)


def init_app(app: Flask) -> None:
    production = app.config["ENV_NAME"] == "production"
    live_origin = _origin(app.config["LIVE_URL"])
    app.wsgi_app = HostCheck(app, app.wsgi_app)  # type: ignore[method-assign]

    @app.after_request
    def headers(response: Response) -> Response:
        if "Content-Security-Policy" not in response.headers:
            response.headers["Content-Security-Policy"] = policy(connect_sources(live_origin))
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if production:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if response.mimetype == "text/html" and not request.path.startswith("/static/"):
            response.headers.setdefault("Cache-Control", "no-cache")
        return response
