"""Team-name normalisation: the same club, however a provider spells it, gives the same key."""

from __future__ import annotations

import re
import unicodedata

# Club-type words, articles and founding years say nothing about which club it is.
STOPWORDS = frozenset(
    {
        "fc",
        "afc",
        "cf",
        "cfc",
        "sc",
        "ac",
        "as",
        "ss",
        "ssc",
        "us",
        "rc",
        "rcd",
        "cd",
        "ca",
        "ud",
        "sd",
        "bc",
        "acf",
        "ogc",
        "sco",
        "aj",
        "sv",
        "vfl",
        "vfb",
        "tsg",
        "fsv",
        "club",
        "de",
        "del",
        "la",
        "le",
        "calcio",
        "the",
        "and",
        "football",
        "futbol",
        "balompie",
    }
)

# Short forms and other names in common use, after normalisation -> the key they stand for.
SYNONYMS: dict[str, str] = {
    "man utd": "manchester united",
    "man united": "manchester united",
    "manchester utd": "manchester united",
    "man city": "manchester city",
    "wolves": "wolverhampton wanderers",
    "wolverhampton": "wolverhampton wanderers",
    "spurs": "tottenham hotspur",
    "tottenham": "tottenham hotspur",
    "brighton": "brighton hove albion",
    "brighton hove": "brighton hove albion",
    "newcastle": "newcastle united",
    "west ham": "west ham united",
    "leeds": "leeds united",
    "nottingham": "nottingham forest",
    "nottm forest": "nottingham forest",
    "nott m forest": "nottingham forest",
    "sheffield utd": "sheffield united",
    "luton": "luton town",
    "leicester": "leicester city",
    "ipswich": "ipswich town",
    "athletic bilbao": "athletic",
    "atletico": "atletico madrid",
    "celta": "celta vigo",
    "deportivo alaves": "alaves",
    "betis": "real betis",
    "espanyol barcelona": "espanyol",
    "rayo vallecano madrid": "rayo vallecano",
    "internazionale": "inter",
    "internazionale milano": "inter",
    "inter milan": "inter",
    "verona": "hellas verona",
    "bayern munchen": "bayern munich",
    "bayern": "bayern munich",
    "dortmund": "borussia dortmund",
    "leverkusen": "bayer leverkusen",
    "rasenballsport leipzig": "rb leipzig",
    "leipzig": "rb leipzig",
    "frankfurt": "eintracht frankfurt",
    "freiburg": "freiburg",
    "hoffenheim": "hoffenheim",
    "bremen": "werder bremen",
    "gladbach": "borussia monchengladbach",
    "monchengladbach": "borussia monchengladbach",
    "b monchengladbach": "borussia monchengladbach",
    "cologne": "koln",
    "hamburg": "hamburger",
    "union": "union berlin",
    "psg": "paris saint germain",
    "paris sg": "paris saint germain",
    "olympique marseille": "marseille",
    "olympique lyonnais": "lyon",
    "stade rennais": "rennes",
    "losc lille": "lille",
    "losc": "lille",
    "stade brestois": "brest",
    "rc strasbourg alsace": "strasbourg",
    "strasbourg alsace": "strasbourg",
}


def normalise(name: str) -> str:
    """Lower case, no accents or punctuation, no club-type words or years."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower().replace("&", " and ")
    words = [w for w in re.split(r"[^a-z0-9]+", text) if w and w not in STOPWORDS and not w.isdigit()]
    return " ".join(words)


def key(name: str) -> str:
    """The comparison key: the normalised name, or the name it is a short form of."""
    normal = normalise(name)
    return SYNONYMS.get(normal, normal)
