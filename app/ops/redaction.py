"""Defence in depth for the rule that no email address, password, token, session id or provider key is written to a
log or sent to error tracking: what looks like one is masked (loggers whose job is to show a link, as the development
outbox's, are exempted by their feature). One function, `redact`, serves the log filter, the JSON lines and Sentry."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote, quote_plus

from flask import Flask, has_request_context, request

MASK = "[redacted]"
_WORD = r"A-Za-z0-9_\-"
PATTERNS = (
    # An email address.
    re.compile(r"[^\s@<>\"'(),;:/]+@[^\s@<>\"'(),;:/]+\.[A-Za-z]{2,}"),
    # An itsdangerous token (payload.timestamp.signature), as in a reset or confirmation link.
    re.compile(rf"[{_WORD}]{{8,}}\.[{_WORD}]{{4,}}\.[{_WORD}]{{16,}}"),
    # A session id or other random secret: 32+ URL-safe characters mixing upper and lower case and digits (a UUID or a
    # hex digest, which are not secrets here, mixes no upper case).
    re.compile(
        rf"(?<![{_WORD}])(?=[{_WORD}]*[A-Z])(?=[{_WORD}]*[a-z])(?=[{_WORD}]*[0-9])[{_WORD}]{{32,}}(?![{_WORD}])"
    ),
)
# A name that says its value is secret or personal: as a query or form parameter, a header, a keyword or a dict key.
# The providers' keys travel as apiKey (The Odds API), x-apisports-key (API-Football), x-rapidapi-key, X-Auth-Token
# (football-data); sign-in forms send email, password, current and confirm; OAuth callbacks carry a code.
SENSITIVE_NAME = re.compile(
    r"(?i)[\w-]*(?:pass(?:wd|word)|secret|token|api[_-]?key|apisports-key|rapidapi-key|auth|signature|credential"
    r"|cookie|session)[\w-]*|email|code|current|confirm|dsn"
)
# name=value, name: value, 'name': 'value' (a query string, a form body, a header, a dict's repr), and ('name', 'value')
# (a MultiDict's repr): the value goes when the name is secret-sounding, the name stays. Any name is matched, then
# judged: a regex naming them all would try every split of every word.
NAMED = (
    re.compile(r"""(?<![\w-])([\w-]+)(['"]?\s*[=:]\s*['"]?)([^&\s'",;]+)"""),
    re.compile(r"""(['"])([\w-]+)(['"]\s*,\s*['"])([^'"]+)"""),
)
BEARER = re.compile(r"(?i)\b(bearer|basic|token)\s+[A-Za-z0-9._~+/=-]{8,}")
# Handlers of these loggers, and the root's, carry the filter: the app's own lines, the development server's and
# gunicorn's access and error lines.
LOGGERS = ("", "werkzeug", "gunicorn.error", "gunicorn.access", "betscore")
# Loggers left unmasked: their lines exist to carry a link (accounts' development outbox).
EXEMPT: set[str] = set()
# The app's own secrets (provider keys, the secret key, mail and OAuth passwords), as written and as URL-encoded;
# longest first, so a secret is masked whole before a shorter one inside it.
SECRETS: list[str] = []
SECRET_SETTING = re.compile(r"(KEY|SECRET|PASSWORD|TOKEN)$")
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
_REQUEST_VALUES = "betscore.redaction.values"
_SHORTEST = 4  # a shorter value would mask ordinary words wherever it appears


def redact(text: str) -> str:
    """The text with what looks like a secret or personal data masked; within a request, also the values of its
    secret-named query and form fields wherever they appear (a password is not recognisable by its look)."""
    for secret in (*_request_values(), *SECRETS):
        if secret in text:
            text = text.replace(secret, MASK)
    # A header's scheme and a named value first: an address or key given by name keeps the name beside its mask.
    text = BEARER.sub(rf"\1 {MASK}", text)
    text = NAMED[0].sub(_mask_named, text)
    text = NAMED[1].sub(_mask_pair, text)
    if "@" in text:
        text = PATTERNS[0].sub(MASK, text)
    if len(text) >= 30:  # shorter, neither a token (30 at the least) nor a session id (32)
        text = PATTERNS[1].sub(MASK, text)
        text = PATTERNS[2].sub(MASK, text)
    return text


def _mask_named(match: re.Match[str]) -> str:
    return f"{match[1]}{match[2]}{MASK}" if sensitive(match[1]) else match[0]


def _mask_pair(match: re.Match[str]) -> str:
    return f"{match[1]}{match[2]}{match[3]}{MASK}" if sensitive(match[2]) else match[0]


def scrub(value: Any) -> Any:
    """A copy of a JSON-like structure (a log line's fields, a Sentry event) with every string redacted and every
    string under a secret-sounding key masked whole."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, Mapping):
        return {
            k: MASK if isinstance(v, str) and isinstance(k, str) and sensitive(k) else scrub(v)
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [scrub(v) for v in value]
    return value


def sensitive(name: str) -> bool:
    return SENSITIVE_NAME.fullmatch(name) is not None


def remember(secrets: Iterable[str]) -> None:
    """Mask these values wherever they appear, as written and URL-encoded."""
    known = set(SECRETS)
    for secret in secrets:
        if secret and len(secret) >= 8:
            known.update({secret, quote(secret, safe=""), quote_plus(secret)})
    SECRETS[:] = sorted(known, key=len, reverse=True)


def _request_values() -> tuple[str, ...]:
    if not has_request_context():
        return ()
    values = request.environ.get(_REQUEST_VALUES)
    if values is None:
        try:
            fields = list(request.args.items(multi=True))
            if request.mimetype in FORM_TYPES:  # parsed as the view would: nothing a view reads is consumed here
                fields += request.form.items(multi=True)
        except Exception:  # a body too large or malformed: its view answers for it; the patterns still apply
            fields = []
        found = {v for k, v in fields if sensitive(k) and len(v) >= _SHORTEST}
        values = request.environ[_REQUEST_VALUES] = tuple(sorted(found, key=len, reverse=True))
    return values


class Redact(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.name in EXEMPT:
            return True
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        return True


def exempt(logger: str) -> None:
    """Leave a logger's lines unmasked: a feature's own, whose job is to show what the filter would hide."""
    EXEMPT.add(logger)


def install() -> None:
    """Put the filter on every handler of the app's loggers that lacks it (idempotent: each app made calls it)."""
    for name in LOGGERS:
        for handler in logging.getLogger(name).handlers:
            if not any(isinstance(f, Redact) for f in handler.filters):
                handler.addFilter(Redact())


def init_app(app: Flask) -> None:
    """The app's configured secrets are masked wherever they appear; the filter sits on the log handlers."""
    remember(v for k, v in app.config.items() if SECRET_SETTING.search(k) and isinstance(v, str))
    install()
