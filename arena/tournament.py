"""Tournaments: every pairing plays ``games`` games, colours alternating, results kept as they come.

Formats: ``round-robin`` pairs every player with every other; ``gauntlet`` pairs
the first player with each of the others (a new network against the field).
In a pairing (A, B), A has black in games 0, 2, 4, ...

Everything goes to ``OUT``: ``results.json`` (``tournament_results.py``), one SGF
per game under ``games/`` (both names, the result, ``RE[Void]`` and the error in
the root comment for a game that failed), and after the games ``ratings.json``.
An interrupted tournament, started again with ``resume``, plays only the games
missing from ``results.json``, with the seeds they would have had.

Errors (a player that failed) are games without a result: they count for no one
in the ratings.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from arena.elo import Rating, fit_elo, pair_results
from arena.player_spec import PlayerSpec, check_available
from arena.tournament_game import GameJob
from arena.tournament_results import ResultsFile
from arena.tournament_runner import run_games
from engine.files import atomic_write_text
from engine.sgf import save_sgf_file

FORMATS = ("round-robin", "gauntlet")
RESULTS_FILE = "results.json"
RATINGS_FILE = "ratings.json"
GAMES_DIR = "games"


@dataclass(frozen=True)
class Tournament:
    """What to play: the players, games per pairing, the board and the format."""

    players: tuple[PlayerSpec, ...]
    games: int
    size: int = 9
    komi: float = 7.5
    format: str = "round-robin"
    max_moves: int | None = None
    seed: int = 0
    backend: str = "auto"  # how networks run; not in ``settings``: a resumed tournament may change it

    def __post_init__(self):
        if len(self.players) < 2:
            raise ValueError("a tournament needs at least two players")
        if self.format not in FORMATS:
            raise ValueError(f"unknown format {self.format!r} (expected {' or '.join(FORMATS)})")
        if self.games < 1:
            raise ValueError(f"games per pairing must be at least 1, got {self.games}")
        names = [spec.name for spec in self.players]
        twins = sorted({name for name in names if names.count(name) > 1})
        if twins:
            raise ValueError(f"the same player twice: {', '.join(twins)} (give twins different settings)")

    @property
    def names(self) -> list[str]:
        return [spec.name for spec in self.players]

    def pairings(self) -> list[tuple[PlayerSpec, PlayerSpec]]:
        """The pairings (A, B) in playing order."""
        if self.format == "gauntlet":
            return [(self.players[0], other) for other in self.players[1:]]
        return list(itertools.combinations(self.players, 2))

    def jobs(self) -> list[GameJob]:
        """Every game, interleaved across pairings so that partial results cover every pairing."""
        per_pairing = [
            [self._job(index, number, a, b) for number in range(self.games)]
            for index, (a, b) in enumerate(self.pairings())
        ]
        return [job for round_ in zip(*per_pairing) for job in round_]

    def _job(self, pairing: int, number: int, a: PlayerSpec, b: PlayerSpec) -> GameJob:
        return GameJob(pairing, number, a.name, b.name, a.text, b.text, self.size, self.komi, self.max_moves,
                       self.seed, self.backend)  # fmt: skip

    def settings(self) -> dict:
        """What a results file records to tell tournaments apart (JSON-friendly)."""
        return {
            "players": [spec.text for spec in self.players],
            "names": self.names,
            "size": self.size,
            "komi": self.komi,
            "format": self.format,
            "games": self.games,
            "max_moves": self.max_moves,
            "seed": self.seed,
        }


def run_tournament(
    tournament: Tournament,
    out: str | Path,
    parallel: int = 1,
    resume: bool = False,
    on_game: Callable[[dict, int, int], None] | None = None,
    address: str | None = None,
) -> list[dict]:
    """Play the games of ``tournament`` not yet in ``out/results.json``; return every finished game.

    ``on_game(outcome, finished, total)`` is called as each game ends (progress).
    """
    for spec in tournament.players:
        check_available(spec, tournament.size)
    out = Path(out)
    results = ResultsFile.open(out / RESULTS_FILE, tournament.settings(), resume)
    pending = [job for job in tournament.jobs() if not results.done(job.key)]
    total = len(tournament.jobs())
    results.save()  # the settings are on disk before the first game
    queue = iter(pending)

    def record(outcome: dict) -> None:
        store_outcome(outcome, out, results)
        if on_game is not None:
            on_game(outcome, len(results.games), total)

    run_games(lambda: next(queue, None), record, parallel, address)
    return sorted(results.games.values(), key=lambda game: (game["pairing"], game["game"]))


def store_outcome(outcome: dict, out: Path, results: ResultsFile) -> None:
    """Save the game's SGF under ``out/games`` and the outcome (with the SGF's path) in ``results``."""
    sgf = outcome.pop("sgf", None)
    outcome["sgf"] = None
    if sgf is not None:
        name = game_file_name(outcome)
        (out / GAMES_DIR).mkdir(parents=True, exist_ok=True)
        save_sgf_file(out / GAMES_DIR / name, sgf)
        outcome["sgf"] = f"{GAMES_DIR}/{name}"
    results.add(outcome)


def game_file_name(outcome: dict) -> str:
    """``01-004-random-vs-mcts_sims=50.sgf``: pairing, game (1-based) and players, safe for any file system."""
    return f"{outcome['pairing'] + 1:02d}-{outcome['game'] + 1:03d}-{_safe(outcome['black'])}-vs-{_safe(outcome['white'])}.sgf"


def _safe(name: str, limit: int = 40) -> str:
    return re.sub(r"[^A-Za-z0-9._=+-]+", "_", name).strip("_")[:limit] or "player"


# --- ratings -------------------------------------------------------------------


def game_points(games: Sequence[dict]) -> list[tuple[str, str, float]]:
    """``(black, white, black's points)`` of every game with a result (errors left out)."""
    points = []
    for game in games:
        if game.get("error") or game.get("result") is None:
            continue
        value = 0.5 if game["winner"] is None else 1.0 if game["winner"] == game["black"] else 0.0
        points.append((game["black"], game["white"], value))
    return points


def default_anchor(names: Sequence[str]) -> str:
    """``random`` when it plays, else the first player."""
    return "random" if "random" in names else names[0]


def resolve_anchor(anchor: str | None, specs: Sequence[PlayerSpec]) -> str:
    """The name of the anchor player, given by name or spelling; the default when None."""
    names = [spec.name for spec in specs]
    if anchor is None:
        return default_anchor(names)
    for spec in specs:
        if anchor in (spec.name, spec.text):
            return spec.name
    raise ValueError(f"anchor {anchor!r} is none of the players ({', '.join(names)})")


def tournament_ratings(names: Sequence[str], games: Sequence[dict], anchor: str) -> dict[str, Rating]:
    """Elo ratings from the finished games, anchored at ``anchor`` (``arena/elo.py``)."""
    return fit_elo(list(names), pair_results(game_points(games)), anchor)


def record_of(name: str, games: Sequence[dict]) -> dict:
    """Wins, draws, losses and errors of ``name`` over ``games``."""
    tally = {"wins": 0, "draws": 0, "losses": 0, "errors": 0}
    for game in games:
        if name not in (game["black"], game["white"]):
            continue
        if game.get("error"):
            tally["errors"] += 1
        elif game["winner"] is None:
            tally["draws"] += 1
        else:
            tally["wins" if game["winner"] == name else "losses"] += 1
    return tally


def save_ratings(path: str | Path, ratings: dict[str, Rating], anchor: str, steps: dict[str, int | None]) -> None:
    """The ratings as JSON, best first."""
    rows = [
        {"name": r.name, "elo": round(r.elo, 1), "low": round(r.low, 1), "high": round(r.high, 1), "games": r.games,
         "score": r.score, "step": steps.get(r.name)}
        for r in sorted(ratings.values(), key=lambda r: -r.elo)
    ]  # fmt: skip
    atomic_write_text(path, json.dumps({"anchor": anchor, "ratings": rows}, indent=1) + "\n")
