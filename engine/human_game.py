"""``HumanGame``: a person against the bot on one ``GameState``, as both front ends keep it.

The terminal game (``cli.text_game``) and the window (``gui.app``) share these rules
beyond the rules of Go: whose turn it is, the bot's answer played (or its
resignation), the person's resignation, and undo, which takes back the bot's reply
together with the person's move so that it is the person's turn again (a
resignation is taken back on its own). The front ends ask the bot for its move
their own way (at once, or on a thread) and say what happened in their own words;
this object says nothing. It lives in ``engine``, beside ``engine.outcome``, because
the terminal game must not load pygame (``gui``) and ``gui`` does not import ``cli``.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.game import EMPTY, GameState, check_color, opponent


@dataclass(frozen=True)
class Undone:
    """What an undo took back: a resignation, or ``moves`` (flat, oldest first); neither: nothing to undo."""

    resignation: bool = False
    moves: tuple[int, ...] = ()


class HumanGame:
    """``game`` (played on in place) between the person playing ``human_color`` and the bot playing the other."""

    def __init__(self, game: GameState, human_color: int):
        self.game = game
        self.human_color = check_color(human_color)
        self.bot_color = opponent(human_color)

    def is_humans_turn(self) -> bool:
        return not self.game.is_over() and self.game.to_play == self.human_color

    def is_bots_turn(self) -> bool:
        return not self.game.is_over() and self.game.to_play == self.bot_color

    def play(self, move: int) -> None:
        """The person's ``move`` (a point or the pass); ``IllegalMoveError`` (the game over
        included) leaves the game as it was, and so does ValueError on the bot's turn."""
        if self.is_bots_turn():
            raise ValueError("it is the bot's turn")
        self.game.play(move, self.human_color)

    def bot_moved(self, decision) -> None:
        """The bot's ``decision`` (``mcts.players.Decision``): it resigns, or plays its move.
        A bot's illegal move is a bug in the bot: ``GameState.play`` raises rather than hide it."""
        if decision.resigns:
            self.game.resign(self.bot_color)
        else:
            self.game.play(decision.move, self.bot_color)

    def resign(self) -> None:
        """The person gives up; the game is over (``undo`` takes the resignation back).
        ValueError if the game is over already."""
        if self.game.is_over():
            raise ValueError(f"the game is over already ({self.game.result()})")
        self.game.resign(self.human_color)

    def moves_to_undo(self) -> int:
        """How many moves from the end go back to before the person's last move (0: none)."""
        for back, (color, _) in enumerate(reversed(self.game.moves), start=1):
            if color == self.human_color:
                return back
        return 0

    def can_undo(self) -> bool:
        return self.game.resigned != EMPTY or self.moves_to_undo() > 0

    def undo(self) -> Undone:
        """Take back a resignation, else the bot's reply and the person's move (just the
        person's while the bot has not answered), so that it is the person's turn again."""
        if self.game.resigned != EMPTY:
            self.game.undo()
            return Undone(resignation=True)
        count = self.moves_to_undo()
        if count == 0:
            return Undone()
        taken = tuple(move for _, move in self.game.moves[-count:])
        for _ in range(count):
            self.game.undo()
        return Undone(moves=taken)
