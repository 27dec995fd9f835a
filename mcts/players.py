"""Players: objects with ``genmove(game) -> move`` (a flat move) for the front ends.

``RandomPlayer`` plays uniformly among the legal moves that do not fill its own
eye and passes when nothing else is left, so its games end; it is the weakest
baseline and the opponent of the first front ends.
"""

from __future__ import annotations

import numpy as np

from engine import _kernels as kernels
from engine.game import GameState, move_from_padded


class RandomPlayer:
    """Uniformly random legal, non-eye-filling moves; reproducible from ``seed``."""

    name = "random"

    def __init__(self, seed: int = 0):
        self.rng = np.zeros(1, np.uint64)
        kernels.seed_rng(self.rng, seed)

    def genmove(self, game: GameState) -> int:
        """A flat move for the player to move (the pass when nothing else is left)."""
        if game.is_over():
            return game.pass_move
        loc = kernels.random_move(game.state, game.history, self.rng)
        return move_from_padded(loc, game.size)
