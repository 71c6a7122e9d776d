"""Static data of the demo world: leagues, real clubs with hand-set strengths, bookmakers."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Club:
    """A club: attack > 1 scores more than average, defence < 1 concedes less."""

    name: str
    code: str
    attack: float
    defence: float

    @property
    def short(self) -> str:
        """The name a phone's list row has room for (as football-data.org's shortName), else the full name."""
        return SHORT_NAMES.get(self.name, self.name)


@dataclass(frozen=True, slots=True)
class League:
    """A league with its clubs; `goals_per_side` is the average goals one side scores."""

    key: str
    name: str
    country: str
    goals_per_side: float
    clubs: tuple[Club, ...]

    @property
    def rounds(self) -> int:
        """Rounds in a double round-robin season."""
        return 2 * (len(self.clubs) - 1)


@dataclass(frozen=True, slots=True)
class Bookmaker:
    """A bookmaker's pricing habits.

    `margin` is the 1X2 overround, `noise` the log-sd of its opinion on top of the
    truth, `cadence` a multiplier on the base re-pricing intervals (< 1 is faster),
    `coverage` the share of matches it prices at all.
    """

    key: str
    name: str
    margin: float
    noise: float
    cadence: float
    fractional: bool = False
    btts: bool = True
    handicap: bool = True
    alt_totals: bool = True
    coverage: float = 1.0
    longshot_tilt: float = 0.0


# Short names where the full one does not fit a list row at 360 px, as fans and the press shorten them.
SHORT_NAMES = {
    "Bournemouth": "B’mouth",
    "Brighton & Hove Albion": "Brighton",
    "Crystal Palace": "Palace",
    "Leeds United": "Leeds",
    "Manchester City": "Man City",
    "Manchester United": "Man Utd",
    "Newcastle United": "Newcastle",
    "Nottingham Forest": "Forest",
    "Tottenham Hotspur": "Spurs",
    "West Ham United": "West Ham",
    "Wolverhampton Wanderers": "Wolves",
    "Athletic Club": "Athletic",
    "Atlético Madrid": "Atlético",
    "Celta Vigo": "Celta",
    "Rayo Vallecano": "Rayo",
    "Real Oviedo": "Oviedo",
    "Real Sociedad": "Sociedad",
    "Hellas Verona": "Verona",
    "FC Augsburg": "Augsburg",
    "Union Berlin": "Union",
    "Werder Bremen": "Bremen",
    "Bayer Leverkusen": "Leverkusen",
    "Borussia Dortmund": "Dortmund",
    "Eintracht Frankfurt": "Frankfurt",
    "SC Freiburg": "Freiburg",
    "Hamburger SV": "Hamburg",
    "1. FC Heidenheim": "Heidenheim",
    "TSG Hoffenheim": "Hoffenheim",
    "1. FC Köln": "Köln",
    "RB Leipzig": "Leipzig",
    "Borussia Mönchengladbach": "Gladbach",
    "Bayern Munich": "Bayern",
    "FC St. Pauli": "St. Pauli",
    "VfB Stuttgart": "Stuttgart",
    "VfL Wolfsburg": "Wolfsburg",
    "Paris Saint-Germain": "PSG",
}


def _clubs(*rows: tuple[str, str, float, float]) -> tuple[Club, ...]:
    """Build a club tuple from (name, code, attack, defence) rows."""
    return tuple(Club(name, code, attack, defence) for name, code, attack, defence in rows)


# 2025-26 memberships. Strengths are rough impressions, normalised per league in use.
LEAGUES: dict[str, League] = {
    "epl": League(
        "epl",
        "Premier League",
        "England",
        1.40,
        _clubs(
            ("Arsenal", "ARS", 1.45, 0.62),
            ("Aston Villa", "AVL", 1.15, 0.95),
            ("Bournemouth", "BOU", 1.10, 1.00),
            ("Brentford", "BRE", 1.10, 1.10),
            ("Brighton & Hove Albion", "BHA", 1.10, 1.05),
            ("Burnley", "BUR", 0.75, 1.25),
            ("Chelsea", "CHE", 1.35, 0.85),
            ("Crystal Palace", "CRY", 1.05, 0.90),
            ("Everton", "EVE", 0.85, 0.95),
            ("Fulham", "FUL", 1.00, 1.05),
            ("Leeds United", "LEE", 0.85, 1.15),
            ("Liverpool", "LIV", 1.50, 0.80),
            ("Manchester City", "MCI", 1.50, 0.75),
            ("Manchester United", "MUN", 1.10, 1.05),
            ("Newcastle United", "NEW", 1.25, 0.90),
            ("Nottingham Forest", "NFO", 0.95, 1.05),
            ("Sunderland", "SUN", 0.80, 1.10),
            ("Tottenham Hotspur", "TOT", 1.10, 1.05),
            ("West Ham United", "WHU", 0.90, 1.25),
            ("Wolverhampton Wanderers", "WOL", 0.75, 1.30),
        ),
    ),
    "laliga": League(
        "laliga",
        "La Liga",
        "Spain",
        1.30,
        _clubs(
            ("Alavés", "ALA", 0.85, 1.00),
            ("Athletic Club", "ATH", 1.05, 0.85),
            ("Atlético Madrid", "ATM", 1.35, 0.70),
            ("Barcelona", "BAR", 1.70, 0.85),
            ("Celta Vigo", "CEL", 1.05, 1.05),
            ("Elche", "ELC", 0.85, 1.10),
            ("Espanyol", "ESP", 0.90, 1.05),
            ("Getafe", "GET", 0.75, 0.90),
            ("Girona", "GIR", 0.95, 1.25),
            ("Levante", "LEV", 0.85, 1.25),
            ("Mallorca", "MLL", 0.85, 1.10),
            ("Osasuna", "OSA", 0.90, 1.00),
            ("Rayo Vallecano", "RAY", 0.95, 1.00),
            ("Real Betis", "BET", 1.15, 0.95),
            ("Real Madrid", "RMA", 1.65, 0.70),
            ("Real Oviedo", "OVI", 0.70, 1.25),
            ("Real Sociedad", "RSO", 1.00, 1.00),
            ("Sevilla", "SEV", 0.95, 1.15),
            ("Valencia", "VAL", 0.90, 1.15),
            ("Villarreal", "VIL", 1.25, 0.90),
        ),
    ),
    "seriea": League(
        "seriea",
        "Serie A",
        "Italy",
        1.30,
        _clubs(
            ("Atalanta", "ATA", 1.30, 0.85),
            ("Bologna", "BOL", 1.15, 0.85),
            ("Cagliari", "CAG", 0.85, 1.10),
            ("Como", "COM", 1.20, 0.80),
            ("Cremonese", "CRE", 0.85, 1.10),
            ("Fiorentina", "FIO", 0.95, 1.10),
            ("Genoa", "GEN", 0.85, 1.10),
            ("Hellas Verona", "VER", 0.75, 1.20),
            ("Inter", "INT", 1.55, 0.75),
            ("Juventus", "JUV", 1.20, 0.80),
            ("Lazio", "LAZ", 1.00, 0.90),
            ("Lecce", "LEC", 0.75, 1.15),
            ("AC Milan", "MIL", 1.25, 0.75),
            ("Napoli", "NAP", 1.30, 0.75),
            ("Parma", "PAR", 0.75, 1.05),
            ("Pisa", "PIS", 0.75, 1.15),
            ("Roma", "ROM", 1.15, 0.70),
            ("Sassuolo", "SAS", 0.95, 1.05),
            ("Torino", "TOR", 0.95, 1.15),
            ("Udinese", "UDI", 0.90, 1.10),
        ),
    ),
    "bundesliga": League(
        "bundesliga",
        "Bundesliga",
        "Germany",
        1.55,
        _clubs(
            ("FC Augsburg", "FCA", 0.90, 1.15),
            ("Union Berlin", "FCU", 0.95, 1.05),
            ("Werder Bremen", "SVW", 1.00, 1.20),
            ("Borussia Dortmund", "BVB", 1.30, 0.85),
            ("Eintracht Frankfurt", "SGE", 1.20, 1.10),
            ("SC Freiburg", "SCF", 1.00, 1.00),
            ("Hamburger SV", "HSV", 0.85, 1.15),
            ("1. FC Heidenheim", "HDH", 0.75, 1.30),
            ("TSG Hoffenheim", "TSG", 1.15, 1.00),
            ("1. FC Köln", "KOE", 1.00, 1.15),
            ("RB Leipzig", "RBL", 1.25, 0.95),
            ("Bayer Leverkusen", "B04", 1.30, 0.95),
            ("Mainz 05", "M05", 0.90, 1.05),
            ("Borussia Mönchengladbach", "BMG", 0.95, 1.15),
            ("Bayern Munich", "FCB", 1.85, 0.70),
            ("FC St. Pauli", "STP", 0.80, 1.15),
            ("VfB Stuttgart", "VFB", 1.25, 0.95),
            ("VfL Wolfsburg", "WOB", 0.95, 1.20),
        ),
    ),
    "ligue1": League(
        "ligue1",
        "Ligue 1",
        "France",
        1.40,
        _clubs(
            ("Angers", "ANG", 0.75, 1.05),
            ("Auxerre", "AUX", 0.80, 1.10),
            ("Brest", "BRE", 0.95, 1.15),
            ("Le Havre", "HAV", 0.80, 1.10),
            ("Lens", "LEN", 1.15, 0.80),
            ("Lille", "LIL", 1.25, 0.90),
            ("Lorient", "LOR", 0.90, 1.30),
            ("Lyon", "LYO", 1.15, 0.80),
            ("Marseille", "MAR", 1.35, 0.85),
            ("Metz", "MET", 0.75, 1.35),
            ("Monaco", "MON", 1.20, 1.00),
            ("Nantes", "NAN", 0.80, 1.15),
            ("Nice", "NIC", 0.95, 1.10),
            ("Paris FC", "PFC", 1.00, 1.15),
            ("Paris Saint-Germain", "PSG", 1.65, 0.70),
            ("Rennes", "REN", 1.15, 1.00),
            ("Strasbourg", "STR", 1.15, 0.90),
            ("Toulouse", "TOU", 1.00, 0.95),
        ),
    ),
}

# Kickoff times (UTC) of the shared weekly grid, Friday first. Consecutive kickoffs are
# at most 105 minutes apart and a match lasts at least 108, so some match is in play
# from the first kickoff until ~22:50 every day; leagues take grid cells in turn.
DAY_SLOTS: tuple[tuple[str, ...], ...] = (
    ("11:00", "12:45", "14:30", "16:00", "17:30", "19:15", "21:00"),
    ("11:00", "12:30", "14:00", "15:45", "17:30", "19:15", "21:00"),
    ("11:00", "12:45", "14:15", "16:00", "17:30", "19:15", "21:00"),
    ("11:00", "12:45", "14:30", "16:15", "18:00", "19:45", "21:00"),
    ("11:00", "12:30", "14:15", "16:00", "17:45", "19:30", "21:00"),
    ("11:00", "12:45", "14:30", "16:00", "17:45", "19:15", "21:00"),
    ("12:30", "14:15", "16:00", "17:45", "19:30", "21:00"),
)

BOOKMAKERS: dict[str, Bookmaker] = {
    b.key: b
    for b in (
        Bookmaker("pinnacle", "Pinnacle", 0.025, 0.006, 0.6),
        Bookmaker("bet365", "bet365", 0.050, 0.010, 0.8, longshot_tilt=0.5),
        Bookmaker("williamhill", "William Hill", 0.062, 0.012, 1.2, fractional=True, longshot_tilt=1.0),
        Bookmaker("betfair_sb", "Betfair Sportsbook", 0.055, 0.012, 1.0, fractional=True),
        Bookmaker("unibet", "Unibet", 0.055, 0.010, 1.0, longshot_tilt=0.5),
        Bookmaker("888sport", "888sport", 0.065, 0.015, 1.3, alt_totals=False),
        Bookmaker("betway", "Betway", 0.055, 0.012, 1.0, handicap=False),
        Bookmaker("ladbrokes", "Ladbrokes", 0.065, 0.012, 1.2, fractional=True, longshot_tilt=1.0),
        Bookmaker("coral", "Coral", 0.065, 0.012, 1.2, fractional=True, handicap=False, longshot_tilt=1.0),
        Bookmaker("paddypower", "Paddy Power", 0.060, 0.012, 1.0, fractional=True),
        Bookmaker("skybet", "Sky Bet", 0.060, 0.012, 1.0, fractional=True, alt_totals=False),
        Bookmaker("bwin", "bwin", 0.060, 0.012, 1.0, longshot_tilt=0.5),
        Bookmaker("marathonbet", "Marathonbet", 0.035, 0.008, 0.8, btts=False, coverage=0.95),
        Bookmaker("betvictor", "BetVictor", 0.055, 0.012, 1.2, fractional=True, coverage=0.92),
        Bookmaker(
            "betfred",
            "Betfred",
            0.066,
            0.015,
            1.5,
            fractional=True,
            handicap=False,
            alt_totals=False,
            coverage=0.9,
            longshot_tilt=1.0,
        ),
        Bookmaker("1xbet", "1xBet", 0.040, 0.010, 0.8, coverage=0.97),
    )
}


def _fractional_ladder() -> tuple[float, ...]:
    """Decimal equivalents of the traditional fractional odds ladder, two decimals."""
    fractions = (
        "1/100 1/50 1/33 1/25 1/20 1/16 1/14 1/12 1/10 1/9 1/8 2/13 1/6 2/11 1/5 2/9 1/4 2/7 "
        "3/10 1/3 4/11 2/5 4/9 1/2 8/15 4/7 8/13 4/6 8/11 4/5 5/6 10/11 1/1 21/20 11/10 "
        "6/5 5/4 11/8 6/4 13/8 7/4 15/8 2/1 85/40 9/4 5/2 11/4 3/1 10/3 7/2 4/1 9/2 5/1 "
        "11/2 6/1 13/2 7/1 15/2 8/1 17/2 9/1 10/1 11/1 12/1 14/1 16/1 18/1 20/1 25/1 "
        "33/1 40/1 50/1 66/1 80/1 100/1 150/1 200/1 250/1 500/1 1000/1"
    )
    rungs = []
    for frac in fractions.split():
        num, den = frac.split("/")
        # The epsilon stops binary floats rounding x.xx5 down (1/8 -> 1.13, not 1.12).
        rungs.append(round(1 + int(num) / int(den) + 1e-9, 2))
    return tuple(sorted(set(rungs)))


FRACTIONAL_LADDER: tuple[float, ...] = _fractional_ladder()
