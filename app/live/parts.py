"""Split a rendered region into its live parts, and tell which changed since the last publish.

A part is an element with an `id` and a `data-live` attribute. Its signature is the attribute's
value, or, when that is empty, its own HTML: a part whose text holds a relative time ("3m")
names what it shows instead, so the time passing does not count as a change. The outermost
part is the region: when its signature or the set of parts changes (a bookmaker or a market
appears, a warning shows), pages fetch the whole region again instead.

Templates are ours and autoescaped, so a tag never holds a raw '>' and a scan of tags is enough.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)([^>]*)>")
ID = re.compile(r'\sid="([^"]+)"')
LIVE = re.compile(r'\sdata-live(?:="([^"]*)")?')
VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"})


@dataclass
class _Open:
    tag: str
    ident: str
    signature: str | None
    start: int
    depth: int = 1


def parts(html: str) -> dict[str, tuple[str, str]]:
    """{id: (signature, outer HTML)} for every live part, outermost first."""
    found: dict[str, tuple[str, str]] = {}
    order: list[str] = []
    stack: list[_Open] = []
    for tag_match in TAG.finditer(html):
        closing, tag, attrs = tag_match.group(1) == "/", tag_match.group(2).lower(), tag_match.group(3)
        if not closing:
            if tag in VOID or attrs.endswith("/"):
                continue
            for o in stack:
                if o.tag == tag:
                    o.depth += 1
            live, ident = LIVE.search(attrs), ID.search(attrs)
            if live and ident:
                stack.append(_Open(tag, ident.group(1), live.group(1) or None, tag_match.start()))
                order.append(ident.group(1))
            continue
        for o in stack:
            if o.tag == tag:
                o.depth -= 1
        while stack and stack[-1].depth == 0:
            done = stack.pop()
            outer = html[done.start : tag_match.end()]
            signature = done.signature or "#" + hashlib.blake2b(outer.encode(), digest_size=12).hexdigest()
            found[done.ident] = (signature, outer)
    return {ident: found[ident] for ident in order if ident in found}


@dataclass
class Changes:
    """What to push for one region: its changed parts, or `refetch` (the region's id) when its shape changed."""

    html: list[str] = field(default_factory=list)
    refetch: str | None = None
    signatures: dict[str, str] = field(default_factory=dict)


def changes(html: str, previous: dict[str, str] | None) -> Changes:
    """The parts of `html` whose signatures differ from `previous` (all of them when nothing is known)."""
    found = parts(html)
    if not found:
        return Changes()
    root, *inner = found
    signatures = {ident: sig for ident, (sig, _) in found.items()}
    if previous is not None and (previous.keys() != signatures.keys() or previous[root] != signatures[root]):
        return Changes(refetch=root, signatures=signatures)
    if not inner:  # a region that is a single part: the whole of it, when it changed
        same = previous is not None and previous[root] == signatures[root]
        return Changes(html=[] if same else [found[root][1]], signatures=signatures)
    changed = [found[i][1] for i in inner if previous is None or previous[i] != signatures[i]]
    return Changes(html=changed, signatures=signatures)
