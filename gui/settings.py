"""``GameSettings``: what the person chose for a game (size, colour, komi, handicap, strength)."""

from __future__ import annotations

from dataclasses import dataclass

from engine.coords import check_size
from engine.game import BLACK, WHITE, GameState, check_color
from engine.handicap import fixed_handicap_moves, handicap_game


@dataclass(frozen=True)
class GameSettings:
    """One game's choices; ``simulations`` None leaves the bot its own default."""

    size: int = 9
    human_color: int = BLACK
    komi: float = 7.5
    handicap: int = 0  # fixed handicap stones for black; 0 = an even game
    simulations: int | None = None

    def __post_init__(self):
        check_size(self.size)
        check_color(self.human_color)
        if self.handicap:
            fixed_handicap_moves(self.size, self.handicap)  # ValueError if the board has no such handicap
        if self.simulations is not None and self.simulations < 1:
            raise ValueError(f"simulations must be at least 1, got {self.simulations}")

    @property
    def bot_color(self) -> int:
        return WHITE if self.human_color == BLACK else BLACK

    def new_game(self) -> GameState:
        """The empty board of these settings, handicap stones placed (then white moves first)."""
        return handicap_game(self.size, self.komi, self.handicap)
