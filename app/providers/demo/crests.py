"""The demo world's own crests and badges: small SVGs drawn from a club's or league's name, the same every time,
so the embedded app shows crests with no network. A club's shield takes two colours and a pattern from its name,
and carries its code; a league's badge is a roundel with its initials."""

from __future__ import annotations

import hashlib
from xml.sax.saxutils import escape

# Strong kit colours, each readable with white or black letters (the second of each pair).
PALETTE: tuple[tuple[str, str], ...] = (
    ("#c8102e", "#ffffff"),
    ("#034694", "#ffffff"),
    ("#6cabdd", "#1c2c5b"),
    ("#fdb913", "#231f20"),
    ("#132257", "#ffffff"),
    ("#7a263a", "#ffffff"),
    ("#00a650", "#ffffff"),
    ("#241f20", "#ffffff"),
    ("#ef0107", "#ffffff"),
    ("#0057b8", "#ffdd00"),
    ("#e30613", "#000000"),
    ("#5c2d91", "#ffffff"),
    ("#ff6900", "#000000"),
    ("#004d98", "#a50044"),
    ("#ffffff", "#1b458f"),
    ("#008b45", "#ffd700"),
)
SHIELD = "M4 3h56v22c0 19-12 30-28 36C16 55 4 44 4 25z"
PATTERNS = ("plain", "halves", "stripes", "hoops", "sash", "chevron")


def _digest(*parts: str) -> bytes:
    return hashlib.sha256("\x1f".join(parts).encode()).digest()


def _pattern(kind: str, colour: str) -> str:
    """The second colour's shape on the shield's field, clipped to the shield."""
    shapes = {
        "plain": "",
        "halves": f'<rect x="32" y="0" width="32" height="64" fill="{colour}"/>',
        "stripes": "".join(f'<rect x="{x}" y="0" width="7" height="64" fill="{colour}"/>' for x in (11, 25, 39, 53)),
        "hoops": "".join(f'<rect x="0" y="{y}" width="64" height="7" fill="{colour}"/>' for y in (12, 26, 40, 54)),
        "sash": f'<path d="M0 8L12 0L64 52L52 64z" fill="{colour}"/>',
        "chevron": f'<path d="M0 14L32 34L64 14v12L32 46L0 26z" fill="{colour}"/>',
    }
    return shapes[kind]


def club_crest(name: str, code: str) -> bytes:
    """A shield in the club's two colours with its code (ARS, MCI, ...): distinct clubs, distinct crests."""
    digest = _digest("club", name, code)
    field, letters = PALETTE[digest[0] % len(PALETTE)]
    second = PALETTE[digest[1] % len(PALETTE)][0]
    if second == field:
        second = letters
    kind = PATTERNS[digest[2] % len(PATTERNS)]
    label = escape(code.upper()[:3])
    # The code sits on a band of the field colour so it stays readable over any pattern.
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" width="64" height="64">'
        f'<clipPath id="s"><path d="{SHIELD}"/></clipPath>'
        f'<g clip-path="url(#s)"><rect width="64" height="64" fill="{field}"/>{_pattern(kind, second)}'
        f'<rect x="0" y="22" width="64" height="18" fill="{field}"/></g>'
        f'<path d="{SHIELD}" fill="none" stroke="{letters}" stroke-width="3"/>'
        f'<text x="32" y="36" text-anchor="middle" font-family="Arial,Helvetica,sans-serif" font-size="14" '
        f'font-weight="700" fill="{letters}">{label}</text></svg>'
    )
    return svg.encode()


def league_badge(name: str, key: str) -> bytes:
    """A roundel with the league's initials (PL, LL, SA, BL, L1) in colours of its own."""
    digest = _digest("league", name, key)
    field, letters = PALETTE[digest[0] % len(PALETTE)]
    words = [w for w in name.replace("-", " ").split() if w[:1].isalnum()]
    initials = "".join(w[0] for w in words)[:2].upper() or key[:2].upper()
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" width="64" height="64">'
        f'<circle cx="32" cy="32" r="29" fill="{field}" stroke="{letters}" stroke-width="4"/>'
        f'<circle cx="32" cy="32" r="21" fill="none" stroke="{letters}" stroke-width="1.5"/>'
        f'<text x="32" y="38" text-anchor="middle" font-family="Arial,Helvetica,sans-serif" font-size="17" '
        f'font-weight="700" fill="{letters}">{escape(initials)}</text></svg>'
    )
    return svg.encode()
