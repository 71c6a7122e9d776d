"""Friendly error pages: every failure a visitor can cause gets a page, never a bare 500."""

from __future__ import annotations

import logging

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from app.web.htmx import is_htmx

log = logging.getLogger("betscore.errors")


def render_error(error: HTTPException) -> tuple[str, int]:
    template = "errors/_error.html" if is_htmx() else "errors/error.html"
    code = error.code or 500
    return render_template(template, code=code, title=error.name, message=error.description), code


def _csrf(error: CSRFError) -> tuple[str, int]:
    error.description = "Your form expired or came from another site. Reload the page and try again."
    return render_error(error)


def _unexpected(error: Exception) -> tuple[str, int]:
    log.exception("unhandled error on %s %s", request.method, request.path)
    return render_error(InternalServerError("Something went wrong on our side. It has been logged."))


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, _csrf)
    app.register_error_handler(HTTPException, render_error)
    app.register_error_handler(Exception, _unexpected)
