"""The prediction on the match page: the model beside the market, the reasons, and value with its edge."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.predictions import fragments, jobs
from app.predictions.models import Prediction


def test_the_match_page_shows_the_prediction_its_reasons_and_value(app, client):
    jobs.refresh_predictions("epl")
    db.session.commit()
    prediction = db.session.scalars(select(Prediction).order_by(Prediction.id)).first()
    html = client.get(f"/matches/{prediction.match_id}").get_data(as_text=True)
    card = html[html.index(f'id="prediction-{prediction.match_id}"'):]
    assert "Our model" in card and "Market" in card and "Why" in card
    assert f"{prediction.p_home * 100:.0f}%" in card
    assert "Home advantage" in card
    values, consensus = fragments.value_bets(prediction, prediction.match_id)
    assert consensus is not None
    for v in values:
        assert v.edge == pytest.approx(v.probability * v.price - 1) and v.edge > 0
    if values:
        assert re.search(r"edge \d", card)


def test_a_match_without_a_prediction_has_no_card(app, client):
    from app.matches.models import Match

    match = db.session.scalars(select(Match).where(Match.status == "scheduled")).first()
    assert 'class="prediction card"' not in client.get(f"/matches/{match.id}").get_data(as_text=True)
