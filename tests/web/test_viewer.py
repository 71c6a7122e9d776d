"""The viewer's odds format: read from the cookie, and pinned for a block by whoever renders for another viewer."""

from __future__ import annotations

import pytest
from flask import render_template_string

from app.web import viewer


def test_a_block_renders_in_the_format_it_names_then_the_viewers_own_again(app):
    with app.test_request_context("/", headers={"Cookie": "odds_format=fractional"}):
        assert render_template_string("{{ 3.5 | price }}") == "5/2"
        with viewer.odds_format_as("american"):
            assert viewer.odds_format() == "american"
            assert render_template_string("{{ 3.5 | price }}") == "+250"
            with viewer.odds_format_as("decimal"):
                assert render_template_string("{{ 3.5 | price }}") == "3.50"
            assert viewer.odds_format() == "american"
        assert viewer.odds_format() == "fractional"


def test_a_block_before_the_format_was_ever_read_leaves_the_cookie_to_decide_after(app):
    with app.test_request_context("/", headers={"Cookie": "odds_format=american"}):
        with viewer.odds_format_as("fractional"):
            assert viewer.odds_format() == "fractional"
        assert viewer.odds_format() == "american"


def test_an_unknown_format_is_refused_and_changes_nothing(app):
    with app.test_request_context("/"):
        with pytest.raises(ValueError, match="hongkong"), viewer.odds_format_as("hongkong"):
            pass
        assert viewer.odds_format() == "decimal"
