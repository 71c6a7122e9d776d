"""HTMX helpers: detect htmx requests and mark responses that vary on them."""

from __future__ import annotations

from flask import Response, request


def is_htmx() -> bool:
    return request.headers.get("HX-Request") == "true"


def vary_on_htmx(response: Response) -> Response:
    """Caches must not serve the fragment for the page or the reverse."""
    response.vary.add("HX-Request")
    return response


def hx_redirect(response: Response, location: str) -> Response:
    response.headers["HX-Redirect"] = location
    return response
