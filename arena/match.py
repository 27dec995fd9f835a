"""Games and matches between players: ``play_game`` and ``play_match``.

A *player* is any object with ``genmove(game) -> Decision`` (``mcts/players.py``)
and, optionally, a ``name``. It is handed a copy of the game, so it cannot change
the referee's; a ``Decision`` that ``resigns`` ends the game by resignation. A
move the rules forbid raises ``IllegalPlayerMoveError`` naming the player and
the move: a broken player stops the match rather than losing quietly.

Games are scored as ``GameState`` scores them (Tromp-Taylor area, komi for
white). Colours alternate in a match: player A has black in games 0, 2, 4, ...
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass, field

from engine.coords import flat_to_gtp
from engine.game import BLACK, EMPTY, WHITE, GameState, color_name


class IllegalPlayerMoveError(RuntimeError):
    """A player chose a move the rules forbid (or no move at all)."""

    def __init__(self, player: str, color: int, move_text: str, reason: str):
        super().__init__(f"{player} ({color_name(color)}) chose an illegal move {move_text}: {reason}")
        self.player, self.color, self.move_text, self.reason = player, color, move_text, reason


def player_name(player, default: str = "player") -> str:
    """The player's ``name`` attribute, or ``default``."""
    return str(getattr(player, "name", None) or default)


def default_max_moves(size: int) -> int:
    """The move cap of a match game: random games rarely run past 3 N^2 moves, and
    the search (``BatchedSearch``) refuses games longer than 4 N^2."""
    return 3 * size * size


def play_game(black, white, size: int = 9, komi: float = 7.5, max_moves: int | None = None) -> GameState:
    """Play one game to its end; return the finished game (``result()``, ``winner()``, ``moves``).

    ``max_moves`` caps the game (then the position is scored as it stands);
    None means ``default_max_moves(size)``, 0 means no cap.
    """
    cap = default_max_moves(size) if max_moves is None else max_moves
    return play_out(GameState(size, komi, cap), black, white)


def play_out(game: GameState, black, white) -> GameState:
    """Play ``game`` on to its end in place and return it.

    The caller keeps the game it passed, so when a player fails (raises) the
    moves played so far are still there, for the record of an aborted game.
    """
    players = {BLACK: black, WHITE: white}
    while not game.is_over():
        color = game.to_play
        decision = players[color].genmove(game.copy())
        if decision.resigns:
            game.resign(color)
            break
        _check_move(game, decision.move, player_name(players[color], color_name(color)))
        game.play_unchecked(int(decision.move), color)
    return game


def _check_move(game: GameState, move, name: str) -> None:
    """Raise ``IllegalPlayerMoveError`` unless ``move`` is legal for the player to move."""
    color = game.to_play
    try:
        move = operator.index(move)  # ints and NumPy integers, not floats or strings
    except TypeError:
        raise IllegalPlayerMoveError(name, color, repr(move), "not a move") from None
    if not 0 <= move <= game.pass_move:
        raise IllegalPlayerMoveError(name, color, str(move), f"off the {game.size}x{game.size} board")
    reason = game.illegal_reason(move, color)
    if reason is not None:
        raise IllegalPlayerMoveError(name, color, flat_to_gtp(move, game.size), reason)


@dataclass
class GameRecord:
    """One finished game of a match, from the match's point of view."""

    number: int  # 0-based
    black: str  # player names
    white: str
    winner: str | None  # name of the winner; None for a draw
    result: str  # SGF style: B+3.5, W+R, 0
    moves: int  # moves played (passes included)
    game: GameState = field(repr=False)


@dataclass
class MatchResult:
    """Every game and the tally: wins of A and of B, draws, wins by colour."""

    name_a: str
    name_b: str
    games: list[GameRecord] = field(default_factory=list)

    @property
    def wins_a(self) -> int:
        return sum(record.winner == self.name_a for record in self.games)

    @property
    def wins_b(self) -> int:
        return sum(record.winner == self.name_b for record in self.games)

    @property
    def draws(self) -> int:
        return sum(record.winner is None for record in self.games)

    def summary(self) -> dict:
        """Named figures of the match (JSON-friendly)."""
        return {
            "a": self.name_a,
            "b": self.name_b,
            "games": len(self.games),
            "wins_a": self.wins_a,
            "wins_b": self.wins_b,
            "draws": self.draws,
            "black_wins": sum(r.winner is not None and r.winner == r.black for r in self.games),
            "white_wins": sum(r.winner is not None and r.winner == r.white for r in self.games),
            "resignations": sum(r.result.endswith("+R") for r in self.games),
            "mean_moves": round(sum(r.moves for r in self.games) / max(len(self.games), 1), 1),
        }


def game_record(number: int, black: str, white: str, game: GameState) -> GameRecord:
    """The record of finished ``game`` between the players named ``black`` and ``white``."""
    winner = game.winner()
    return GameRecord(
        number=number,
        black=black,
        white=white,
        winner=None if winner == EMPTY else black if winner == BLACK else white,
        result=game.result(),
        moves=len(game.moves),
        game=game,
    )


def distinct_names(player_a, player_b) -> tuple[str, str]:
    """Names that tell the two players apart (``random#1``/``random#2`` for twins)."""
    name_a, name_b = player_name(player_a, "A"), player_name(player_b, "B")
    if name_a == name_b:
        name_a, name_b = f"{name_a}#1", f"{name_b}#2"
    return name_a, name_b


def play_match(player_a, player_b, games: int, size: int = 9, komi: float = 7.5, max_moves: int | None = None,
               on_game: Callable[[GameRecord, MatchResult], None] | None = None) -> MatchResult:  # fmt: skip
    """Play ``games`` games, A black in even-numbered games; ``on_game(record, so_far)``
    is called after each (progress). Players keep their state between games."""
    if games < 1:
        raise ValueError(f"a match needs at least one game, got {games}")
    name_a, name_b = distinct_names(player_a, player_b)
    match = MatchResult(name_a, name_b)
    for number in range(games):
        a_is_black = number % 2 == 0
        black, white = (player_a, player_b) if a_is_black else (player_b, player_a)
        black_name, white_name = (name_a, name_b) if a_is_black else (name_b, name_a)
        game = play_game(black, white, size, komi, max_moves)
        record = game_record(number, black_name, white_name, game)
        match.games.append(record)
        if on_game is not None:
            on_game(record, match)
    return match
