"""An image's type comes from its first bytes, never from its name or a server's word."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.media.images import KEY, NotAnImage, content_type, key_for, sniff
from app.providers.demo.crests import club_crest, league_badge
from tests.media.conftest import image


@pytest.mark.parametrize(
    ("name", "ext"),
    [("python.png", "png"), ("python.jpg", "jpg"), ("python.gif", "gif"), ("python.webp", "webp"), ("icon.svg", "svg")],
)
def test_real_images_are_recognised(name: str, ext: str) -> None:
    data = image(name)
    assert sniff(data) == ext
    assert key_for(data) == f"{hashlib.sha256(data).hexdigest()}.{ext}"


@pytest.mark.parametrize(
    "data",
    [
        image("python.bmp"),  # a real image, of a type this site does not serve
        b"",
        b"<html><body>Not found</body></html>",
        b'{"errors": "rate limited"}',
        b"\x00<svg xmlns='http://www.w3.org/2000/svg'/>",
        b"\xff<svg>",
        b"<svgx></svgx>",
        b"<!DOCTYPE svg [<!ENTITY a 'b'>]><svg>",  # an internal subset (entity tricks) is refused
        b"GIF8",
        b"RIFF\x00\x00\x00\x00WAVE",
    ],
)
def test_anything_else_is_not_an_image(data: bytes) -> None:
    with pytest.raises(NotAnImage):
        sniff(data)


def test_svg_with_declaration_comment_and_doctype() -> None:
    svg = (
        b'\xef\xbb\xbf<?xml version="1.0" encoding="UTF-8"?>\n<!-- made by hand -->\n'
        b'<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n'
        b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"></svg>'
    )
    assert sniff(svg) == "svg"


def test_demo_drawings_are_svg_and_distinct() -> None:
    crests = {club_crest(name, code) for name, code in (("Arsenal", "ARS"), ("Chelsea", "CHE"), ("Everton", "EVE"))}
    assert len(crests) == 3 and all(sniff(c) == "svg" for c in crests)
    assert club_crest("Arsenal", "ARS") == club_crest("Arsenal", "ARS")  # deterministic
    assert b">ARS</text>" in club_crest("Arsenal", "ARS")
    assert b">PL</text>" in league_badge("Premier League", "epl")
    assert sniff(league_badge("Serie A", "seriea")) == "svg"


@given(st.binary(max_size=64))
def test_any_bytes_are_sniffed_or_refused(data: bytes) -> None:
    try:
        ext = sniff(data)
    except NotAnImage:
        return
    assert KEY.fullmatch(key_for(data)) and content_type(key_for(data)) is not None and ext in key_for(data)


@given(st.text(max_size=80))
def test_only_well_formed_keys_have_a_type(text: str) -> None:
    assert (content_type(text) is None) == (KEY.fullmatch(text) is None)
