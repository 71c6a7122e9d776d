"""Demo squads: invented players per club, a coach, and each match's formation and team sheet."""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import lru_cache

from app.providers.demo.calendar import MatchSpec, rng
from app.providers.demo.world import LEAGUES

# Generated, plausible names per league country; a share of every squad comes from abroad.
FIRST_NAMES: dict[str, tuple[str, ...]] = {
    "England": (
        "Jack",
        "Harry",
        "Oliver",
        "George",
        "James",
        "Tom",
        "Callum",
        "Ben",
        "Luke",
        "Ryan",
        "Jordan",
        "Connor",
        "Lewis",
        "Mason",
        "Aaron",
        "Reece",
        "Kyle",
        "Joe",
        "Danny",
        "Sam",
    ),
    "Spain": (
        "Pablo",
        "Javier",
        "Sergio",
        "Álvaro",
        "Diego",
        "Iker",
        "Mario",
        "Adrián",
        "Raúl",
        "Hugo",
        "Marcos",
        "Rubén",
        "Dani",
        "Jorge",
        "Carlos",
        "Unai",
        "Óscar",
        "Iván",
        "Nacho",
        "Pedro",
    ),
    "Italy": (
        "Luca",
        "Marco",
        "Matteo",
        "Alessandro",
        "Lorenzo",
        "Davide",
        "Andrea",
        "Federico",
        "Simone",
        "Giorgio",
        "Nicolò",
        "Riccardo",
        "Stefano",
        "Fabio",
        "Gianluca",
        "Tommaso",
        "Paolo",
        "Emanuele",
        "Filippo",
        "Daniele",
    ),
    "Germany": (
        "Lukas",
        "Jonas",
        "Leon",
        "Felix",
        "Niklas",
        "Jan",
        "Tim",
        "Florian",
        "Maximilian",
        "Kai",
        "Julian",
        "Moritz",
        "Tobias",
        "Sebastian",
        "Marvin",
        "Jannik",
        "Dennis",
        "Philipp",
        "Nico",
        "Lars",
    ),
    "France": (
        "Lucas",
        "Théo",
        "Antoine",
        "Hugo",
        "Mathis",
        "Kylian",
        "Adrien",
        "Benjamin",
        "Clément",
        "Enzo",
        "Maxime",
        "Romain",
        "Baptiste",
        "Yanis",
        "Quentin",
        "Florian",
        "Rayan",
        "Julien",
        "Nathan",
        "Axel",
    ),
    "abroad": (
        "João",
        "Mateus",
        "Kofi",
        "Moussa",
        "Luka",
        "Erik",
        "Mikkel",
        "Santiago",
        "Emil",
        "Victor",
        "Bruno",
        "Ibrahim",
        "Nuno",
        "Kenji",
        "Tariq",
        "Rafael",
        "Ivan",
        "Oskar",
        "Amadou",
        "Diogo",
    ),
}
LAST_NAMES: dict[str, tuple[str, ...]] = {
    "England": (
        "Walker",
        "Hughes",
        "Bennett",
        "Clarke",
        "Turner",
        "Parker",
        "Cooper",
        "Ward",
        "Marsh",
        "Fletcher",
        "Holloway",
        "Pritchard",
        "Barnes",
        "Whitmore",
        "Ashworth",
        "Lowe",
        "Dixon",
        "Chambers",
        "Hale",
        "Rhodes",
    ),
    "Spain": (
        "García",
        "Morales",
        "Navarro",
        "Ortega",
        "Castillo",
        "Herrera",
        "Iglesias",
        "Vidal",
        "Prieto",
        "Serrano",
        "Delgado",
        "Molina",
        "Cabrera",
        "Fuentes",
        "Marín",
        "Soler",
        "Pascual",
        "Lozano",
        "Vega",
        "Rubio",
    ),
    "Italy": (
        "Rossi",
        "Bianchi",
        "Ferrara",
        "Colombo",
        "Ricci",
        "Marino",
        "Greco",
        "Bruno",
        "Galli",
        "Conti",
        "Mancini",
        "Lombardi",
        "Moretti",
        "Barbieri",
        "Fontana",
        "Santoro",
        "Mariani",
        "Rinaldi",
        "Caruso",
        "Ferri",
    ),
    "Germany": (
        "Müller",
        "Schneider",
        "Fischer",
        "Weber",
        "Becker",
        "Hoffmann",
        "Schulz",
        "Koch",
        "Richter",
        "Wolf",
        "Neumann",
        "Schwarz",
        "Zimmermann",
        "Krüger",
        "Hartmann",
        "Lange",
        "Brandt",
        "Vogel",
        "Keller",
        "Frank",
    ),
    "France": (
        "Martin",
        "Bernard",
        "Dubois",
        "Moreau",
        "Laurent",
        "Lefèvre",
        "Roux",
        "Fournier",
        "Girard",
        "Bonnet",
        "Dupont",
        "Lambert",
        "Fontaine",
        "Rousseau",
        "Blanc",
        "Guérin",
        "Mercier",
        "Chevalier",
        "Perrin",
        "Garnier",
    ),
    "abroad": (
        "Silva",
        "Mensah",
        "Diallo",
        "Novak",
        "Jensen",
        "Costa",
        "Kovač",
        "Lindqvist",
        "Okafor",
        "Pereira",
        "Haaland",
        "Traoré",
        "Santos",
        "Nakamura",
        "Petrović",
        "Andersen",
        "Fernández",
        "Kamara",
        "Berg",
        "Mendes",
    ),
}
# Positions of a squad, goalkeepers first: 3 G, 8 D, 8 M, 6 F.
SQUAD_SHAPE = "GGG" + "D" * 8 + "M" * 8 + "F" * 6
# Formations with a club's leaning: (name, defenders, midfield rows, forwards).
FORMATIONS: dict[str, tuple[int, tuple[int, ...], int]] = {
    "4-3-3": (4, (3,), 3),
    "4-2-3-1": (4, (2, 3), 1),
    "4-4-2": (4, (4,), 2),
    "3-5-2": (3, (5,), 2),
    "3-4-3": (3, (4,), 3),
    "4-1-4-1": (4, (1, 4), 1),
    "5-3-2": (5, (3,), 2),
}
HABIT = 0.75  # how often a club plays its usual formation
BENCH = (("G", 1), ("D", 2), ("M", 2), ("F", 2))


