"""The ceiling for `make bench`: a bare Flask app rendering a 30-row Jinja table.

No extensions, no database, no cache, no after-request hooks: only routing, one template
render and the WSGI round trip. The app's pages are reported as a fraction of this route's
throughput under the same gunicorn configuration and the same load.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Flask, render_template

app = Flask(__name__)

TEAMS = (
    "Arsenal",
    "Aston Villa",
    "Bournemouth",
    "Brentford",
    "Brighton",
    "Chelsea",
    "Crystal Palace",
    "Everton",
    "Fulham",
    "Liverpool",
    "Manchester City",
    "Manchester United",
    "Newcastle United",
    "Nottingham Forest",
    "Tottenham Hotspur",
    "West Ham United",
    "Wolverhampton",
    "Real Madrid",
    "Barcelona",
    "Atletico Madrid",
    "Sevilla",
    "Valencia",
    "Bayern Munich",
    "Borussia Dortmund",
    "RB Leipzig",
    "Bayer Leverkusen",
    "Juventus",
    "Inter",
    "AC Milan",
    "Napoli",
    "Roma",
    "Lazio",
)


def _rows() -> list[dict[str, str]]:
    """30 fixed fixtures: kickoff, home, away and the three 1X2 prices, as strings."""
    start = datetime(2026, 11, 28, 12, 30)
    rows = []
    for i in range(30):
        rows.append(
            {
                "kickoff": (start + timedelta(minutes=75 * i)).strftime("%a %d %b %H:%M"),
                "home": TEAMS[i % len(TEAMS)],
                "away": TEAMS[(i * 7 + 3) % len(TEAMS)],
                "home_price": f"{1.45 + (i * 37 % 250) / 100:.2f}",
                "draw_price": f"{2.90 + (i * 13 % 120) / 100:.2f}",
                "away_price": f"{1.80 + (i * 53 % 400) / 100:.2f}",
            }
        )
    return rows


ROWS = _rows()


@app.get("/")
def index() -> str:
    return render_template("baseline.html", rows=ROWS)
