"""Compressed text responses (Flask-Compress): brotli or gzip, as the browser asks, for text over 500 bytes.

Flask-Compress is registered by hand rather than on every response: a websocket's closing answer (flask-sock writes
it after the socket ends) must go out as it is, and the live socket compresses its own messages when configured
(LIVE_COMPRESSION). It leaves 1xx, 3xx (the 304s), 4xx/5xx bodies, images and tiny answers alone, and adds
`Vary: Accept-Encoding` to every answer it sees. Our ETags are weak, so it leaves them as they are.
"""

from __future__ import annotations

from flask import Flask, Response, request
from flask_compress import Compress

compress = Compress()
TEXT = [
    "text/html",
    "text/css",
    "text/plain",
    "text/csv",
    "text/javascript",
    "application/javascript",
    "application/json",
    "application/manifest+json",
    "application/xml",
    "image/svg+xml",
]


def init_app(app: Flask) -> None:
    app.config.setdefault("COMPRESS_MIMETYPES", TEXT)
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    app.config.setdefault("COMPRESS_ALGORITHM_STREAMING", ["br", "gzip"])
    app.config.setdefault("COMPRESS_MIN_SIZE", 500)
    app.config.setdefault("COMPRESS_BR_LEVEL", 4)  # fast enough per request; static files are compressed once each
    app.config["COMPRESS_REGISTER"] = False
    compress.init_app(app)

    @app.after_request
    def compressed(response: Response) -> Response:
        if request.headers.get("Upgrade", "").lower() == "websocket":
            return response
        body = response.response
        answer = compress.after_request(response)
        if answer.response is not body and callable(getattr(body, "close", None)):
            # A streamed body (a static file) now sits inside the compressor's generator, and closing the response
            # closes only that: close the file too, as the response would have.
            answer.call_on_close(body.close)  # type: ignore[union-attr]
        return answer
