"""Response headers every page carries (CSP without inline script, HSTS in production)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response, request


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


def init_app(app: Flask) -> None:
    production = app.config["ENV_NAME"] == "production"
    live_origin = _origin(app.config["LIVE_URL"])

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


def init_sentry(app: Flask) -> None:
    import sentry_sdk
    from sentry_sdk.integrations.flask import FlaskIntegration
    from sentry_sdk.integrations.rq import RqIntegration

    sentry_sdk.init(
        dsn=app.config["SENTRY_DSN"],
        # Pages, and jobs on RQ workers (each failed job reported with its arguments and traceback).
        integrations=[FlaskIntegration(), RqIntegration()],
        send_default_pii=False,
        # flask-sock reports every closed websocket as StopIteration (see STACK-NOTES).
        ignore_errors=[StopIteration],
        traces_sample_rate=0.0,
    )
