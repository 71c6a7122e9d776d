"""Defence in depth for the rule that no email address, password, token or session id is written to a log: a filter
on the app's log handlers masks what looks like one (loggers whose job is to show a link, as the development outbox's,
are exempted by their feature)."""

from __future__ import annotations

import logging
import re

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
# Handlers of these loggers, and the root's, carry the filter: the app's own lines, the development server's and
# gunicorn's access and error lines.
LOGGERS = ("", "werkzeug", "gunicorn.error", "gunicorn.access", "betscore")
# Loggers left unmasked: their lines exist to carry a link (accounts' development outbox).
EXEMPT: set[str] = set()


def redact(text: str) -> str:
    for pattern in PATTERNS:
        text = pattern.sub(MASK, text)
    return text


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
