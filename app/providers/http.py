"""Shared HTTP for every provider client: timeouts, retries, circuit breaker, quota; keys never shown. No Flask."""

from __future__ import annotations

import contextlib
import json
import logging
import math
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, quote_plus

import requests
from urllib3.exceptions import ReadTimeoutError

from app.providers.base import ProviderError
from app.providers.breaker import CircuitBreaker
from app.providers.quota import retry_after
from app.providers.records import Usage

log = logging.getLogger("betscore.providers.http")
NOT_JSON = "response is not valid JSON (truncated or malformed)"


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


class _Failure(Exception):
    """One attempt's failure: its plain-words reason, whether to retry, whether it is the provider's outage."""

    def __init__(
        self,
        reason: str,
        *,
        retry: bool = False,
        outage: bool = True,
        status: int | None = None,
        wait: float | None = None,
    ) -> None:
        super().__init__(reason)
        self.reason, self.retry, self.outage, self.status, self.wait = reason, retry, outage, status, wait


def _causes(exc: BaseException, depth: int = 0) -> list[BaseException]:
    """The exception and everything it wraps: requests nests urllib3 errors nesting socket errors."""
    nested = (exc.__cause__, exc.__context__, getattr(exc, "reason", None), *exc.args) if depth < 8 else ()
    return [exc, *(c for e in nested if isinstance(e, BaseException) for c in _causes(e, depth + 1))]


# First match wins: a refused connection is a requests.ConnectionError wrapping urllib3's errors.
_CAUSES: tuple[tuple[type[BaseException] | tuple[type[BaseException], ...], str], ...] = (
    (requests.ConnectTimeout, "connect timeout"),
    (ConnectionRefusedError, "connection refused"),
    ((requests.ReadTimeout, ReadTimeoutError, TimeoutError), "read timeout"),
    (ConnectionResetError, "connection reset"),
    (socket.gaierror, "host not found"),
    ((ssl.SSLError, requests.exceptions.SSLError), "TLS error"),
)


def _network_failure(exc: requests.RequestException) -> _Failure:
    """A connection-level error in plain words (never its text: requests puts the URL, query and all, in it)."""
    if isinstance(
        exc,
        requests.exceptions.InvalidURL
        | requests.exceptions.InvalidSchema
        | requests.exceptions.MissingSchema
        | requests.exceptions.InvalidHeader,
    ):
        return _Failure("invalid request URL or header", outage=False)
    causes = _causes(exc)
    for kind, reason in _CAUSES:
        if any(isinstance(cause, kind) for cause in causes):
            return _Failure(reason, retry=True)
    return _Failure("connection failed", retry=True)


def _check_status(status: int, headers: Mapping[str, str]) -> None:
    """Raise what an HTTP status means for this call, unless it is a success."""
    if status == 401:  # a revoked key is an outage for us: it counts for the breaker
        raise _Failure(f"HTTP {status}: key rejected", status=status)
    if status == 403:  # the plan does not cover this resource (football-data.org): the others still work
        raise _Failure(f"HTTP {status}: not allowed for this key", outage=False, status=status)
    if status == 429 or status >= 500:
        raise _Failure(f"HTTP {status}", retry=True, status=status, wait=retry_after(headers))
    if 300 <= status < 400:  # not followed: our key would go wherever it points
        raise _Failure(f"HTTP {status}: unexpected redirect", outage=False, status=status)
    if status >= 400:  # the caller asked for something wrong; the provider is up
        raise _Failure(f"HTTP {status}", outage=False, status=status)


def _outcome(failure: _Failure) -> str:
    """A failed call in one word for the metrics: quota (rate limited), timeout, or error."""
    if failure.status == 429:
        return "quota"
    if "timeout" in failure.reason or "did not finish" in failure.reason:
        return "timeout"
    return "error"


def _parse(headers: Mapping[str, str], body: bytes) -> Any:
    """The JSON body, or a failure saying why it is not one."""
    if "text/html" in headers.get("Content-Type", "").lower() or body[:1024].lstrip().startswith(b"<"):
        raise _Failure("expected JSON, got HTML")
    try:
        return json.loads(body)
    except (ValueError, RecursionError):  # RecursionError: absurdly deep nesting
        raise _Failure(NOT_JSON) from None