@dataclass(frozen=True, slots=True)
class Player:
    """A squad member; `rating` decides how often he starts."""

    name: str
    number: int
    position: str
    rating: float


@dataclass(frozen=True, slots=True)
class Squad:
    """A club's stable squad, coach and usual formation."""

    players: tuple[Player, ...]
    coach: str
    formation: str


@dataclass(frozen=True, slots=True)
class TeamSheet:
    """One side's line-up for one match; starters carry their pitch grid."""

    formation: str
    starting: tuple[tuple[Player, str], ...]
    bench: tuple[Player, ...]


def _name(r: random.Random, country: str, taken: set[str], surnames: set[str]) -> str:
    """A name new to the league and (mostly) a surname new to the club, seven in ten local."""
    for attempt in range(200):
        pool = country if r.random() < 0.7 else "abroad"
        first, last = r.choice(FIRST_NAMES[pool]), r.choice(LAST_NAMES[pool])
        name = f"{first} {last}"
        if name not in taken and (last not in surnames or attempt >= 100):
            taken.add(name)
            surnames.add(last)
            return name
    raise RuntimeError("the demo name lists are too short for a league's squads")


@lru_cache(maxsize=8)
def _league_squads(seed: int, league_key: str) -> tuple[Squad, ...]:
    """Every club's squad, drawn together so that no name appears twice in a league."""
    league = LEAGUES[league_key]
    taken: set[str] = set()
    out = []
    for club in league.clubs:
        r = rng(seed, league_key, club.code, "squad")
        numbers, surnames = list(range(2, 36)), set[str]()
        r.shuffle(numbers)
        players = []
        for i, position in enumerate(SQUAD_SHAPE):
            number = 1 if i == 0 else numbers.pop()
            players.append(Player(_name(r, league.country, taken, surnames), number, position, r.uniform(0, 1)))
        coach = _name(r, league.country, taken, surnames)
        out.append(Squad(tuple(players), coach, r.choice(sorted(FORMATIONS))))
    return tuple(out)


def squad(seed: int, league_key: str, club: int) -> Squad:
    """The club's stable squad: invented names, unique shirt numbers (a keeper wears 1)."""
    return _league_squads(seed, league_key)[club]


def _grid(formation: str) -> list[tuple[str, str]]:
    """(position, "row:column") of each starter, keeper first, forwards last."""
    defenders, middle, forwards = FORMATIONS[formation]
    rows = [("G", 1), ("D", defenders), *(("M", n) for n in middle), ("F", forwards)]
    return [(pos, f"{row}:{col}") for row, (pos, n) in enumerate(rows, start=1) for col in range(1, n + 1)]


@lru_cache(maxsize=4_096)
def team_sheet(seed: int, spec: MatchSpec, side: int) -> TeamSheet:
    """The formation, eleven starters and seven substitutes of one side (0 home, 1 away)."""
    club = spec.home if side == 0 else spec.away
    sq = squad(seed, spec.league, club)
    r = rng(seed, spec.fixture_id, "sheet", side)
    formation = sq.formation if r.random() < HABIT else r.choice(sorted(FORMATIONS))
    form = {p.name: p.rating + r.uniform(0, 0.6) for p in sq.players}  # the day's form
    ranked: dict[str, list[Player]] = {pos: [] for pos in "GDMF"}
    for player in sorted(sq.players, key=lambda p: -form[p.name]):
        ranked[player.position].append(player)
    starting = [(ranked[pos].pop(0), grid) for pos, grid in _grid(formation)]
    bench = [ranked[pos].pop(0) for pos, count in BENCH for _ in range(count)]
    return TeamSheet(formation, tuple(starting), tuple(bench))
