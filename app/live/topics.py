"""Topic names a page may subscribe to, validated; a user's own topic is theirs alone.

match:<id>             one match: its header, odds board and details
league:<key>           one league's page: its rows and table
matches:<yyyy-mm-dd>   the matches list of one local date (a match is published on the
                       dates it may fall on in any time zone: its UTC date and the days either side)
user:<id>              one signed-in user: small events telling the page to fetch its own data
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from app.web.urls import MAX_ID

MAX_LENGTH = 48
LEAGUE_KEY = re.compile(r"[a-z0-9_-]{1,32}")
DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
NUMBER = re.compile(r"[1-9][0-9]{0,9}")
KINDS = ("match", "league", "matches", "user")


class TopicError(ValueError):
    """A topic that is malformed, or that this connection may not have (`forbidden`)."""

    def __init__(self, topic: str, reason: str, forbidden: bool = False) -> None:
        super().__init__(reason)
        self.topic = topic[:MAX_LENGTH]
        self.forbidden = forbidden


@dataclass(frozen=True)
class Topic:
    kind: str
    value: str

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"


def parse(name: str) -> Topic:
    """A valid topic, or TopicError saying what is wrong with it."""
    if not isinstance(name, str) or not name or len(name) > MAX_LENGTH:
        raise TopicError(str(name), f"a topic is a short string such as 'match:42' (at most {MAX_LENGTH} characters)")
    kind, sep, value = name.partition(":")
    if not sep or kind not in KINDS:
        raise TopicError(name, f"unknown topic kind; one of: {', '.join(KINDS)}")
    if kind in ("match", "user"):
        if not NUMBER.fullmatch(value) or int(value) > MAX_ID:
            raise TopicError(name, f"'{kind}:' takes a positive whole number")
    elif kind == "league":
        if not LEAGUE_KEY.fullmatch(value):
            raise TopicError(name, "'league:' takes a league key such as 'epl'")
    else:
        try:
            if not DAY.fullmatch(value):  # fromisoformat would also take week dates such as 2026-W48-3
                raise ValueError
            date.fromisoformat(value)
        except ValueError:
            raise TopicError(name, "'matches:' takes a date such as 2026-11-25") from None
    return Topic(kind, value)


def allowed(name: str, user_id: int | None) -> Topic:
    """The topic, if this viewer may subscribe to it: another user's topic is forbidden."""
    topic = parse(name)
    if topic.kind == "user" and (user_id is None or int(topic.value) != user_id):
        raise TopicError(name, "a user topic is only for that user, signed in", forbidden=True)
    return topic


def match(match_id: int) -> str:
    return f"match:{match_id}"


def league(key: str) -> str:
    return f"league:{key}"


def matches(day: date) -> str:
    return f"matches:{day.isoformat()}"


def user(user_id: int) -> str:
    return f"user:{user_id}"
