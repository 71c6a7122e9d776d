"""Shared HTTP for every provider client: timeouts, errors as ProviderError, keys never shown.

No Flask, no database. (Retries, the circuit breaker and quota reading are layered in here.)
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import requests

from app.providers.base import ProviderError
from app.providers.records import Usage


@dataclass(frozen=True)
class HTTPSettings:
    connect_timeout: float = 3.05
    read_timeout: float = 10.0
    deadline: float = 20.0  # a response that keeps trickling is cut off after this many seconds in all
    max_bytes: int = 8 * 1024 * 1024
    retries: int = 2  # on connection errors, 429 and 5xx
    backoff: float = 0.5  # seconds, doubled per retry
    max_retry_after: float = 30.0  # a longer Retry-After is not waited for: the call fails now


@dataclass(frozen=True)
class JSONResponse:
    data: Any
    status: int
    headers: Mapping[str, str] = field(default_factory=dict)
    usage: Usage | None = None


UsageParser = Callable[[Mapping[str, str]], Usage | None]


class ProviderHTTP:
    """GETs JSON from one provider; every failure is a ProviderError naming provider, call and reason."""

    def __init__(
        self,
        provider: str,
        base_url: str,
        *,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, str] | None = None,
        secrets: Iterable[str] = (),
        settings: HTTPSettings | None = None,
        usage_parser: UsageParser | None = None,
        session: requests.Session | None = None,
    ) -> None:
        self.provider = provider
        self.base_url = base_url.rstrip("/")
        self.headers = dict(headers or {})
        self.params = dict(params or {})
        self.secrets = tuple(s for s in secrets if s)
        self.settings = settings or HTTPSettings()
        self.usage_parser = usage_parser
        self.session = session or requests.Session()
        self.last_usage: Usage | None = None

    def redact(self, text: str) -> str:
        """The text with every configured secret replaced: keys never reach logs or errors."""
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return text

    def error(self, call: str, reason: str) -> ProviderError:
        return ProviderError(self.provider, call, self.redact(reason))

    def get_json(self, call: str, path: str, params: Mapping[str, Any] | None = None) -> JSONResponse:
        """GET base_url + path; JSON body or ProviderError."""
        url = f"{self.base_url}/{path.lstrip('/')}"
        try:
            response = self.session.get(
                url, params={**self.params, **(params or {})}, headers=self.headers,
                timeout=(self.settings.connect_timeout, self.settings.read_timeout),
            )
        except requests.RequestException as exc:
            raise self.error(call, f"request failed: {type(exc).__name__}") from None
        if response.status_code >= 400:
            raise self.error(call, f"HTTP {response.status_code}")
        try:
            data = json.loads(response.content)
        except ValueError:
            raise self.error(call, "response is not JSON") from None
        usage = self.usage_parser(response.headers) if self.usage_parser else None
        if usage is not None:
            self.last_usage = usage
        return JSONResponse(data=data, status=response.status_code, headers=dict(response.headers), usage=usage)
