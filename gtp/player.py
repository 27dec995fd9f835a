"""``GTPPlayer``: any GTP engine (GNU Go, Pachi, KataGo, ``dosaku gtp``) as a player.

It has ``genmove(game) -> Decision`` like the players of ``mcts/players.py``, so
``arena.match`` can pit it against them. Before each ``genmove`` it brings the
engine's board in step with ``game``: when ``game`` only adds moves to what the
engine has seen, those moves are played; otherwise (a new game, an undo, other
size, komi or handicap) the engine starts over with ``boardsize``, ``komi``,
``clear_board``, the handicap stones (``set_free_handicap``) and every move.

The engine plays the move it generates on its own board, so that move counts
as seen. Answers: a vertex, ``pass`` or ``resign`` (any case).

Games are scored by Tromp-Taylor rules, where dead stones left on the board
count: run GNU Go with ``--capture-all-dead`` (and ``--chinese-rules``), or it
passes with the opponent's dead stones still inside its territory and loses
points it has won (a random player then "beats" GNU Go level 1 now and then).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Self

from engine.coords import CoordinateError, flat_to_gtp, gtp_to_flat
from engine.game import BLACK, GameState, color_name
from gtp.client import GTPClient, GTPClientError
from mcts.players import RESIGN, Decision


class GTPProtocolError(GTPClientError):
    """The engine's answer to ``genmove`` is no move on this board."""


class GTPPlayer:
    """A GTP engine: started from ``engine``, its argument vector, or an already
    started ``GTPClient`` (which ``close`` then closes too)."""

    def __init__(self, engine: Sequence[str] | GTPClient, name: str | None = None, timeout: float = 60.0):
        if isinstance(engine, GTPClient):
            self.client = engine
        else:
            self.client = GTPClient(engine, timeout=timeout, name=name)
        self.name = name or self.client.name
        # What the engine's board holds: (size, komi, setup) and the moves played on it.
        self._rules: tuple | None = None
        self._moves: list[tuple[int, int]] = []

    def genmove(self, game: GameState) -> Decision:
        """The engine's move for the player to move in ``game``."""
        if game.is_over():
            return Decision(game.pass_move)
        self.sync(game)
        color = game.to_play
        answer = self.client.send(f"genmove {color_name(color)}").strip().lower()
        if answer == "resign":
            return Decision(RESIGN)
        move = self._parse_vertex(answer, game.size)
        self._moves.append((color, move))  # the engine played it on its board
        return Decision(move)

    def sync(self, game: GameState) -> None:
        """Bring the engine's board to ``game``'s position, replaying as little as possible."""
        rules = (game.size, game.komi, tuple(game.setup))
        seen = len(self._moves)
        if rules != self._rules or game.moves[:seen] != self._moves:
            self._restart(game)
            seen = 0
        commands = [f"play {color_name(c)} {flat_to_gtp(m, game.size)}" for c, m in game.moves[seen:]]
        if commands:
            self._rules = None  # if a move is refused, the board is unknown: start over next time
            self.client.send_many(commands)
            self._rules = rules
        self._moves = list(game.moves)

    def _restart(self, game: GameState) -> None:
        """An empty board of ``game``'s size and komi, with its handicap stones."""
        commands = [f"boardsize {game.size}", f"komi {game.komi:g}", "clear_board"]
        if game.setup:
            if any(color != BLACK for color, _ in game.setup) or len(game.setup) < 2:
                raise ValueError("a GTP engine takes setup stones only as a black handicap of 2 or more")
            commands.append("set_free_handicap " + " ".join(flat_to_gtp(m, game.size) for _, m in game.setup))
        self._rules = None  # unknown until every command succeeded
        self.client.send_many(commands)
        self._rules = (game.size, game.komi, tuple(game.setup))
        self._moves = []

    def _parse_vertex(self, answer: str, size: int) -> int:
        try:
            return gtp_to_flat(answer, size)
        except (CoordinateError, ValueError):
            raise GTPProtocolError(
                f"{self.name} answered genmove with {answer!r}, not a move on {size}x{size}"
            ) from None

    def close(self) -> None:
        """Quit the engine (killed if it does not exit)."""
        self.client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"GTPPlayer({self.name!r}, {self.client!r})"
