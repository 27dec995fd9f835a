"""One game of a tournament: what to play (``GameJob``) and playing it (``play_job``).

A job carries the players' spellings, not the players: whoever plays it (this
process or a Ray worker) builds them, plays, and closes them, so a GTP engine
never outlives its game and one that died cannot spoil the next.

Seeds come from the pairing and the game number (a hash, the same in every
process), so a resumed or repeated tournament plays the same games. A job may
start from an ``opening`` (moves played for both sides before the players take
over: ``arena/openings.py``), so that a match of deterministic players still
plays many different games.

A player that fails (an engine that dies, hangs, answers nonsense, or a move the
rules forbid) does not lose the game: the game is recorded as an *error*, with
the message and the player at fault, and the tournament goes on.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from arena.match import default_max_moves, game_record, play_out
from arena.player_spec import make_player, parse_player_spec
from engine.game import BLACK, GameState
from engine.sgf import game_to_sgf

SEED_LIMIT = 2**31  # fits every player's seeding


@dataclass(frozen=True)
class GameJob:
    """One game: ``a`` and ``b`` are the pairing's players (names and spellings), game ``number`` of it.

    ``a`` has black in even-numbered games. ``key`` names the game in the results file.
    """

    pairing: int
    number: int
    a: str
    b: str
    a_spec: str
    b_spec: str
    size: int
    komi: float
    max_moves: int | None  # None: default_max_moves(size)
    seed: int = 0  # the tournament's seed, mixed into every game's seeds
    backend: str = "auto"  # how networks run (nets.evaluator's backends); no part of the game's identity
    opening: tuple[int, ...] = ()  # flat moves played before the players take over (black first)

    @property
    def key(self) -> str:
        return f"{self.a} | {self.b} | {self.number}"

    @property
    def a_is_black(self) -> bool:
        return self.number % 2 == 0

    @property
    def black(self) -> str:
        return self.a if self.a_is_black else self.b

    @property
    def white(self) -> str:
        return self.b if self.a_is_black else self.a

    def player_seed(self, name: str) -> int:
        """The seed of player ``name`` in this game, fixed by the pairing and game number."""
        text = f"{self.seed}|{self.a}|{self.b}|{self.number}|{name}"
        return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little") % SEED_LIMIT


def play_job(job: GameJob, torch_threads: int | None = None) -> dict:
    """Play ``job``'s game; return its outcome (a JSON-friendly dict, ``sgf`` holding the SGF text).

    Outcome: ``key, pairing, game, black, white, winner`` (a name, None for a
    draw or an error), ``result`` (``B+3.5``, ``W+R``, ``0``; None for an error),
    ``moves``, ``error`` and ``error_by`` (None unless the game failed), ``seconds``.
    """
    start = time.monotonic()
    black_spec, white_spec = (job.a_spec, job.b_spec) if job.a_is_black else (job.b_spec, job.a_spec)
    game = GameState(job.size, job.komi, default_max_moves(job.size) if job.max_moves is None else job.max_moves)
    outcome = {"key": job.key, "pairing": job.pairing, "game": job.number, "black": job.black, "white": job.white}
    for move in job.opening:
        game.play(move)  # IllegalMoveError: a bad opening is the caller's bug, not a player's
    players = []
    error, error_by = None, None
    try:
        specs = [(job.black, parse_player_spec(black_spec)), (job.white, parse_player_spec(white_spec))]
        if torch_threads is not None and any(spec.kind == "net" for _, spec in specs):
            import torch  # only where a network plays: importing torch costs seconds

            torch.set_num_threads(torch_threads)
        for name, spec in specs:
            player = make_player(spec, job.player_seed(name), job.size, backend=job.backend, threads=torch_threads)
            player.name = name
            players.append(player)
        play_out(game, *players)
    except Exception as err:  # noqa: BLE001 (any failure of a player is this game's error, not the tournament's)
        error = f"{type(err).__name__}: {err}"
        error_by = _at_fault(job, game, built=len(players))
    finally:
        for player in players:
            _close(player)
    if error is None:
        record = game_record(job.number, job.black, job.white, game)
        outcome.update(winner=record.winner, result=record.result, moves=record.moves, error=None, error_by=None)
    else:
        outcome.update(winner=None, result=None, moves=len(game.moves), error=error, error_by=error_by)
    outcome["seconds"] = round(time.monotonic() - start, 2)
    outcome["sgf"] = _sgf_text(job, game, outcome)
    return outcome


def _at_fault(job: GameJob, game: GameState, built: int) -> str:
    """The player a failure is blamed on: the one being built, else the one to move (players fail in genmove)."""
    if built < 2:
        return (job.black, job.white)[built]
    return job.black if game.to_play == BLACK else job.white


def _close(player) -> None:
    """Close a player that has something to close (a GTP engine); a failure to close is no news."""
    try:
        getattr(player, "close", lambda: None)()
    except Exception:  # noqa: BLE001, S110 (the engine is being let go either way)
        pass


def _sgf_text(job: GameJob, game: GameState, outcome: dict) -> str:
    comment = f"Dosaku arena: game {job.number + 1} of {job.a} vs {job.b}"
    if job.opening:
        comment += f"\nMoves 1-{len(job.opening)}: a set opening, played for both sides"
    if outcome["error"]:
        comment += f"\nNo result: {outcome['error_by']} failed: {outcome['error']}"
    return game_to_sgf(
        game,
        black=job.black,
        white=job.white,
        result=outcome["result"] or "Void",  # SGF's "no result"
        comments={0: comment},
    )
