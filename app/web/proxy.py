"""The visitor's address and scheme behind the proxies we trust: TRUSTED_PROXIES of them (1 on Fly; 0 trusts none).

Trusted, their headers rewrite the WSGI environ before Flask sees the request, so everything that reads
`request.remote_addr` (the rate limiter's key, the live service's cap per address) sees the visitor and not the proxy,
and `request.is_secure` (the Secure flag of preference cookies, the socket's origin in the CSP) follows the scheme the
visitor used. Untrusted, these headers are whatever the visitor typed, and nothing reads them.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import TYPE_CHECKING

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment


class FlyClientIP:
    """Fly's proxy says whom it accepted the connection from in Fly-Client-IP (a visitor's own is replaced): behind it,
    that is the visitor. Its X-Forwarded-For ends with an address of the app's own, not the visitor's (Fly's docs)."""

    def __init__(self, app: WSGIApplication) -> None:
        self.app = app

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        address = environ.get("HTTP_FLY_CLIENT_IP", "").strip()
        if _is_address(address):
            environ["REMOTE_ADDR"] = address
        return self.app(environ, start_response)


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def init_app(app: Flask) -> None:
    hops = app.config["TRUSTED_PROXIES"]
    if hops:
        # Not X-Forwarded-Host: Fly passes the visitor's Host through and sets none, so one would be the visitor's.
        app.wsgi_app = ProxyFix(FlyClientIP(app.wsgi_app), x_for=hops, x_proto=hops)  # type: ignore[method-assign]
