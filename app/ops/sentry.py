"""Error tracking: sentry-sdk with the Flask and RQ integrations, when SENTRY_DSN is set."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    if not app.config["SENTRY_DSN"]:
        return
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