def _watchdog(response: requests.Response, seconds: float, fired: threading.Event) -> threading.Timer:
    """A timer that cuts the connection at the deadline: a read blocked inside one chunk never sees the clock."""
    sock = getattr(getattr(response.raw, "connection", None), "sock", None)

    def fire() -> None:
        fired.set()
        if isinstance(sock, socket.socket):
            with contextlib.suppress(OSError):  # the plain socket's: under TLS too, wakes the reader with EOF
                socket.socket.shutdown(sock, socket.SHUT_RDWR)

    timer = threading.Timer(max(0.0, seconds), fire)
    timer.daemon = True
    timer.start()
    return timer


_LIBRARY_SECRETS: set[str] = set()


def _scrub_library_log(record: logging.LogRecord) -> bool:
    """urllib3 logs each request line, query string and all, at DEBUG: scrub our keys out of it."""
    try:
        message = record.getMessage()
    except Exception:  # a record that cannot be formatted cannot be scrubbed: drop it, never break the call
        return False
    for secret in sorted(_LIBRARY_SECRETS, key=len, reverse=True):
        message = message.replace(secret, "***")
    record.msg, record.args = message, None
    return True


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
        on_usage: Callable[[Usage], None] | None = None,
        on_call: Callable[[str, str, str], None] | None = None,
        breaker: CircuitBreaker | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.provider = provider
        self.base_url = base_url.rstrip("/")
        self.headers = dict(headers or {})
        self.params = dict(params or {})
        self.secrets = secrets
        self.settings = settings or HTTPSettings()
        self.usage_parser = usage_parser
        self.session = session or requests.Session()
        self.last_usage: Usage | None = None
        self.on_usage = on_usage
        # Told (provider, call, outcome) after each call that reached the provider: ok, error, timeout or quota.
        self.on_call = on_call
        self.breaker = breaker
        self.requests_sent = 0  # every attempt, retries included: what the quota is charged for
        self.sleep = sleep
        self.clock = clock

    @property
    def secrets(self) -> tuple[str, ...]:
        return self._secrets

    @secrets.setter
    def secrets(self, value: Iterable[str]) -> None:
        """Clients add their key to an injected instance: every redaction follows the assignment."""
        self._secrets = tuple(s for s in value if s)
        # Each secret as written and as URL-encoded into a query string; longest first.
        variants = {v for s in self._secrets for v in (s, quote(s, safe=""), quote_plus(s))}
        self._redactions = sorted(variants, key=len, reverse=True)
        if variants:
            _LIBRARY_SECRETS.update(variants)
            for name in ("urllib3.connectionpool", "urllib3.connection", "urllib3.util.retry", "urllib3.response"):
                logging.getLogger(name).addFilter(_scrub_library_log)  # adding it twice is a no-op

    def redact(self, text: str) -> str:
        """The text with every configured secret replaced: keys never reach logs or errors."""
        for secret in self._redactions:
            text = text.replace(secret, "***")
        return text

    def error(self, call: str, reason: str) -> ProviderError:
        return ProviderError(self.provider, call, self.redact(reason))

    def get_json(self, call: str, path: str, params: Mapping[str, Any] | None = None) -> JSONResponse:
        """GET base_url + path; the JSON body, or a ProviderError saying in plain words what went wrong."""
        if self.breaker is not None:
            self.breaker.before_call(call)
        url = f"{self.base_url}/{path.lstrip('/')}"
        try:
            result = self._attempts(call, url, {**self.params, **(params or {})})
        except _Failure as failure:
            if self.breaker is not None:  # a 404 or 400 is our mistake, and proof the provider is up
                (self.breaker.record_failure if failure.outage else self.breaker.record_success)()
            log.warning("%s", self.redact(f"{self.provider}.{call}: {failure.reason}"))
            self._tell(call, _outcome(failure))
            raise self.error(call, failure.reason) from None
        if self.breaker is not None:
            self.breaker.record_success()
        self._tell(call, "ok")
        return result

    def _tell(self, call: str, outcome: str) -> None:
        if self.on_call is None:
            return
        try:
            self.on_call(self.provider, call, outcome)
        except Exception as exc:  # bookkeeping, like quota: it must never fail the data call
            log.warning("%s: call not recorded (%s)", self.provider, type(exc).__name__)

    def _attempts(self, call: str, url: str, params: Mapping[str, Any]) -> JSONResponse:
        """One attempt, then retries with backoff while the failure is worth retrying."""
        total, attempt = self.settings.retries + 1, 1
        while True:
            try:
                self.requests_sent += 1
                return self._attempt(url, params)
            except _Failure as failure:
                self._wait_or_give_up(call, failure, attempt, total)
            attempt += 1

    def _wait_or_give_up(self, call: str, failure: _Failure, attempt: int, total: int) -> None:
        """Sleep before the next attempt, or raise the failure when no attempt is left or worth making."""
        if not failure.retry:
            raise failure
        if failure.wait is not None and failure.wait > self.settings.max_retry_after:
            what = "rate limited" if failure.status == 429 else failure.reason
            failure.reason = f"{what}, retry after {math.ceil(failure.wait)} s"
            raise failure
        if attempt >= total:
            failure.reason += f" after {attempt} attempts" if attempt > 1 else ""
            raise failure
        delay = max(self.settings.backoff * 2 ** (attempt - 1), failure.wait or 0.0)
        log.info(
            "%s",
            self.redact(
                f"{self.provider}.{call}: {failure.reason}; attempt {attempt} of {total}, retrying in {delay:g} s"
            ),
        )
        self.sleep(delay)

    def _attempt(self, url: str, params: Mapping[str, Any]) -> JSONResponse:
        """One GET: status, headers (quota read even from errors) and the body within the deadline."""
        started = self.clock()
        try:
            timeout = (self.settings.connect_timeout, self.settings.read_timeout)
            response = self.session.get(
                url, params=params, headers=self.headers, timeout=timeout, stream=True, allow_redirects=False
            )  # redirects not followed: keys would go along
        except requests.RequestException as exc:
            raise _network_failure(exc) from None
        with response:
            usage = self._note_usage(response.headers)
            _check_status(response.status_code, response.headers)
            body = self._read_body(response, started)
        data = _parse(response.headers, body)
        return JSONResponse(data=data, status=response.status_code, headers=dict(response.headers), usage=usage)

    def _read_body(self, response: requests.Response, started: float) -> bytes:
        """The whole body, streamed, stopping at settings.max_bytes or settings.deadline."""
        limit, deadline = self.settings.max_bytes, self.settings.deadline
        too_large, too_late = f"response larger than {limit} bytes", f"response did not finish within {deadline:g} s"
        declared = response.headers.get("Content-Length", "")
        if declared.strip().isdigit() and int(declared) > limit:
            raise _Failure(too_large)
        fired, chunks, size = threading.Event(), [], 0
        watchdog = _watchdog(response, deadline - (self.clock() - started), fired)
        try:
            for chunk in response.iter_content(chunk_size=64 * 1024):
                size += len(chunk)
                if size > limit:
                    raise _Failure(too_large)
                if fired.is_set() or self.clock() - started > deadline:
                    raise _Failure(too_late)
                chunks.append(chunk)
        except requests.RequestException as exc:
            if fired.is_set():
                raise _Failure(too_late) from None
            if isinstance(exc, requests.exceptions.ChunkedEncodingError | requests.exceptions.ContentDecodingError):
                raise _Failure(NOT_JSON) from None  # the body broke off or would not decode
            raise _network_failure(exc) from None
        finally:
            watchdog.cancel()
        if fired.is_set():  # a body without a length ends at EOF, which is what the watchdog causes
            raise _Failure(too_late)
        return b"".join(chunks)

    def _note_usage(self, headers: Mapping[str, str]) -> Usage | None:
        """Quota from these headers, kept in last_usage and handed to on_usage."""
        try:
            usage = self.usage_parser(headers) if self.usage_parser is not None else None
            if usage is not None:
                self.last_usage = usage
                if self.on_usage is not None:
                    self.on_usage(usage)
            return usage
        except Exception as exc:  # quota is bookkeeping: it must never fail the data call
            log.warning("%s: quota not recorded (%s)", self.provider, type(exc).__name__)
            return None
