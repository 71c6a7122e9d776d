"""/media/<key>: a stored image, served from this site (the page CSP keeps img-src 'self') and cached for good:
a key names its content, so it never changes."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, request
from flask_limiter import ExemptionScope

from app.extensions import limiter
from app.media import images, store

# An SVG opened on its own is a document: no script, no fetch, no form, sandboxed; inline styles only.
SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
IMAGE_CSP = "default-src 'none'; sandbox"


bp = Blueprint("media", __name__)


def _media_limit() -> str:
    return str(current_app.config["RATELIMIT_MEDIA"])


# Outside the site-wide budget, as static files are: one page shows dozens of crests, and each would spend a page's
# share. Its own limit still bounds what one address can make the store look up. (Set on the blueprint: Flask-Limiter
# drops a view's own limit when the view is exempted from anything.)
limiter.exempt(bp, flags=ExemptionScope.APPLICATION)
limiter.limit(_media_limit)(bp)


@bp.get("/media/<key>")
def show(key: str) -> Response:
    mimetype = images.content_type(key)
    if mimetype is None:
        abort(404, "No such image.")
    digest = key.partition(".")[0]
    if request.if_none_match.contains(digest):
        return _headers(Response(status=304), digest, mimetype)
    try:
        data = store.storage(current_app).get(key)
    except Exception:  # the store unreachable (bucket down): a passing fault, not a bad request
        current_app.logger.exception("reading image %s failed", key)
        abort(503, "Images are unavailable for a moment.")
    if data is None:
        abort(404, "No such image.")
    return _headers(Response(data, mimetype=mimetype), digest, mimetype)


def _headers(response: Response, digest: str, mimetype: str) -> Response:
    response.set_etag(digest)
    response.headers["Cache-Control"] = store.IMMUTABLE
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = SVG_CSP if mimetype == images.TYPES["svg"] else IMAGE_CSP
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    return response
