"""Response headers every page carries (CSP without inline script, HSTS in production)."""

from __future__ import annotations

from flask import Flask, Response, request

CSP = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self' ws: wss:",
        "manifest-src 'self'",
        "worker-src 'self'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "object-src 'none'",
    )
)
# rq-dashboard's pages only (app/admin/dashboard.py): inline script and styles, underscore's compiled templates.
RQ_DASHBOARD_CSP = CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline' 'unsafe-eval'").replace(
    "style-src 'self'", "style-src 'self' 'unsafe-inline'"
)


def init_app(app: Flask) -> None:
    production = app.config["ENV_NAME"] == "production"

    @app.after_request
    def headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CSP)
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
